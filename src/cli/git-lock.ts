import type { GitCommandManager } from '../git/index.js'

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

/**
 * Methods of GitCommandManager that write files of the shared `.git` folder. Tasks in one
 * checkout share that folder, and git (checked with 2.39) fails at once instead of waiting
 * when another process holds the lock of such a file. Two concurrent `git config` writes,
 * which `push --set-upstream` and setting an upstream make, fail with "could not lock
 * config file", and two fetches into a shallow clone fail on `shallow.lock`. So these
 * methods run one at a time, while reads, issue requests and installs run in parallel.
 */
export const SERIALIZED_GIT_METHODS: ReadonlySet<string> = new Set([
  'prepareTaskWorktree',
  'pushBranch',
  'fetch',
  'fetchRefs',
  'tryPushRefspecs',
  'excludeFromStatus',
  'removeWorktree',
  'deleteLocalBranch',
  'tryPruneWorktrees'
])
// NOTE: a task's worktree phase and push hold the lock through their ls-remote, fetch and
// push, so with a slow remote the network time of those phases adds up across tasks.

/**
 * Wraps a manager so that its SERIALIZED_GIT_METHODS take `mutex` first. Several managers of
 * the same repository share one mutex. The wrapped method runs on the manager itself, so
 * the git commands it makes inside do not queue behind it again.
 */
export function serializeRepositoryWrites(git: GitCommandManager, mutex: Mutex): GitCommandManager {
  return new Proxy(git, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver)
      if (typeof value !== 'function') return value
      const method = value as (...args: unknown[]) => unknown
      if (typeof property === 'string' && SERIALIZED_GIT_METHODS.has(property)) {
        return (...args: unknown[]) => mutex.run(async () => method.apply(target, args))
      }
      return method.bind(target)
    }
  })
}
