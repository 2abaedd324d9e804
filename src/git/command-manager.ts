import { getExecOutput } from '@actions/exec'
import * as fs from 'node:fs/promises'
import * as path from 'node:path'

import {
  GitCommandError,
  describePushFailure,
  isLocalContention,
  isNetworkFailure,
  isRefLockContention
} from './errors.js'
import { type GitLogger, silentGitLogger } from './logger.js'
import {
  type GitVersion,
  type WorktreeEntry,
  isVersionAtLeast,
  parseGitVersion,
  parseRefList,
  parseSymrefHead,
  parseWorktreeList
} from './parse.js'
import { type RepositoryLocks, repositoryLocks } from './repository-lock.js'
import { type PrepareWorktreeOptions, type TaskWorktree, prepareTaskWorktree } from './worktree.js'

/** git 2.25 is the oldest release whose worktree, ls-remote and push behavior this module uses. */
export const MINIMUM_GIT_VERSION: GitVersion = [2, 25, 0]

/** Delays before the 1st, 2nd and 3rd retry of a network command that failed on the connection. */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [2000, 5000, 10000]

/**
 * Retries of a command that failed because another git process of the same repository held
 * a lock file. The wait doubles from the first delay up to the longest, each one cut by a
 * random part so that processes that collided do not collide again: at most about 12 s in all.
 */
export const LOCK_RETRY_ATTEMPTS = 10
const LOCK_RETRY_FIRST_DELAY_MS = 50
const LOCK_RETRY_LONGEST_DELAY_MS = 2000

/** Author and committer of the commits that `createCommitWithFile` makes. */
export interface CommitIdentity {
  name: string
  email: string
}

const DEFAULT_IDENTITY: CommitIdentity = {
  name: 'github-actions[bot]',
  email: '41898282+github-actions[bot]@users.noreply.github.com'
}

export interface GitCommandManagerOptions {
  /** Log the commands that would change something and run only the read-only ones. */
  dryRun?: boolean
  logger?: GitLogger
  /** Variables added to the process environment for every git command. */
  env?: Record<string, string | undefined>
  /**
   * `key=value` settings passed as `-c key=value` before every command, for example an
   * `http.extraheader` with a token. They are never logged.
   */
  extraConfig?: readonly string[]
  /** The git executable, `git` from PATH unless set. */
  gitPath?: string
  /** Delays before each retry of a network command; its length is the number of retries. */
  retryDelaysMs?: readonly number[]
}

/** The last commit of a worktree. */
export interface CommitSummary {
  sha: string
  subject: string
}

interface ExecRequest {
  /** The command changes nothing, so it runs in dry-run mode too. */
  readOnly?: boolean
  /** The command talks to a remote, so a connection failure is retried. */
  network?: boolean
  /**
   * The command may run again after it failed on a lock file that another git process held
   * (see isLocalContention): either it changed nothing before it failed, or running it
   * again repeats the same changes. Not set for commands that leave something half done,
   * such as `worktree add`, whose folder and branch would be in the way of a retry.
   */
  retryOnLock?: boolean
  cwd?: string
  input?: string
  env?: Record<string, string>
}

interface ExecResult {
  exitCode: number
  stdout: string
  stderr: string
  /** True when dry-run mode skipped the command, whose output is then empty. */
  skipped: boolean
}

/**
 * Runs git in one repository with argument arrays, never through a shell. Every command goes
 * through one private `exec`, which applies dry-run mode, the extra `-c` settings and the
 * retries of network commands.
 */
/** Output of `git --version`, by git path and PATH. */
const versionOutputs = new Map<string, Promise<string>>()

export class GitCommandManager {
  readonly repoDir: string
  readonly dryRun: boolean
  readonly logger: GitLogger
  private readonly env: Record<string, string>
  private readonly extraConfig: readonly string[]
  private readonly gitPath: string
  private readonly retryDelaysMs: readonly number[]
  private readonly locks: RepositoryLocks
  private gitVersion: GitVersion = [0, 0, 0]
  private commonDir: Promise<string> | undefined

