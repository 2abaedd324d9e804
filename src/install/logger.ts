/**
 * The log calls this module makes. It matches the shape of `@actions/core` so the action can
 * pass core itself, while the CLI and the tests pass their own.
 */
export interface InstallLogger {
  info(message: string): void
  warning(message: string): void
  debug(message: string): void
  startGroup(name: string): void
  endGroup(): void
}

/** A logger that drops every message, the default when the caller passes none. */
export const silentInstallLogger: InstallLogger = {
  info: () => undefined,
  warning: () => undefined,
  debug: () => undefined,
  startGroup: () => undefined,
  endGroup: () => undefined
}
