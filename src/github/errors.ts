/** GitHub's message when an installation token lacks a permission. */
export const NOT_ACCESSIBLE_BY_INTEGRATION = 'Resource not accessible by integration'

interface ResponseLike {
  status?: number
  message?: string
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown }
}

/** The permissions a workflow's token needs, for the advice in errors and the docs. */
export const REQUIRED_PERMISSIONS_BLOCK = [
  'permissions:',
  '  contents: write',
  '  issues: write'
].join('\n')

/**
 * A token without a permission the leg needs. The message names the permission and shows
 * the `permissions:` block, so the leg ends with this one message and tries no other writes.
 */
export class PermissionDeniedError extends Error {
  constructor(
    message: string,
    /** The missing permission, such as `contents: write`. */
    readonly permission: string
  ) {
    super(message)
    this.name = 'PermissionDeniedError'
  }
}

/**
 * Builds the advice for a token that lacks `permission`: what failed, the permission, the
 * `permissions:` block to add, and why forks never get it.
 */
export function missingPermissionError(
  action: string,
  permission: string,
  cause: string
): PermissionDeniedError {
  return new PermissionDeniedError(
    `The workflow's token cannot ${action}: ${cause}, because the token lacks '${permission}'. ` +
      `Give the job these permissions:\n${REQUIRED_PERMISSIONS_BLOCK}\n` +
      "Workflows started from a fork's pull request always get a read-only token; run the fan-out from push, workflow_dispatch or issues events instead.",
    permission
  )
}

/**
 * Turns a 403 "Resource not accessible by integration" into advice: which permission is
 * missing (from GitHub's x-accepted-github-permissions header) and the block to add.
 * Returns undefined for any other error, which the caller rethrows as it is.
 */
export function describePermissionError(error: unknown, action: string): string | undefined {
  return toPermissionError(error, action)?.message
}

/** Like describePermissionError, but returns the PermissionDeniedError itself. */
export function toPermissionError(
  error: unknown,
  action: string
): PermissionDeniedError | undefined {
  const response = error as ResponseLike
  if (
    response?.status !== 403 ||
    !String(response.message ?? '').includes(NOT_ACCESSIBLE_BY_INTEGRATION)
  ) {
    return undefined
  }
  const accepted = String(response.response?.headers?.['x-accepted-github-permissions'] ?? '')
  const needed = accepted
    .split(/[;,]/)
    .map((part) => part.trim().replace('=', ': '))
    .filter(Boolean)
  const permission = needed[0] ?? 'issues: write'
  return missingPermissionError(
    action,
    permission,
    `GitHub answered "${NOT_ACCESSIBLE_BY_INTEGRATION}"`
  )
}

/** True for failures a retry cannot fix: the request itself is wrong or forbidden. */
export function isClientError(error: unknown): boolean {
  const status = (error as ResponseLike)?.status
  return typeof status === 'number' && status >= 400 && status < 500
}
