import fs from 'node:fs'
import path from 'node:path'
import { GitCommandManager, type GitLogger, silentGitLogger } from '../git/index.js'
import { createGitHubClient, IssueStore, readTimeScale } from '../github/index.js'
import type { Manifest, Task } from '../manifest/index.js'
import { parseOnly, selectTasks } from '../plan/index.js'
import { writeResultFile } from '../results/file.js'
import { mergeResults } from '../results/merge.js'
import type { RunIdentity, TaskResult } from '../results/record.js'
import { renderCollectSummary } from '../summary/collect.js'
import { updateEnvFile } from '../setup/env-file.js'
import { DEFAULT_CREATES_PER_MINUTE } from '../setup/pacing.js'
import { allocatePortRange, portEnvironment, type PortRange } from '../setup/ports.js'
import { setUpTask } from '../setup/task.js'
import { errorMessage, type CliIo } from './io.js'
import { PlainProgress, TtyProgress, type ProgressReporter } from './progress.js'
import { parseGitHubRemote, resolveGitHubTarget, type GitHubTarget } from './remote.js'
import {
  loadRepositoryManifest,
  openRepository,
  readTaskRecord,
  shownPath,
  writeTaskRecord,
  type LocalRepository
} from './repository.js'
import { renderRunReport, type TaskFiles } from './run-report.js'

/** The settings of `parallel-setup run`, read from its flags. */
export interface RunOptions {
  manifest?: string
  only?: string
  concurrency: number
  issues: boolean
  push: boolean
  dryRun: boolean
  json: boolean
  allowDirty: boolean
  base?: string
  install?: string
  worktreeRoot: string
  apiUrl?: string
  repo?: string
  trackingLabel: string
  portBase: number
  portsPerTask: number
}

/** The run id in every local result and claim. Local runs differ by their attempt. */
export const LOCAL_RUN_ID = 'local'

/**
 * Runs `parallel-setup run`: checks the checkout, then sets up every selected task at
 * once (at most `concurrency` at a time) with the setup action's own `setUpTask`, and
 * reports. Returns the exit code: 0 when every task is ready, 1 otherwise.
 */
export async function runCommand(options: RunOptions, io: CliIo): Promise<number> {
  const repository = await openRepository({
    cwd: io.cwd,
    env: io.env,
    worktreeRoot: options.worktreeRoot,
    dryRun: options.dryRun
  })
  const manifest = loadRepositoryManifest(repository, options.manifest, io.cwd)
  const tasks = selectTasks(manifest.tasks, parseOnly(options.only ?? ''))
  // A task keeps its ports whichever tasks run with it, because its index is its place
  // in the manifest, not in the --only selection.
  const ports = new Map<string, PortRange>(
    tasks.map((task) => [
      task.id,
      allocatePortRange(manifest.tasks.indexOf(task), options.portBase, options.portsPerTask)
    ])
  )
  const checks = await checkBeforeRun(repository, manifest, tasks, options, io)

  const progress: ProgressReporter =
    io.stderr.isTTY && !options.json && !options.dryRun
      ? new TtyProgress(
          io.stderr,
          tasks.map((task) => task.id),
          // A terminal that reports no size (0) gets the classic 80 x 24.
          () => ({ columns: io.stderr.columns || 80, rows: io.stderr.rows || 24 })
        )
      : new PlainProgress(
          io.stderr,
          tasks.map((task) => task.id)
        )

  let issues: IssueStore | undefined
  if (checks.target && checks.token && !options.dryRun) {
    const octokit = createGitHubClient(checks.token, {
      baseUrl: checks.target.apiUrl,
      logger: {
        info: () => undefined,
        debug: () => undefined,
        warning: (message) => progress.message(`warning: ${message}`)
      },
      timeScale: readTimeScale(io.env)
    })
    issues = new IssueStore(octokit, checks.target.repository)
  }

  const run: RunIdentity = {
    repository: checks.repositoryName,
    runId: LOCAL_RUN_ID,
    // Each local run counts as a later attempt of the one local run, so merging keeps the
    // newest result and the claim of a run that died is taken over at once.
    // NOTE: two CLI runs started within the same second for the same manifest get the same
    // attempt and would wait for each other's claims like two legs of one run.
    runAttempt: Math.floor(Date.now() / 1000),
    manifest: manifest.path
  }
  const shared: SharedRunState = {
    repository,
    options,
    io,
    progress,
    issues,
    run,
    defaultBase: checks.defaultBase,
    files: new Map<string, TaskFiles>(),
    envExcludeAdded: false
  }
  // One prune for the whole run: a prune waits for every worktree add and blocks the next ones,
  // so a prune per task would make the tasks take turns.
  const pruner = await GitCommandManager.create(repository.root, {
    env: io.env,
    logger: { ...silentGitLogger, warning: (message) => progress.message(`warning: ${message}`) },
    dryRun: options.dryRun
  })
  await pruner.tryPruneWorktrees()

  let results: TaskResult[]
  try {
    results = await runWithConcurrency(tasks.length, options.concurrency, (index) =>
      setUpLocalTask(tasks[index]!, index, ports.get(tasks[index]!.id)!, shared)
    )
  } finally {
    progress.stop()
  }

  const merged = mergeResults(
    tasks.map((task) => task.id),
    { results: results.map((result) => ({ source: result.task, result })), rejected: [] },
    { runId: LOCAL_RUN_ID, manifest: manifest.path }
  )
  let summaryFile: string | undefined
  if (!options.dryRun) {
    summaryFile = path.join(repository.resultsDir, 'summary.md')
    fs.writeFileSync(summaryFile, renderCollectSummary(merged, { title: 'parallel-setup run' }))
  }

  if (options.json) {
    io.stdout.write(
      `${JSON.stringify(
        {
          dryRun: options.dryRun,
          manifest: manifest.path,
          tasks: merged.tasks.map((task) => ({ ...task, ...shared.files.get(task.task) })),
          rejected: merged.rejected,
          resultsDir: options.dryRun ? null : repository.resultsDir,
          summaryFile: summaryFile ?? null
        },
        null,
        2
      )}\n`
    )
  } else {
    io.stdout.write(
      renderRunReport(merged, {
        files: shared.files,
        dryRun: options.dryRun,
        worktreeRoot: shownPath(repository, repository.worktreeRoot),
        resultsDir: shownPath(repository, repository.resultsDir),
        logsDir: shownPath(repository, repository.logsDir)
      })
    )
  }
  return merged.tasks.every((task) => task.status === 'ready') ? 0 : 1
}