  private constructor(repoDir: string, options: GitCommandManagerOptions) {
    this.repoDir = path.resolve(repoDir)
    this.dryRun = options.dryRun ?? false
    this.logger = options.logger ?? silentGitLogger
    this.extraConfig = options.extraConfig ?? []
    this.gitPath = options.gitPath ?? 'git'
    this.retryDelaysMs = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS
    this.env = buildEnvironment(options.env)
    this.locks = repositoryLocks(this.repoDir)
  }

  /** Creates a manager for `repoDir` after checking that git is installed and recent enough. */
  static async create(
    repoDir: string,
    options: GitCommandManagerOptions = {}
  ): Promise<GitCommandManager> {
    const manager = new GitCommandManager(repoDir, options)
    try {
      await fs.access(manager.repoDir)
    } catch (error) {
      throw new Error(`Repository folder ${manager.repoDir} does not exist.`, { cause: error })
    }
    await manager.checkGitVersion()
    return manager
  }

  /**
   * Runs `git --version` once per process for each git path and PATH, because every task of
   * a CLI run creates its own manager. A failure is not kept, so the next manager tries again.
   */
  private versionOutput(): Promise<string> {
    const key = `${this.gitPath}\0${this.env.PATH ?? ''}`
    let output = versionOutputs.get(key)
    if (output === undefined) {
      output = this.run(['--version'], { readOnly: true }).then((result) => result.stdout)
      output.catch(() => versionOutputs.delete(key))
      versionOutputs.set(key, output)
    }
    return output
  }

  /** The version that `git --version` reported when the manager was created. */
  get version(): GitVersion {
    return this.gitVersion
  }

  private async checkGitVersion(): Promise<void> {
    let output: string
    try {
      output = await this.versionOutput()
    } catch (error) {
      if (error instanceof GitCommandError) throw error
      throw new Error(
        `git was not found (${this.gitPath}): ${errorMessage(error)}. Install git ` +
          `${MINIMUM_GIT_VERSION.join('.')} or later on the runner.`,
        { cause: error }
      )
    }
    const version = parseGitVersion(output)
    if (!version) {
      throw new Error(`Could not read the git version from '${output.trim()}'.`)
    }
    if (!isVersionAtLeast(version, MINIMUM_GIT_VERSION)) {
      throw new Error(
        `git ${version.join('.')} is too old: parallel-setup needs git ` +
          `${MINIMUM_GIT_VERSION.join('.')} or later. Install a newer git on the runner.`
      )
    }
    this.gitVersion = version
  }

  // ---- the one place that starts git ----

