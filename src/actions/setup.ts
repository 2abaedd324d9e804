import path from 'node:path'
import * as core from '@actions/core'
import { GitCommandManager } from '../git/index.js'
import {
  createGitHubClient,
  IssueStore,
  readTimeScale,
  type GitHubLogger,
  type PermissionDeniedError
} from '../github/index.js'
import type { InstallLogger } from '../install/index.js'
import { DEFAULT_MANIFEST_PATH, findEscapingPath, type Task } from '../manifest/index.js'
import { summarizeIds } from '../plan/index.js'
import { writeResultFile } from '../results/file.js'
import type { RunIdentity, TaskResult } from '../results/record.js'
import { publishResults } from '../results/transport.js'
import { renderSetupSummary } from '../summary/setup.js'
import {
  choosePacingAnchor,
  DEFAULT_CREATES_PER_MINUTE,
  delayUntil,
  startTurnMs
} from '../setup/pacing.js'
import { blankResult, setUpTask } from '../setup/task.js'
import { failStep } from './failure.js'
import { readBoolean, readChoice, readInteger, readString } from './inputs.js'
import { readRunContext, type RunContext } from './run-context.js'
import { TASK_SOURCES, loadTaskSource, type TaskSourceSetting } from './task-source.js'
import { writeJobSummary } from './summary.js'

/** The setup action's settings, read from its inputs and the runner's environment. */
export interface SetupSettings {
  taskIds: string[]
  manifest: string
  /** Source of the tasks: the manifest file, or the issue in the event payload. */
  source: TaskSourceSetting
  token: string
  createIssue: boolean
  /** Absolute; always inside the workspace. */
  worktreeRoot: string
  base?: string
  push: boolean
  install?: string
  dryRun: boolean
  trackingLabel: string
  legIndex?: number
  createsPerMinute: number
  /** The plan action's `planned-at` output, an ISO 8601 time that every leg paces from. */
  plannedAt?: string
  context: RunContext
}

export function readSetupSettings(): SetupSettings {
  const context = readRunContext()
  const taskInput = core.getInput('task', { required: true })
  const taskIds = taskInput
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean)
  if (taskIds.length === 0) {
    throw new Error(
      "Invalid input 'task': it is empty. Pass ${{ matrix.task }} from the plan action's matrix."
    )
  }
  const worktreeInput = readString('worktree-root', '.worktrees')
  const escape = findEscapingPath(worktreeInput)
  if (escape) {
    throw new Error(
      `Invalid input 'worktree-root': '${worktreeInput}' ${escape}. Use a folder inside the workspace, such as .worktrees.`
    )
  }
  const token = readString('token')
  if (token) core.setSecret(token)
  const index = core.getInput('index').trim()
  const plannedAt = readString('planned-at') || undefined
  if (plannedAt !== undefined && !Number.isFinite(Date.parse(plannedAt))) {
    throw new Error(
      `Invalid input 'planned-at': '${plannedAt}' is not a time such as 2026-01-31T12:00:00.000Z. ` +
        'Pass ${{ needs.plan.outputs.planned-at }}, or leave it out to pace from the leg start.'
    )
  }
  return {
    taskIds,
    manifest: readString('manifest', DEFAULT_MANIFEST_PATH),
    source: readChoice('source', TASK_SOURCES, 'auto'),
    token,
    createIssue: readBoolean('create-issue', true),
    worktreeRoot: path.resolve(context.workspace, worktreeInput),
    base: readString('base') || undefined,
    push: readBoolean('push', true),
    install: readString('install') || undefined,
    dryRun: readBoolean('dry-run', false),
    trackingLabel: readString('tracking-label', 'parallel-setup'),
    legIndex: index === '' ? undefined : readInteger('index', 0, 0, 10_000),
    createsPerMinute: readInteger('creates-per-minute', DEFAULT_CREATES_PER_MINUTE, 0, 80),
    plannedAt,
    context
  }
}

/** The outcome of one leg: a result per task, and the missing permission that stopped it, if any. */
export interface LegOutcome {
  results: TaskResult[]
  /** Set when the token lacks a permission; the leg then writes nothing more. */
  permissionDenied?: PermissionDeniedError
}

/** The log calls a leg makes; the action passes `@actions/core`. */
export type LegLogger = InstallLogger & GitHubLogger

/**
 * Sets up every task of this leg, one after another, and reports each result. `logger`
 * defaults to `@actions/core`; tests that run many legs in one process give each its own.
 */