/** State that every task of one run shares. */
interface SharedRunState {
  repository: LocalRepository
  options: RunOptions
  io: CliIo
  progress: ProgressReporter
  issues?: IssueStore
  run: RunIdentity
  defaultBase?: string
  /** Filled per task as it finishes, for the report. */
  files: Map<string, TaskFiles>
  /** Whether the one-time message about the .env exclude entry was printed. */
  envExcludeAdded: boolean
}

/**
 * Sets up one task with the setup action's setUpTask, then writes its ports to .env, its
 * local record and its result file. Its git messages and install output go to its log.
 */
async function setUpLocalTask(
  task: Task,
  index: number,
  range: PortRange,
  shared: SharedRunState
): Promise<TaskResult> {
  const { repository, options, io, progress } = shared
  const logFile = options.dryRun ? undefined : path.join(repository.logsDir, `${task.id}.log`)
  const log = openTaskLog(task.id, logFile, progress)
  progress.started(task.id)

  let result: TaskResult
  try {
    // The tasks run git in one repository at once. The manager retries a command that met
    // another one's lock file and keeps worktree adds and prunes apart (repository-lock.ts).
    const git = await GitCommandManager.create(repository.root, {
      env: io.env,
      logger: log.logger,
      dryRun: options.dryRun
    })
    result = await setUpTask(task, {
      git,
      issues: shared.issues,
      workspace: repository.root,
      worktreeRoot: repository.worktreeRoot,
      base: options.base ?? task.base ?? shared.defaultBase,
      install: options.install,
      pruneWorktrees: false,
      // Each CLI run is a later attempt of the one local run, and two can run at once.
      attemptsMayOverlap: true,
      push: options.push && !options.dryRun,
      dryRun: options.dryRun,
      trackingLabel: options.trackingLabel,
      run: shared.run,
      legIndex: index,
      createsPerMinute: DEFAULT_CREATES_PER_MINUTE,
      timeScale: readTimeScale(io.env),
      logger: log.logger,
      installEnv: { ...definedValues(io.env), ...portEnvironment(range) },
      installOutput: log.stream,
      onPhase: (phase) => progress.phase(task.id, phase)
    })
    result.portRangeStart = range.start

    if (!options.dryRun && result.worktree !== null && fs.existsSync(result.worktree)) {
      await finishWorktree(git, task, result, range, log.logger, shared)
    }
  } finally {
    await log.close()
  }

  const entry: TaskFiles = { ports: range }
  if (!options.dryRun) {
    entry.resultFile = shownPath(repository, writeResultFile(repository.resultsDir, result))
    entry.logFile = shownPath(repository, logFile!)
  }
  shared.files.set(task.id, entry)
  progress.finished(task.id, result)
  return result
}

