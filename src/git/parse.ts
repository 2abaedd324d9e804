/** One entry of `git worktree list --porcelain`. */
export interface WorktreeEntry {
  /** Absolute path of the worktree folder, as git recorded it. */
  path: string
  /** Commit checked out, absent for a bare repository. */
  head?: string
  /** Short branch name, absent when HEAD is detached or the entry is the bare repository. */
  branch?: string
  bare: boolean
  detached: boolean
  /** The lock reason, or '' for a lock without one; absent when the worktree is not locked. */
  locked?: string
  /** Reason `git worktree prune` would remove the entry (git 2.31 and later report it). */
  prunable?: string
}

/**
 * Parses `git worktree list --porcelain`: blocks separated by blank lines, one `key value`
 * attribute per line, with `bare`, `detached`, `locked` and `prunable` possibly bare words.
 */
export function parseWorktreeList(output: string): WorktreeEntry[] {
  const entries: WorktreeEntry[] = []
  let current: WorktreeEntry | undefined

  for (const line of output.split('\n')) {
    if (line === '') {
      current = undefined
      continue
    }
    const space = line.indexOf(' ')
    const key = space === -1 ? line : line.slice(0, space)
    const value = space === -1 ? '' : line.slice(space + 1)

    if (key === 'worktree') {
      current = { path: value, bare: false, detached: false }
      entries.push(current)
      continue
    }
    if (!current) continue
    switch (key) {
      case 'HEAD':
        current.head = value
        break
      case 'branch':
        current.branch = value.replace(/^refs\/heads\//, '')
        break
      case 'bare':
        current.bare = true
        break
      case 'detached':
        current.detached = true
        break
      case 'locked':
        current.locked = value
        break
      case 'prunable':
        current.prunable = value
        break
    }
  }
  return entries
}

/** A git version as three numbers. */
export type GitVersion = readonly [major: number, minor: number, patch: number]

/**
 * Reads the version from `git --version`, which prints forms such as `git version 2.39.5`,
 * `git version 2.45.1.windows.1` and `git version 2.39.3 (Apple Git-146)`.
 */
export function parseGitVersion(output: string): GitVersion | undefined {
  const match = /git version (\d+)\.(\d+)(?:\.(\d+))?/.exec(output)
  if (!match) return undefined
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? '0')]
}

/** Tells whether version `a` is at least version `b`. */
export function isVersionAtLeast(a: GitVersion, b: GitVersion): boolean {
  for (let i = 0; i < 3; i++) {
    if (a[i]! !== b[i]!) return a[i]! > b[i]!
  }
  return true
}

/**
 * Reads `git ls-remote --symref <remote> HEAD`, whose first line is
 * `ref: refs/heads/<default>\tHEAD` when the remote reports its default branch.
 */
export function parseSymrefHead(output: string): string | undefined {
  const match = /^ref: refs\/heads\/(\S+)\tHEAD$/m.exec(output)
  return match?.[1]
}

/** Parses `<sha>\t<ref>` lines, as `git ls-remote` prints them, into a map from ref to sha. */
export function parseRefList(output: string): Map<string, string> {
  const refs = new Map<string, string>()
  for (const line of output.split('\n')) {
    const match = /^([0-9a-f]{40,64})\s+(\S+)$/.exec(line.trim())
    if (match) refs.set(match[2]!, match[1]!)
  }
  return refs
}
