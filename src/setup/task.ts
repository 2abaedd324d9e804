import path from 'node:path'
import type { Writable } from 'node:stream'
import type { GitCommandManager } from '../git/index.js'
import { IssueStore, type IssueSummary } from '../github/index.js'
import { runInstall, resolveInstallPlan, type InstallLogger } from '../install/index.js'
import { expandBranch, type Task } from '../manifest/index.js'
import {
  RESULT_FORMAT_VERSION,
  type PhaseName,
  type PhaseTiming,
  type RunIdentity,
  type TaskResult
} from '../results/record.js'
import { claimRef } from '../results/ref.js'
import { copyTaskFiles } from './copy.js'
import { ensureTaskIssue } from './issue.js'
import { creationTurnMs, delayUntil } from './pacing.js'

/** Everything one task's setup needs besides the task itself. */
export interface SetupContext {
  git: GitCommandManager
  /** Undefined when issues are off (create-issue: false, or no token in the CLI). */
  issues?: IssueStore
  workspace: string
  /** Absolute folder that holds one worktree per task. */
  worktreeRoot: string
  /** Overrides the manifest's base branch. */
  base?: string
  /** Overrides the manifest's install setting. */
  install?: string
  push: boolean
  dryRun: boolean
  trackingLabel: string
  run: RunIdentity
  /** The leg's matrix index, for pacing issue creation. */
  legIndex?: number
  createsPerMinute: number
  /**
   * The moment the legs count their turns from (see `choosePacingAnchor`), in ms since the
   * epoch; the task's own start when unset.
   */
  pacingAnchorMs?: number
  timeScale: number
  logger: InstallLogger & { warning(message: string): void }
  sleep?: (ms: number) => Promise<void>
  /** Variables added to the install's environment, such as the CLI's port range. */
  installEnv?: Record<string, string>
  /** Receives the install's output instead of the process's stdout. */
  installOutput?: Writable
  /** Called as each phase starts, for the CLI's progress lines. */
  onPhase?: (name: PhaseName) => void
}

const defaultSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Prepares one task: its issue, branch and worktree, copied files, push and install.
 * A failure in any phase ends the task as `failed` with the reason; what was already made
 * (the issue, the branch) is kept, so a re-run picks up from there.
 */
export async function setUpTask(task: Task, context: SetupContext): Promise<TaskResult> {
  const started = new Date()
  const phases: PhaseTiming[] = []
  const result: TaskResult = {
    format: RESULT_FORMAT_VERSION,
    task: task.id,
    title: task.title,
    status: 'failed',
    issueNumber: null,
    issueUrl: null,
    issueCreated: false,
    branch: null,
    branchCreated: false,
    worktree: null,
    packageManager: null,
    installCommand: null,
    installStatus: 'skipped',
    portRangeStart: null,
    phases,
    startedAt: started.toISOString(),
    finishedAt: started.toISOString(),
    durationMs: 0,
    run: context.run
  }
  const timed = async <T>(name: PhaseName, work: () => Promise<T>): Promise<T> => {
    context.onPhase?.(name)
    const phaseStart = Date.now()
    try {
      return await work()
    } finally {
      phases.push({
        name,
        startedAt: new Date(phaseStart).toISOString(),
        durationMs: Date.now() - phaseStart
      })
    }
  }
  const { logger } = context
  const sleep = context.sleep ?? defaultSleep

  try {
    let issue: IssueSummary | undefined
    if (context.issues) {
      const store = context.issues
      const outcome = await timed('issue', () =>
        ensureTaskIssue({
          store,
          key: { task: task.id, manifest: context.run.manifest },
          issue: task,
          trackingLabel: context.trackingLabel,
          claim:
            context.push && !context.dryRun
              ? {
                  git: context.git,
                  ref: claimRef(context.run.manifest, task.id),
                  runId: context.run.runId,
                  runAttempt: context.run.runAttempt
                }
              : undefined,
          waitForTurn: async () => {
            const delay = delayUntil(
              creationTurnMs({
                index: context.legIndex,
                createsPerMinute: context.createsPerMinute,
                timeScale: context.timeScale,
                anchorMs: context.pacingAnchorMs ?? started.getTime()
              })
            )
            if (delay > 0) {
              logger.info(
                `Waiting ${(delay / 1000).toFixed(1)} s before opening the issue, to stay under GitHub's limit of content-creating requests.`
              )
              await sleep(delay)
            }
          },
          sleep,
          timeScale: context.timeScale,
          log: (message) => logger.info(message)
        })
      )
      issue = outcome.issue
      result.issueNumber = issue.number
      result.issueUrl = issue.url
      result.issueCreated = outcome.created
      logger.info(
        `Task '${task.id}': issue #${issue.number} ${outcome.created ? 'opened' : 'found'} (${issue.url}).`
      )
    }

    const branch = expandBranch(task.branch, {
      id: task.id,
      title: task.title,
      issue: issue?.number
    })
    if (task.branch.includes('{issue}') && !issue) {
      throw new Error(
        `The branch template '${task.branch}' of task '${task.id}' uses {issue}, but issues are off. Remove {issue} or turn issues on.`
      )
    }
    result.branch = branch
    const worktree = await timed('worktree', () =>
      context.git.prepareTaskWorktree({
        branch,
        base: context.base ?? task.base,
        worktreePath: path.join(context.worktreeRoot, task.id)
      })
    )
    result.worktree = worktree.worktree
    result.branchCreated = worktree.created
    logger.info(
      `Task '${task.id}': branch '${branch}' ${worktree.created ? 'created from ' + worktree.baseBranch : 'reused'}, worktree ${worktree.worktree}.`
    )

    if (task.copy.length > 0) {
      await timed('copy', async () => {
        if (context.dryRun) {
          logger.info(`[dry run] would copy ${task.copy.join(', ')} into ${worktree.worktree}`)
          return
        }
        const report = copyTaskFiles(task.copy, context.workspace, worktree.worktree)
        for (const missing of report.missing) {
          logger.warning(
            `Task '${task.id}': the copy entry '${missing}' does not exist in the checkout, so it was not copied.`
          )
        }
      })
    }

    if (context.push) {
      await timed('push', () => context.git.pushBranch(branch))
    }

    const installDirectory = path.join(worktree.worktree, task.workingDirectory)
    const setting = context.install ?? task.install
    const install = await timed('install', async () => {
      const plan = await resolveInstallPlan(installDirectory, setting, { root: worktree.worktree })
      return runInstall(plan, {
        logger,
        dryRun: context.dryRun,
        env: context.installEnv,
        outputStream: context.installOutput
      })
    })
    result.packageManager = install.packageManager || null
    result.installCommand = install.command || null
    result.installStatus = install.status
    if (install.status === 'failed') {
      throw new Error(
        `Installing dependencies failed in ${installDirectory}: ${install.error ?? 'see the install log group'}`
      )
    }
    result.status = 'ready'
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error)
    logger.warning(`Task '${task.id}' failed: ${result.error}`)
  }

  const finished = new Date()
  result.finishedAt = finished.toISOString()
  result.durationMs = finished.getTime() - started.getTime()
  return result
}