/**
 * Writes the ports to the task's .env file and stores its local record. A failure here is
 * a warning, because the worktree itself is ready.
 */
async function finishWorktree(
  git: GitCommandManager,
  task: Task,
  result: TaskResult,
  range: PortRange,
  logger: GitLogger,
  shared: SharedRunState
): Promise<void> {
  try {
    const added = await writeTaskEnvFile(git, task, result.worktree!, range, logger)
    if (added && !shared.envExcludeAdded) {
      shared.envExcludeAdded = true
      shared.progress.message(
        'Added the .env files of the task worktrees to .git/info/exclude, so that git status ' +
          'does not list them. git reads that file for every worktree, the main checkout included.'
      )
    }
    await recordTask(shared.repository, git, result, range)
  } catch (error) {
    logger.warning(
      `Task '${task.id}': writing its .env file or local record failed: ${errorMessage(error)}`
    )
  }
}

interface RunChecks {
  /** The remote's default branch, when some task has no base of its own. */
  defaultBase?: string
  target?: GitHubTarget
  token?: string
  /** owner/name for the result records, '' when origin is not a GitHub URL. */
  repositoryName: string
}

/**
 * Finds what would make every task fail the same way, before any task starts: no origin,
 * uncommitted changes in the checkout, a base branch missing on origin, or issues without
 * a token.
 */
async function checkBeforeRun(
  repository: LocalRepository,
  manifest: Manifest,
  tasks: Task[],
  options: RunOptions,
  io: CliIo
): Promise<RunChecks> {
  const { git } = repository
  const originUrl = await git.remoteUrl('origin')
  if (originUrl === undefined) {
    throw new Error(
      "This repository has no remote named 'origin'. parallel-setup starts each task branch from " +
        'the base branch on origin and pushes it there. Add it with: git remote add origin URL'
    )
  }

  if (!options.dryRun) {
    // The worktrees are inside the checkout, so without this they would count as changes.
    const relative = path.relative(repository.root, repository.worktreeRoot)
    await git.excludeFromStatus(`/${relative.split(path.sep).join('/')}/`)
  }
  if (!options.allowDirty && (await git.hasUncommittedChanges(repository.root))) {
    throw new Error(
      `The checkout ${repository.root} has uncommitted changes or untracked files (see git status). ` +
        'The task worktrees start from the base branch on origin, so they would not contain them. ' +
        'Commit, stash or ignore them first, or ' +
        'pass --allow-dirty to set up the tasks anyway.'
    )
  }

  let target: GitHubTarget | undefined
  let token: string | undefined
  if (options.issues) {
    token = io.env.GH_TOKEN || io.env.GITHUB_TOKEN || undefined
    if (token === undefined) {
      throw new Error(
        'No GitHub token in GH_TOKEN or GITHUB_TOKEN, so the task issues cannot be opened. Set one ' +
          '(with the GitHub CLI: export GH_TOKEN=$(gh auth token)), or pass --no-issues to set up ' +
          'the tasks without issues.'
      )
    }
    target = resolveGitHubTarget({
      originUrl,
      apiUrlFlag: options.apiUrl,
      apiUrlEnv: io.env.GITHUB_API_URL,
      repoFlag: options.repo
    })
  }

  const baseOf = (task: Task): string | undefined => options.base ?? task.base
  const defaultBase = tasks.some((task) => baseOf(task) === undefined)
    ? await git.remoteDefaultBranch('origin')
    : undefined
  const users = new Map<string, string[]>()
  for (const task of tasks) {
    const base = baseOf(task) ?? defaultBase!
    users.set(base, [...(users.get(base) ?? []), task.id])
  }
  for (const [base, ids] of users) {
    if ((await git.remoteBranchSha('origin', base)) !== undefined) continue
    const source =
      options.base !== undefined
        ? '--base'
        : base === defaultBase
          ? "origin's default branch"
          : `the base of ${ids.map((id) => `'${id}'`).join(', ')} in ${manifest.path}`
    throw new Error(
      `Base branch '${base}' (${source}) does not exist on origin. Push it first ` +
        `(git push origin ${base}), or pass --base with a branch that exists there.`
    )
  }

  const remote = parseGitHubRemote(originUrl)
  const repositoryName = target
    ? `${target.repository.owner}/${target.repository.repo}`
    : remote
      ? `${remote.owner}/${remote.repo}`
      : ''
  return { defaultBase, target, token, repositoryName }
}