  private async exec(args: readonly string[], request: ExecRequest = {}): Promise<ExecResult> {
    const display = `git ${args.map((arg) => JSON.stringify(arg)).join(' ')}`
    if (this.dryRun) {
      if (!request.readOnly) {
        this.logger.info(`[dry run] would run: ${display}`)
        return { exitCode: 0, stdout: '', stderr: '', skipped: true }
      }
      this.logger.debug(`[dry run] running read-only: ${display}`)
    } else {
      this.logger.debug(`running: ${display}`)
    }

    const fullArgs = [...this.extraConfig.flatMap((setting) => ['-c', setting]), ...args]
    const retries = request.network ? this.retryDelaysMs.length : 0
    let lockRetries = 0
    for (let attempt = 0; ; attempt++) {
      const output = await getExecOutput(quoteCommandLine(this.gitPath), fullArgs, {
        cwd: request.cwd ?? this.repoDir,
        env: request.env ? { ...this.env, ...request.env } : this.env,
        input: request.input === undefined ? undefined : Buffer.from(request.input, 'utf8'),
        ignoreReturnCode: true,
        silent: true
      })
      const result = { ...output, skipped: false }
      if (
        result.exitCode !== 0 &&
        request.retryOnLock &&
        lockRetries < LOCK_RETRY_ATTEMPTS &&
        isLocalContention(result.stderr)
      ) {
        const delay = lockRetryDelayMs(lockRetries++)
        this.logger.info(
          `${display} found a lock file of another git process (attempt ${lockRetries} of ` +
            `${LOCK_RETRY_ATTEMPTS + 1}), retrying in ${delay} ms: ` +
            `${result.stderr.trim().split('\n').pop() ?? ''}`
        )
        await sleep(delay)
        // A lock wait is no network attempt, so it does not use up a network retry.
        attempt--
        continue
      }
      const retryable = isNetworkFailure(result.stderr) || isRefLockContention(result.stderr)
      if (result.exitCode === 0 || attempt >= retries || !retryable) {
        return result
      }
      const delay = this.retryDelaysMs[attempt]!
      const cause = isRefLockContention(result.stderr)
        ? 'because another push held the ref'
        : 'on the network'
      this.logger.warning(
        `${display} failed ${cause} (attempt ${attempt + 1} of ${retries + 1}), retrying ` +
          `in ${delay / 1000} s: ${result.stderr.trim().split('\n').pop() ?? ''}`
      )
      await sleep(delay)
    }
  }

  /** Runs git and throws a GitCommandError unless it exits with 0. */
  private async run(args: readonly string[], request: ExecRequest = {}): Promise<ExecResult> {
    const result = await this.exec(args, request)
    if (result.exitCode !== 0) {
      throw new GitCommandError(args, result.exitCode, result.stderr, result.stdout)
    }
    return result
  }

  // ---- queries ----

  /**
   * Checks a branch name with `git check-ref-format --branch`, so git's own rules decide. Names
   * with `@{` are rejected first because `--branch` would expand `@{-1}` to a previous branch.
   */
  async checkBranchName(name: string): Promise<boolean> {
    if (name === '' || name.startsWith('-') || name.includes('@{')) return false
    const result = await this.exec(['check-ref-format', '--branch', name], { readOnly: true })
    return result.exitCode === 0 && result.stdout.trim() === name
  }

  /** Returns the default branch that the remote's HEAD points to. */
  async remoteDefaultBranch(remote = 'origin'): Promise<string> {
    const result = await this.run(['ls-remote', '--symref', remote, 'HEAD'], {
      readOnly: true,
      network: true
    })
    const branch = parseSymrefHead(result.stdout)
    if (!branch) throw noDefaultBranchError(remote)
    return branch
  }

  /**
   * Reads the task branch and the base branch from the remote with one `git ls-remote`. When
   * `base` is undefined, the base is the remote's default branch, read from its HEAD. Each sha
   * is undefined when the remote lacks that branch.
   */
  async remoteTaskBranches(
    remote: string,
    branch: string,
    base: string | undefined
  ): Promise<{ baseBranch: string; branchSha?: string; baseSha?: string }> {
    const branchRef = `refs/heads/${branch}`
    const patterns = base === undefined ? ['HEAD', branchRef] : [branchRef, `refs/heads/${base}`]
    const result = await this.run(['ls-remote', '--symref', remote, ...patterns], {
      readOnly: true,
      network: true
    })
    // ls-remote matches patterns against the end of ref names, so keep only the exact refs.
    const refs = parseRefList(result.stdout)
    let baseBranch = base
    let baseSha = base === undefined ? undefined : refs.get(`refs/heads/${base}`)
    if (baseBranch === undefined) {
      baseBranch = parseSymrefHead(result.stdout)
      if (baseBranch === undefined) throw noDefaultBranchError(remote)
      // HEAD points at the default branch, so it has that branch's sha.
      baseSha = refs.get('HEAD')
    }
    return { baseBranch, branchSha: refs.get(branchRef), baseSha }
  }

