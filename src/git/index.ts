export {
  type CommitIdentity,
  type CommitSummary,
  DEFAULT_RETRY_DELAYS_MS,
  GitCommandManager,
  type GitCommandManagerOptions,
  MINIMUM_GIT_VERSION
} from './command-manager.js'
export {
  GitCommandError,
  type PushFailureReason,
  PushRejectedError,
  isLocalContention,
  isNetworkFailure
} from './errors.js'
export { type GitLogger, silentGitLogger } from './logger.js'
export { type GitVersion, type WorktreeEntry } from './parse.js'
export { type PrepareWorktreeOptions, type TaskWorktree, prepareTaskWorktree } from './worktree.js'
export { resultRefspec } from './refspec.js'
export {
  Mutex,
  type RepositoryLocks,
  SharedExclusiveLock,
  repositoryLocks
} from './repository-lock.js'
