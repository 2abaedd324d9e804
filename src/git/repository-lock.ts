import * as path from 'node:path'

/** Runs async work one piece at a time, in the order it was requested. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve()

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work)
    // The next piece waits for this one whether it succeeds or fails.
    this.tail = result.catch(() => undefined)
    return result
  }
}

interface Waiter {
  exclusive: boolean
  start: () => void
}

/**
 * A lock that many holders share, or one holder has alone. Requests are served in order,
 * so an exclusive request waits for the shared holders before it and holds back the
 * shared requests after it: neither kind waits forever.
 */
export class SharedExclusiveLock {
  private sharedHolders = 0
  private exclusiveHeld = false
  private readonly waiters: Waiter[] = []

  /** Runs `work` alongside other shared work, but never during exclusive work. */
  shared<T>(work: () => Promise<T>): Promise<T> {
    return this.hold(false, work)
  }

  /** Runs `work` while no other work of this lock runs. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.hold(true, work)
  }

  private async hold<T>(exclusive: boolean, work: () => Promise<T>): Promise<T> {
    await new Promise<void>((start) => {
      this.waiters.push({ exclusive, start })
      this.grant()
    })
    try {
      return await work()
    } finally {
      if (exclusive) this.exclusiveHeld = false
      else this.sharedHolders--
      this.grant()
    }
  }

  private grant(): void {
    while (this.waiters.length > 0 && !this.exclusiveHeld) {
      const next = this.waiters[0]!
      if (next.exclusive && this.sharedHolders > 0) return
      this.waiters.shift()
      if (next.exclusive) this.exclusiveHeld = true
      else this.sharedHolders++
      next.start()
    }
  }
}

/**
 * The locks that the git command managers of one repository share inside this process.
 * git locks each file it writes and fails at once when another process holds that lock,
 * and the command manager retries such failures (see `isLocalContention`). Two cases
 * need more than a retry, and these locks cover them:
 *
 * - `git worktree prune` deletes every registration it finds without a `gitdir` file or a
 *   `locked` file. `git worktree add` creates its registration folder first and writes
 *   `locked` a moment later, so a prune in between deletes the registration of a worktree
 *   being added, and nothing fails. Adds hold `worktrees` shared and prunes hold it alone,
 *   so adds still run in parallel.
 * - `.git/info/exclude` is read, checked and appended by this module, not by git, so two
 *   appends of the same line would both see it missing. `excludeFile` runs them in turn.
 */
export interface RepositoryLocks {
  worktrees: SharedExclusiveLock
  excludeFile: Mutex
}

const locksByRepository = new Map<string, RepositoryLocks>()

/** Returns the locks of the repository at `repoDir`, the same object for every caller. */
export function repositoryLocks(repoDir: string): RepositoryLocks {
  const key = path.resolve(repoDir)
  let locks = locksByRepository.get(key)
  if (locks === undefined) {
    locks = { worktrees: new SharedExclusiveLock(), excludeFile: new Mutex() }
    locksByRepository.set(key, locks)
  }
  return locks
}
// NOTE: these locks work inside one process only. Two `parallel-setup run` processes in
// one checkout at once are not guarded against the prune race above.
