/** A git command that exited with a code its caller did not accept. */
export class GitCommandError extends Error {
  constructor(
    /** The arguments after `git`, without the `-c` settings, which may hold credentials. */
    readonly args: readonly string[],
    readonly exitCode: number,
    readonly stderr: string,
    readonly stdout: string
  ) {
    super(
      `git ${args.join(' ')} failed with exit code ${exitCode}: ${lastLines(stderr || stdout, 5)}`
    )
    this.name = 'GitCommandError'
  }
}

/** Reason a push failed; `network` means every attempt failed on the connection. */
export type PushFailureReason =
  'non-fast-forward' | 'protected-branch' | 'permission' | 'authentication' | 'network' | 'other'

/** A failed `git push`, with a message that explains why and what to change. */
export class PushRejectedError extends Error {
  constructor(
    message: string,
    readonly reason: PushFailureReason,
    readonly stderr: string
  ) {
    super(message)
    this.name = 'PushRejectedError'
  }
}

// The remote responded with a rejection, so a retry would get the same response.
const REJECTION_PATTERNS: readonly RegExp[] = [
  /\[(remote )?rejected\]/,
  /returned error: 40[0-9]/,
  /HTTP 40[0-9]/,
  /Permission to .* denied/i,
  /Permission denied/i,
  /Authentication failed/i,
  /Write access to repository not granted/i,
  /Repository not found/i,
  /does not appear to be a git repository/i,
  /couldn't find remote ref/i
]

// Failures of the connection itself, from curl (HTTPS remotes) and ssh, which a later attempt can
// get past.
const NETWORK_PATTERNS: readonly RegExp[] = [
  /Could not resolve host/i,
  /Failed to connect to/i,
  /Connection (timed out|refused|reset|closed)/i,
  /Operation timed out/i,
  /returned error: (5\d\d|429)/,
  /RPC failed; (HTTP (5\d\d|429)|curl \d+)/,
  /early EOF/,
  /the remote end hung up unexpectedly/,
  /unexpected disconnect/,
  /Empty reply from server/i,
  /transfer closed with outstanding read data/i,
  /gnutls_handshake\(\) failed/,
  /SSL_ERROR_SYSCALL|SSL_read|OpenSSL SSL_connect/,
  /HTTP\/2 stream \d+ was not closed cleanly/,
  /kex_exchange_identification/,
  /ssh: connect to host/
]

/**
 * Tells whether a failed fetch, ls-remote or push failed on the connection (worth a retry) rather
 * than on a response from the remote such as a rejection or a 403.
 */
export function isNetworkFailure(stderr: string): boolean {
  if (REJECTION_PATTERNS.some((pattern) => pattern.test(stderr))) return false
  return NETWORK_PATTERNS.some((pattern) => pattern.test(stderr))
}

/**
 * Tells whether the remote refused a ref update only because another push held the ref's
 * lock at that moment, as happens when several legs push the same task at once. A retry
 * then finds the ref up to date, or already created by the other push.
 */
export function isRefLockContention(stderr: string): boolean {
  return /cannot lock ref|failed to update ref|Unable to create '[^']*\.lock'|failed to lock|incorrect old value provided/i.test(
    stderr
  )
}

/**
 * Tells whether a git command failed only because another git process was writing in this
 * repository at that moment. Either that process held the lock of a file this one had to
 * write: `.git/config` (setting an upstream), `shallow` (a fetch into a shallow clone, which
 * also fails when another fetch changed `shallow` since this one read it), `packed-refs` or a
 * ref that a concurrent fetch also moves. Or this one read the registration of a worktree that
 * a `git worktree add` had begun to write: a file that is not there yet, such as `commondir`,
 * or the placeholder HEAD that the add writes before its checkout, which a fetch reads as a
 * bad object. git fails at once instead of waiting in these cases, and the other process is
 * done within moments, so a retry soon after succeeds. Lines that the remote sent are left
 * out: a lock on the remote's side is `isRefLockContention`'s case.
 */
export function isLocalContention(stderr: string): boolean {
  return stderr
    .split(/\r?\n/)
    .filter((line) => !/^remote:|\[remote rejected\]/.test(line.trim()))
    .some((line) =>
      /could not lock config file|Unable to create '[^']*\.lock'|shallow file has changed since we read it|failed to read \S*worktrees\/[^/\s]+\/(commondir|gitdir)|bad object \S*worktrees\/[^/\s]+\/HEAD|cannot lock ref '[^']*': is at [0-9a-f]+ but expected/i.test(
        line
      )
    )
}

/**
 * Builds the error for a failed push of `target` to `remote` from git's stderr. `kind` tells
 * whether the target is a task branch or a ref that is no branch, such as a claim ref.
 */
export function describePushFailure(
  target: string,
  remote: string,
  stderr: string,
  networkFailure: boolean,
  kind: 'branch' | 'ref' = 'branch'
): PushRejectedError {
  const detail = lastLines(stderr, 6)
  const subject = `${kind} '${target}'`

  if (/protected branch|GH006|GH013|Repository rule violations/i.test(stderr)) {
    return new PushRejectedError(
      `Push of ${subject} to '${remote}' was rejected by a branch protection rule or ` +
        `ruleset. Use a branch name that the rules do not cover (change the manifest's branch ` +
        `prefix), or allow this workflow's token to push to it. git output: ${detail}`,
      'protected-branch',
      stderr
    )
  }
  if (/\[rejected\].*\((non-fast-forward|fetch first)\)/.test(stderr)) {
    return new PushRejectedError(
      `Push of ${subject} to '${remote}' was rejected because the remote branch has ` +
        `commits that the local branch does not contain (someone pushed to it meanwhile). ` +
        `Run the job again so that it starts from the remote branch, or merge or rebase onto ` +
        `'${remote}/${target}' and push again. The branch is never force-pushed. git output: ${detail}`,
      'non-fast-forward',
      stderr
    )
  }
  if (
    /returned error: 403|HTTP 403|Permission to .* denied|Write access to repository not granted/i.test(
      stderr
    )
  ) {
    return new PushRejectedError(
      `Push of ${subject} to '${remote}' was denied (HTTP 403): the token has no write ` +
        `access to the repository. Give the job \`permissions: contents: write\`, or pass a ` +
        `token that may push. git output: ${detail}`,
      'permission',
      stderr
    )
  }
  if (/returned error: 401|HTTP 401|Authentication failed|could not read Username/i.test(stderr)) {
    return new PushRejectedError(
      `Push of ${subject} to '${remote}' failed because the remote did not accept the ` +
        `credentials (HTTP 401). Check that the checkout step kept its credentials ` +
        `(\`persist-credentials\`) or pass a valid token. git output: ${detail}`,
      'authentication',
      stderr
    )
  }
  if (/\[remote rejected\]/.test(stderr)) {
    return new PushRejectedError(
      `Push of ${subject} to '${remote}' was rejected by the remote (a server-side hook ` +
        `declined it). git output: ${detail}`,
      'other',
      stderr
    )
  }
  if (networkFailure) {
    return new PushRejectedError(
      `Push of ${subject} to '${remote}' failed on the network after every retry. ` +
        `Run the job again later. git output: ${detail}`,
      'network',
      stderr
    )
  }
  return new PushRejectedError(
    `Push of ${subject} to '${remote}' failed. git output: ${detail}`,
    'other',
    stderr
  )
}

/** Returns the last `count` non-empty lines of a command's output, joined with ' | '. */
export function lastLines(text: string, count: number): string {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== '')
  return lines.slice(-count).join(' | ')
}
