import type { TextOutput } from './progress.js'

/** The process facts a command reads and writes, so tests can run commands in-process. */
export interface CliIo {
  cwd: string
  env: NodeJS.ProcessEnv
  stdout: TextOutput
  /** Progress and warnings go here; a terminal gets the redrawn progress display. */
  stderr: TextOutput & { isTTY?: boolean; columns?: number; rows?: number }
}

/** Formats rows as columns separated by two spaces, each as wide as its widest cell. */
export function renderTable(header: readonly string[], rows: readonly string[][]): string[] {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length))
  )
  const format = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd()
  return [format(header), ...rows.map(format)]
}

/**
 * Returns the message of anything thrown. It reads `message` instead of checking
 * `instanceof Error`, which is false for errors made in another realm, such as Node's
 * own errors when the CLI runs inside a test's VM context.
 */
export function errorMessage(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'message' in error) {
    return String((error as { message: unknown }).message)
  }
  return String(error)
}