  /** Returns the sha of `branch` on the remote, or undefined when the remote has no such branch. */
  async remoteBranchSha(remote: string, branch: string): Promise<string | undefined> {
    const ref = `refs/heads/${branch}`
    const result = await this.run(['ls-remote', '--heads', remote, ref], {
      readOnly: true,
      network: true
    })
    // ls-remote matches patterns against the end of ref names, so keep only the exact ref.
    return parseRefList(result.stdout).get(ref)
  }

  /**
   * Returns the URL configured for `remote` as written in the git config, before any
   * `url.<base>.insteadOf` rewrite, or undefined when the remote does not exist.
   */
  async remoteUrl(remote = 'origin'): Promise<string | undefined> {
    const result = await this.exec(['config', '--get', `remote.${remote}.url`], {
      readOnly: true
    })
    const url = result.stdout.trim()
    return result.exitCode === 0 && url !== '' ? url : undefined
  }

  /** Tells whether the manager's folder is inside a git work tree. */
  async isInsideWorkTree(): Promise<boolean> {
    const result = await this.exec(['rev-parse', '--is-inside-work-tree'], { readOnly: true })
    return result.exitCode === 0 && result.stdout.trim() === 'true'
  }

  /** Tells whether the repository is a shallow clone, as `actions/checkout` makes by default. */
  async isShallowRepository(): Promise<boolean> {
    const result = await this.run(['rev-parse', '--is-shallow-repository'], { readOnly: true })
    return result.stdout.trim() === 'true'
  }