/** Runs `work(0)` to `work(count - 1)`, at most `limit` at a time, and keeps their order. */
export async function runWithConcurrency<T>(
  count: number,
  limit: number,
  work: (index: number) => Promise<T>
): Promise<T[]> {
  const results = new Array<T>(count)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++
      results[index] = await work(index)
    }
  }
  await Promise.all(Array.from({ length: Math.min(Math.max(limit, 1), count) }, worker))
  return results
}

interface TaskLog {
  logger: GitLogger
  /** The install's output, undefined in a dry run, where nothing is installed. */
  stream?: fs.WriteStream
  close(): Promise<void>
}

/**
 * Opens the task's log file, which gets git's messages and the install's output. Warnings
 * also go to the terminal. In a dry run there is no file, and the messages, which describe
 * what would happen, go to the terminal.
 */
function openTaskLog(task: string, file: string | undefined, progress: ProgressReporter): TaskLog {
  if (file === undefined) {
    return {
      logger: {
        info: (message) => progress.message(`${task}: ${message}`),
        warning: (message) => progress.message(`${task}: warning: ${message}`),
        debug: () => undefined,
        startGroup: () => undefined,
        endGroup: () => undefined
      },
      close: async () => undefined
    }
  }
  fs.mkdirSync(path.dirname(file), { recursive: true })
  const stream = fs.createWriteStream(file)
  return {
    logger: {
      info: (message) => stream.write(`${message}\n`),
      warning: (message) => {
        stream.write(`warning: ${message}\n`)
        progress.message(`${task}: warning: ${message}`)
      },
      debug: (message) => stream.write(`debug: ${message}\n`),
      startGroup: (name) => stream.write(`--- ${name}\n`),
      endGroup: () => stream.write('---\n')
    },
    stream,
    close: () => new Promise((resolve) => stream.end(resolve))
  }
}

/**
 * Writes the task's ports into the `.env` file of its working directory, keeping every
 * other line, and keeps that file out of `git status`. There is no per-worktree exclude
 * file: git (checked with 2.39) ignores .git/worktrees/<name>/info/exclude and reads only
 * the info/exclude that all worktrees share, so the entry applies to the main checkout too.
 * A `.env` that the branch tracks is left alone, because the change would show up as the
 * task's own. Returns true when the exclude entry was added.
 */
async function writeTaskEnvFile(
  git: GitCommandManager,
  task: Task,
  worktree: string,
  range: PortRange,
  logger: GitLogger
): Promise<boolean> {
  const relative = path.posix.join(task.workingDirectory.split(path.sep).join('/'), '.env')
  const head = await git.lastCommit(worktree)
  if (head !== undefined && (await isFileInCommit(git, head.sha, relative))) {
    logger.warning(
      `${relative} is tracked in the branch of task '${task.id}', so its port range ` +
        `${range.start}-${range.end} was not written there; the install got PORT, ` +
        'PORT_RANGE_START and PORT_RANGE_END in its environment.'
    )
    return false
  }
  const added = await git.excludeFromStatus(`/${relative}`)
  if (updateEnvFile(path.join(worktree, relative), portEnvironment(range))) {
    logger.info(`Wrote the port range ${range.start}-${range.end} to ${relative}.`)
  }
  return added
}

async function isFileInCommit(git: GitCommandManager, sha: string, file: string): Promise<boolean> {
  try {
    await git.readFileAtCommit(sha, file)
    return true
  } catch {
    return false
  }
}

/** Stores the task's record, keeping the start commit of the first run on the same branch. */
async function recordTask(
  repository: LocalRepository,
  git: GitCommandManager,
  result: TaskResult,
  ports: PortRange
): Promise<void> {
  if (result.branch === null || result.worktree === null) return
  const head = await git.lastCommit(result.worktree)
  if (head === undefined) return
  const earlier = readTaskRecord(repository, result.task)
  writeTaskRecord(repository, {
    task: result.task,
    branch: result.branch,
    worktree: result.worktree,
    startCommit: earlier?.branch === result.branch ? earlier.startCommit : head.sha,
    ports
  })
}

function definedValues(env: NodeJS.ProcessEnv): Record<string, string> {
  const values: Record<string, string> = {}
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined) values[key] = value
  }
  return values
}