export async function setUpLeg(
  settings: SetupSettings,
  logger: LegLogger = core
): Promise<LegOutcome> {
  const { context } = settings
  const timeScale = readTimeScale()
  const pacing = {
    index: settings.legIndex,
    createsPerMinute: settings.createsPerMinute,
    timeScale,
    anchorMs: choosePacingAnchor(settings.plannedAt, Date.now())
  }
  const { manifest } = loadTaskSource({
    source: settings.source,
    manifest: settings.manifest,
    context
  })
  const tasks = settings.taskIds.map((id) => findTask(manifest.tasks, id, manifest.path))

  const git = await GitCommandManager.create(context.workspace, {
    dryRun: settings.dryRun,
    logger
  })
  if (!settings.dryRun) {
    await git.excludeFromStatus(
      `/${path.relative(context.workspace, settings.worktreeRoot).split(path.sep).join('/')}/`
    )
  }
  let issues: IssueStore | undefined
  if (settings.createIssue) {
    if (!settings.token) {
      throw new Error(
        "Input 'token' is empty, so no issue can be opened. Pass token: ${{ github.token }}, or set create-issue: false."
      )
    }
    if (!context.apiUrl) {
      throw new Error(
        'GITHUB_API_URL is not set, so the GitHub API cannot be reached. Run the action on a GitHub Actions runner, or set create-issue: false.'
      )
    }
    const octokit = createGitHubClient(settings.token, {
      baseUrl: context.apiUrl,
      logger,
      timeScale,
      throttleId: `setup-leg-${settings.legIndex ?? settings.taskIds.join(',')}`
    })
    issues = new IssueStore(octokit, context.repository)
    if (settings.dryRun) issues = undefined
  }

  const runIdentity: RunIdentity = {
    repository: `${context.repository.owner}/${context.repository.repo}`,
    runId: context.runId,
    runAttempt: context.runAttempt,
    manifest: manifest.path
  }
  const startDelay = settings.createIssue && !settings.dryRun ? delayUntil(startTurnMs(pacing)) : 0
  if (startDelay > 0) {
    logger.info(
      `Waiting ${(startDelay / 1000).toFixed(1)} s for this leg's turn, so that the legs' requests stay under GitHub's secondary rate limits.`
    )
    await new Promise((resolve) => setTimeout(resolve, startDelay))
  }

  const results: TaskResult[] = []
  let permissionDenied: PermissionDeniedError | undefined
  for (const task of tasks) {
    if (permissionDenied) {
      // The same token would be denied again, so the other tasks are reported, not tried.
      results.push(notTriedResult(task, permissionDenied, runIdentity))
      continue
    }
    logger.startGroup(`Setting up task '${task.id}'`)
    try {
      results.push(
        await setUpTask(task, {
          git,
          issues,
          workspace: context.workspace,
          worktreeRoot: settings.worktreeRoot,
          base: settings.base,
          install: settings.install,
          push: settings.push && !settings.dryRun,
          dryRun: settings.dryRun,
          trackingLabel: settings.trackingLabel,
          run: runIdentity,
          legIndex: settings.legIndex,
          createsPerMinute: settings.createsPerMinute,
          pacingAnchorMs: pacing.anchorMs,
          timeScale,
          logger,
          onPermissionDenied: (error) => {
            permissionDenied = error
          }
        })
      )
    } finally {
      logger.endGroup()
    }
  }
  return { results, permissionDenied }
}

function notTriedResult(task: Task, denied: PermissionDeniedError, run: RunIdentity): TaskResult {
  return {
    ...blankResult(task, run, new Date()),
    error: `Not tried, because the token lacks '${denied.permission}' (see the step's error).`
  }
}

function findTask(tasks: Task[], id: string, manifestPath: string): Task {
  const task = tasks.find((candidate) => candidate.id === id)
  if (!task) {
    throw new Error(
      `Task '${id}' is not in ${manifestPath}. Known ids: ${summarizeIds(tasks.map((candidate) => candidate.id))}. ` +
        'Pass ${{ matrix.task }} from the plan action that read the same manifest.'
    )
  }
  return task
}

export function setSetupOutputs(results: TaskResult[], resultFiles: string[]): void {
  const single = results.length === 1
  const output = (name: string, values: unknown[]): void => {
    core.setOutput(name, single ? String(values[0] ?? '') : JSON.stringify(values))
  }
  output(
    'issue-number',
    results.map((r) => r.issueNumber ?? '')
  )
  output(
    'issue-url',
    results.map((r) => r.issueUrl ?? '')
  )
  output(
    'issue-created',
    results.map((r) => String(r.issueCreated))
  )
  output(
    'branch',
    results.map((r) => r.branch ?? '')
  )
  output(
    'branch-created',
    results.map((r) => String(r.branchCreated))
  )
  output(
    'worktree',
    results.map((r) => r.worktree ?? '')
  )
  output(
    'package-manager',
    results.map((r) => r.packageManager ?? '')
  )
  output(
    'install-command',
    results.map((r) => r.installCommand ?? '')
  )
  output(
    'install-status',
    results.map((r) => r.installStatus)
  )
  output(
    'status',
    results.map((r) => r.status)
  )
  core.setOutput('result', JSON.stringify(single ? results[0] : results))
  output('result-file', resultFiles)
}

/** Entry point of the setup action: read settings, set up the leg's tasks, report. */
export async function run(): Promise<void> {
  try {
    const settings = readSetupSettings()
    const { results, permissionDenied } = await setUpLeg(settings)
    const directory = path.join(settings.context.runnerTemp, 'parallel-setup', 'results')
    const files = results.map((result) => writeResultFile(directory, result))
    setSetupOutputs(results, files)
    // After a denied write, pushing the results would only fail with a second error.
    if (settings.push && !settings.dryRun && !permissionDenied) {
      const git = await GitCommandManager.create(settings.context.workspace, { logger: core })
      await publishResults(git, results)
    }
    await writeJobSummary(renderSetupSummary(results))
    if (permissionDenied) throw permissionDenied
    const failed = results.filter((result) => result.status === 'failed')
    if (failed.length > 0) {
      throw new Error(
        failed.map((result) => `Task '${result.task}' failed: ${result.error}`).join('\n')
      )
    }
  } catch (error) {
    failStep(error)
  }
}