  /** Returns the commit sha that `ref` names, or undefined when it names no commit. */
  async resolveCommit(ref: string, cwd?: string): Promise<string | undefined> {
    const result = await this.exec(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], {
      readOnly: true,
      cwd
    })
    return result.exitCode === 0 ? result.stdout.trim() : undefined
  }

  /** Tells whether the local branch `name` exists. */
  async branchExists(name: string): Promise<boolean> {
    return (await this.resolveCommit(`refs/heads/${name}`)) !== undefined
  }

  /** Tells whether commit `ancestor` is reachable from `descendant` (true when they are equal). */
  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    const result = await this.exec(['merge-base', '--is-ancestor', ancestor, descendant], {
      readOnly: true
    })
    if (result.exitCode === 0) return true
    if (result.exitCode === 1) return false
    throw new GitCommandError(
      ['merge-base', '--is-ancestor', ancestor, descendant],
      result.exitCode,
      result.stderr,
      result.stdout
    )
  }

  /**
   * Tells whether every commit of `branch` is in `into`. A branch merged by squash or rebase has
   * new commits in `into`, so it counts as not merged.
   */
  async isMerged(branch: string, into: string): Promise<boolean> {
    return this.isAncestor(`refs/heads/${branch}`, into)
  }

  /** Returns the absolute path of the git folder shared by all worktrees (`.git` of the main one). */
  async commonGitDir(): Promise<string> {
    // The folder never moves, so one manager runs this query once.
    this.commonDir ??= this.run(['rev-parse', '--git-common-dir'], { readOnly: true }).then(
      (result) => path.resolve(this.repoDir, result.stdout.trim()),
      (error: unknown) => {
        this.commonDir = undefined
        throw error
      }
    )
    return this.commonDir
  }

  /** Returns the full ref that HEAD of the worktree at `dir` points to, or undefined if detached. */
  async currentBranchRef(dir: string): Promise<string | undefined> {
    const result = await this.exec(['symbolic-ref', '--quiet', 'HEAD'], {
      readOnly: true,
      cwd: dir
    })
    return result.exitCode === 0 ? result.stdout.trim() : undefined
  }

  /**
   * Tells whether `dir` is the top folder of a working git worktree. A folder inside the main
   * checkout that lost its `.git` file would otherwise report the main checkout as its repository.
   */
  async isWorktreeRoot(dir: string): Promise<boolean> {
    try {
      await fs.access(path.join(dir, '.git'))
    } catch {
      return false
    }
    const result = await this.exec(['rev-parse', '--show-toplevel'], { readOnly: true, cwd: dir })
    if (result.exitCode !== 0) return false
    return (await realPath(result.stdout.trim())) === (await realPath(dir))
  }

  /** Tells whether the worktree at `dir` has staged, unstaged or untracked changes. */
  async hasUncommittedChanges(dir: string): Promise<boolean> {
    const result = await this.run(['status', '--porcelain', '--untracked-files=normal'], {
      readOnly: true,
      cwd: path.resolve(this.repoDir, dir)
    })
    return result.stdout.trim() !== ''
  }

  /** Returns the last commit of the worktree at `dir`, or undefined when it has no commit yet. */
  async lastCommit(dir: string): Promise<CommitSummary | undefined> {
    const result = await this.exec(['log', '-1', '--format=%H%x00%s'], {
      readOnly: true,
      cwd: path.resolve(this.repoDir, dir)
    })
    if (result.exitCode !== 0) return undefined
    const [sha, subject] = result.stdout.replace(/\n$/, '').split('\0')
    if (!sha) return undefined
    return { sha, subject: subject ?? '' }
  }

  // ---- worktrees ----

  /** Lists the worktrees that git has registered, the main checkout first. */
  async listWorktrees(): Promise<WorktreeEntry[]> {
    const result = await this.run(['worktree', 'list', '--porcelain'], {
      readOnly: true,
      retryOnLock: true
    })
    return parseWorktreeList(result.stdout)
  }

  /** Runs `git worktree prune`; returns false instead of throwing when git fails. */
  async tryPruneWorktrees(): Promise<boolean> {
    // Exclusive, because a prune deletes the registration of a worktree that an add is
    // creating at that moment (see repository-lock.ts).
    const result = await this.locks.worktrees.exclusive(() => this.exec(['worktree', 'prune']))
    if (result.exitCode !== 0) {
      this.logger.warning(`git worktree prune failed: ${result.stderr.trim()}`)
    }
    return result.exitCode === 0
  }

  /**
   * Adds a worktree at `worktreePath`. With `newBranch` it creates the branch at `startPoint`
   * without an upstream, so it does not track the base branch it started from.
   */
  async addWorktree(
    worktreePath: string,
    options: { branch: string; newBranch: boolean; startPoint?: string }
  ): Promise<void> {
    let newBranch = options.newBranch
    for (let retry = 0; ; retry++) {
      const args = ['worktree', 'add']
      if (newBranch) {
        args.push('--no-track', '-b', options.branch, worktreePath, options.startPoint ?? 'HEAD')
      } else {
        args.push(worktreePath, options.branch)
      }
      // Shared: adds run in parallel, but never during a prune (see repository-lock.ts).
      const result = await this.locks.worktrees.shared(() => this.exec(args))
      if (result.exitCode === 0) return
      // An add that read the half-written registration of another add stopped before it
      // made its folder, so it can run again. With -b, git made the branch before it read
      // the registrations, so the retry checks out that branch instead of making it again.
      const retryable =
        retry < LOCK_RETRY_ATTEMPTS &&
        isLocalContention(result.stderr) &&
        !(await hasEntries(path.resolve(this.repoDir, worktreePath)))
      if (!retryable) throw new GitCommandError(args, result.exitCode, result.stderr, result.stdout)
      if (newBranch && (await this.branchExists(options.branch))) newBranch = false
      const delay = lockRetryDelayMs(retry)
      this.logger.info(
        `git worktree add of ${worktreePath} met another worktree being added (attempt ` +
          `${retry + 1} of ${LOCK_RETRY_ATTEMPTS + 1}), retrying in ${delay} ms: ` +
          `${result.stderr.trim().split('\n').pop() ?? ''}`
      )
      await sleep(delay)
    }
  }

  /**
   * Removes a worktree. `force` discards its uncommitted changes, and `force: 'locked'` also
   * removes a locked one (git's doubled `--force`).
   */
  async removeWorktree(
    worktreePath: string,
    options: { force?: boolean | 'locked' } = {}
  ): Promise<void> {
    const args = ['worktree', 'remove']
    if (options.force) args.push('--force')
    if (options.force === 'locked') args.push('--force')
    args.push(path.resolve(this.repoDir, worktreePath))
    await this.run(args)
  }

  /** Deletes a local branch; without `force`, git refuses to delete an unmerged one. */
  async deleteLocalBranch(name: string, options: { force?: boolean } = {}): Promise<void> {
    await this.run(['branch', options.force ? '-D' : '-d', '--', name], { retryOnLock: true })
  }

  // ---- branches and remotes ----

  /**
   * Fetches `refspecs` from `remote` without tags. `depth` limits history in a shallow clone,
   * and `prune` deletes local refs that the remote no longer has under the refspecs' targets.
   */
  async fetch(
    remote: string,
    refspecs: readonly string[],
    options: { depth?: number; prune?: boolean } = {}
  ): Promise<void> {
    const args = ['fetch', '--no-tags', '--no-recurse-submodules']
    if (options.prune) args.push('--prune')
    if (options.depth !== undefined) args.push(`--depth=${options.depth}`)
    args.push(remote, ...refspecs)
    // A fetch forces the refs it updates, so repeating it after a lock failure is harmless.
    await this.run(args, { network: true, retryOnLock: true })
  }

  /**
   * Moves local branch `name` to `newSha` only if it still points to `expectedOldSha`, so a
   * concurrent change is never overwritten.
   */
  async updateBranch(name: string, newSha: string, expectedOldSha: string): Promise<void> {
    await this.run(['update-ref', `refs/heads/${name}`, newSha, expectedOldSha])
  }

  /** Makes `branch` track `<remote>/<branch>`, the way `push --set-upstream` would. */
  async setUpstream(branch: string, remote: string): Promise<void> {
    await this.run(['config', `branch.${branch}.remote`, remote], { retryOnLock: true })
    await this.run(['config', `branch.${branch}.merge`, `refs/heads/${branch}`], {
      retryOnLock: true
    })
  }

  /** Fast-forwards the branch checked out in the worktree at `dir` to `ref`, never merging. */
  async fastForward(dir: string, ref: string): Promise<void> {
    await this.run(['merge', '--ff-only', '--quiet', ref], { cwd: dir })
  }

  /**
   * Pushes `branch` to the same name on `remote` together with `extraRefspecs`, then sets
   * it as upstream. The task branch is never forced. An extra refspec may force its own ref
   * with a leading `+`, which is how result refs get replaced.
   */
  async pushBranch(
    branch: string,
    remote = 'origin',
    extraRefspecs: readonly string[] = []
  ): Promise<void> {
    if (branch.startsWith('+')) {
      throw new Error(`Branch name '${branch}' starts with '+', which would force the push.`)
    }
    // Not `push --set-upstream`: when its write of .git/config meets another process's lock,
    // git prints an error but exits with 0, so the upstream would be lost unnoticed.
    const args = ['push', remote, `refs/heads/${branch}:refs/heads/${branch}`, ...extraRefspecs]
    const result = await this.exec(args, { network: true, retryOnLock: true })
    if (result.exitCode !== 0) {
      throw describePushFailure(branch, remote, result.stderr, isNetworkFailure(result.stderr))
    }
    await this.setUpstream(branch, remote)
  }

  /**
   * Adds `pattern` (for example `/.worktrees/`) to `.git/info/exclude` unless a line already
   * equals it, so the worktrees do not show up in `git status` of the main checkout. Returns true
   * when it added the line.
   */
  async excludeFromStatus(pattern: string): Promise<boolean> {
    const excludeFile = path.join(await this.commonGitDir(), 'info', 'exclude')
    // One check and append at a time, or two tasks could both find the line missing.
    return this.locks.excludeFile.run(async () => {
      let current = ''
      try {
        current = await fs.readFile(excludeFile, 'utf8')
      } catch (error) {
        if (!isNotFound(error)) throw error
      }
      if (current.split(/\r?\n/).some((line) => line.trim() === pattern)) return false

      if (this.dryRun) {
        this.logger.info(`[dry run] would add '${pattern}' to ${excludeFile}`)
        return true
      }
      const separator = current === '' || current.endsWith('\n') ? '' : '\n'
      await fs.mkdir(path.dirname(excludeFile), { recursive: true })
      await fs.appendFile(excludeFile, `${separator}${pattern}\n`, 'utf8')
      return true
    })
  }

  /** Sets up the worktree and branch of one task; see `prepareTaskWorktree` in worktree.ts. */
  async prepareTaskWorktree(options: PrepareWorktreeOptions): Promise<TaskWorktree> {
    return prepareTaskWorktree(this, options)
  }

  // ---- result commits and refs ----

  /**
   * Stores `content` as file `fileName` in a new commit without parent and returns its sha. It
   * writes objects only, so no work tree or index changes. In dry-run mode nothing is written
   * and the sha is 40 zeros.
   */
  async createCommitWithFile(
    fileName: string,
    content: string,
    message: string,
    identity: CommitIdentity = DEFAULT_IDENTITY
  ): Promise<string> {
    if (fileName === '' || /[/\\\0\n\t]/.test(fileName) || fileName === '.' || fileName === '..') {
      throw new Error(
        `Invalid file name '${fileName}' for a result commit: use a plain name such as result.json.`
      )
    }
    if (this.dryRun) {
      this.logger.info(
        `[dry run] would store ${fileName} (${content.length} characters) in a commit`
      )
      return '0'.repeat(40)
    }
    const blob = (
      await this.run(['hash-object', '-w', '--stdin'], { input: content })
    ).stdout.trim()
    const tree = (
      await this.run(['mktree'], { input: `100644 blob ${blob}\t${fileName}\n` })
    ).stdout.trim()
    const commit = await this.run(['commit-tree', tree, '-m', message], {
      env: {
        GIT_AUTHOR_NAME: identity.name,
        GIT_AUTHOR_EMAIL: identity.email,
        GIT_COMMITTER_NAME: identity.name,
        GIT_COMMITTER_EMAIL: identity.email
      }
    })
    return commit.stdout.trim()
  }

  /**
   * Fetches the refs that match `pattern` (an exact ref, or a prefix ending in `/*`) into the
   * same names locally, deleting local ones the remote no longer has, and returns them with
   * their shas. In dry-run mode it only lists them with ls-remote, so their commits are not read.
   */
  async fetchRefs(remote: string, pattern: string): Promise<Map<string, string>> {
    if (!/^refs\/[^*]+(\/\*)?$/.test(pattern)) {
      throw new Error(
        `Invalid ref pattern '${pattern}': use a ref under refs/, optionally ending in '/*'.`
      )
    }
    const prefix = pattern.endsWith('/*') ? pattern.slice(0, -1) : undefined
    const matches = (ref: string): boolean => (prefix ? ref.startsWith(prefix) : ref === pattern)

    if (this.dryRun) {
      const listed = await this.run(['ls-remote', remote, pattern], {
        readOnly: true,
        network: true
      })
      return new Map([...parseRefList(listed.stdout)].filter(([ref]) => matches(ref)))
    }

    try {
      await this.fetch(remote, [`+${pattern}:${pattern}`], { prune: true })
    } catch (error) {
      // A missing exact ref fails the fetch, while a pattern simply matches nothing. Both mean
      // the remote has no such ref, so a local copy left by an earlier fetch goes too.
      if (
        prefix ||
        !(error instanceof GitCommandError) ||
        !/couldn't find remote ref/i.test(error.stderr)
      ) {
        throw error
      }
      await this.run(['update-ref', '-d', pattern], { retryOnLock: true })
      return new Map()
    }
    const listed = await this.run(
      ['for-each-ref', '--format=%(objectname) %(refname)', prefix ?? pattern],
      { readOnly: true }
    )
    return new Map([...parseRefList(listed.stdout)].filter(([ref]) => matches(ref)))
  }

  /**
   * Pushes refspecs that are not branches, such as claim and result refs, in one push.
   * Returns false when the remote rejected an update because the ref changed meanwhile
   * (it already exists, or a lease no longer holds): the caller lost a race. Any other
   * failure, such as a missing permission, throws with the reason.
   */
  async tryPushRefspecs(
    remote: string,
    refspecs: readonly string[],
    options: { forceWithLease?: { ref: string; expectedSha: string } } = {}
  ): Promise<boolean> {
    const args = ['push', '--porcelain', '--no-verify']
    if (options.forceWithLease) {
      const { ref, expectedSha } = options.forceWithLease
      args.push(`--force-with-lease=${ref}:${expectedSha}`)
    }
    args.push(remote, ...refspecs)
    const result = await this.exec(args, { network: true })
    if (result.exitCode === 0) return true
    if (
      /\[rejected\]|stale info|already exists|fetch first|non-fast-forward/.test(
        `${result.stdout}\n${result.stderr}`
      )
    ) {
      return false
    }
    const target = refspecs.map((refspec) => refspec.replace(/^\+?[^:]*:/, '')).join(', ')
    throw describePushFailure(target, remote, result.stderr, isNetworkFailure(result.stderr), 'ref')
  }

  /** Returns the text of `fileName` in commit `sha`. */
  async readFileAtCommit(sha: string, fileName: string): Promise<string> {
    const result = await this.exec(['cat-file', 'blob', `${sha}:${fileName}`], { readOnly: true })
    if (result.exitCode !== 0) {
      throw new Error(`File '${fileName}' not found in commit ${sha}: ${result.stderr.trim()}`)
    }
    return result.stdout
  }
}

/**
 * Builds the environment for git: the process environment, then the caller's variables. English
 * messages (LC_ALL=C) let the rejection checks read stderr, and GIT_TERMINAL_PROMPT=0 makes a
 * missing credential fail at once instead of waiting for a password on a runner.
 */
function buildEnvironment(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {}
  const merged = { ...process.env, LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0', ...extra }
  for (const [key, value] of Object.entries(merged)) {
    if (value !== undefined) env[key] = value
  }
  return env
}

/**
 * Quotes the executable for the command-line parameter of `@actions/exec`, which splits that
 * parameter at spaces outside double quotes (as in `C:\Program Files\Git\cmd\git.exe`).
 */
function quoteCommandLine(executable: string): string {
  return `"${executable.replace(/"/g, '\\"')}"`
}

async function realPath(p: string): Promise<string> {
  try {
    return await fs.realpath(p)
  } catch {
    return path.resolve(p)
  }
}

/** Tells whether folder `dir` exists and contains anything. */
async function hasEntries(dir: string): Promise<boolean> {
  try {
    return (await fs.readdir(dir)).length > 0
  } catch {
    return false
  }
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT'
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function noDefaultBranchError(remote: string): Error {
  return new Error(
    `Could not find the default branch of remote '${remote}': it does not report a HEAD ` +
      `(is the repository empty?). Set the \`base\` input or the manifest's \`base\`.`
  )
}

/** Returns the wait before lock retry `index` (from 0): doubling, capped, cut by up to half at random. */
function lockRetryDelayMs(index: number): number {
  const ceiling = Math.min(LOCK_RETRY_FIRST_DELAY_MS * 2 ** index, LOCK_RETRY_LONGEST_DELAY_MS)
  return Math.round(ceiling * (0.5 + Math.random() / 2))
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
