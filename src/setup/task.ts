import path from 'node:path'
import type { Writable } from 'node:stream'
import { PushRejectedError, type GitCommandManager, type TaskWorktree } from '../git/index.js'
import {
  IssueStore,
  missingPermissionError,
  PermissionDeniedError,
  type IssueSummary
} from '../github/index.js'
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
import { creationTurnMs, delayUntil, followingTurnMs } from './pacing.js'

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
  /** True when a later attempt of the run may start while this one runs (see ClaimSettings). */
  attemptsMayOverlap?: boolean
  /** False when the caller ran `git worktree prune` once for all its tasks. */
  pruneWorktrees?: boolean
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
  /**
   * Called as each phase starts, for the CLI's progress lines, and again with 'issue' when
   * the install ended while the issue phase, which runs alongside it, still goes on.
   */
  onPhase?: (name: PhaseName) => void
  /**
   * Called when the token lacks a permission. The task still ends as failed; the caller then
   * stops writing (no result push) and reports the error once.
   */
  onPermissionDenied?: (error: PermissionDeniedError) => void
}

/** Pushes the task branch, turning a denied push into the advice about `contents: write`. */
async function pushTaskBranch(git: GitCommandManager, branch: string): Promise<void> {
  try {
    await git.pushBranch(branch)
  } catch (error) {
    if (error instanceof PushRejectedError && error.reason === 'permission') {
      throw missingPermissionError(
        `push the branch '${branch}'`,
        'contents: write',
        'the remote denied the push'
      )
    }
    throw error
  }
}

const defaultSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms))

/** Creates a failed result with nothing made yet, which the setup fills in as it goes. */
export function blankResult(task: Task, run: RunIdentity, at: Date): TaskResult {
  return {
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
    phases: [],
    startedAt: at.toISOString(),
    finishedAt: at.toISOString(),
    durationMs: 0,
    run
  }
}

/**
 * Prepares one task: its issue, branch and worktree, copied files, push and install.
 * A failure in any phase ends the task as `failed` with the reason; what was already made
 * (the issue, the branch) is kept, so a re-run picks up from there.
 *
 * When the branch name does not contain the issue number, the issue phase runs alongside
 * worktree, copy and install, because waiting for GitHub (claims, paced writes) would
 * otherwise add to the local work. The push still waits for the issue, so a branch is
 * pushed only for a task whose issue exists. `result.phases` then overlap in time. They
 * are listed in the order they started, except that the phase that failed the task is last.
 */
export async function setUpTask(task: Task, context: SetupContext): Promise<TaskResult> {
  const started = new Date()
  const result = blankResult(task, context.run, started)
  const phases = result.phases
  let failedPhase: PhaseTiming | undefined
  const timed = async <T>(name: PhaseName, work: () => Promise<T>): Promise<T> => {
    context.onPhase?.(name)
    const phaseStart = Date.now()
    let failed = true
    try {
      const value = await work()
      failed = false
      return value
    } finally {
      const timing = {
        name,
        startedAt: new Date(phaseStart).toISOString(),
        durationMs: Date.now() - phaseStart
      }
      phases.push(timing)
      if (failed && failedPhase === undefined) failedPhase = timing
    }
  }
  const { logger } = context
  const sleep = context.sleep ?? defaultSleep

  try {
    const branchFor = (issue: number | undefined): string =>
      expandBranch(task.branch, { id: task.id, title: task.title, issue })
    if (task.branch.includes('{issue}') && !context.issues) {
      throw new Error(
        `The branch template '${task.branch}' of task '${task.id}' uses {issue}, but issues are off. Remove {issue} or turn issues on.`
      )
    }

    /** Finds or opens the issue, and warns when the claim records another branch for it. */
    const issuePhase = async (): Promise<IssueSummary | undefined> => {
      if (!context.issues) return undefined
      const store = context.issues
      const key = { task: task.id, manifest: context.run.manifest }
      // With push: false the claim is still taken when origin accepts it, so that racing runs
      // open one issue. Without a remote or the permission, the leg warns and goes on without it.
      const useClaim =
        !context.dryRun && (context.push || (await context.git.remoteUrl()) !== undefined)
      const outcome = await timed('issue', () =>
        ensureTaskIssue({
          store,
          key,
          issue: task,
          trackingLabel: context.trackingLabel,
          claim: useClaim
            ? {
                git: context.git,
                ref: claimRef(context.run.manifest, task.id),
                runId: context.run.runId,
                runAttempt: context.run.runAttempt,
                required: context.push,
                attemptsMayOverlap: context.attemptsMayOverlap
              }
            : undefined,
          branchFor,
          waitForTurn: async () => {
            const pacing = {
              index: context.legIndex,
              createsPerMinute: context.createsPerMinute,
              timeScale: context.timeScale,
              anchorMs: context.pacingAnchorMs ?? started.getTime()
            }
            const planned = creationTurnMs(pacing)
            let followed = followingTurnMs(pacing, store.createHistory(), planned)
            if (!followed.complete) {
              // The list before the turn may have missed creates of the minute before, which
              // came late, so the leg reads the newest issues once more at its planned turn.
              await sleep(delayUntil(planned))
              await store.refreshCreateHistory(key.manifest, context.trackingLabel)
              followed = followingTurnMs(pacing, store.createHistory(), planned)
            }
            const turn = followed.turnMs
            if (turn > planned) {
              logger.info(
                `Creates before this leg's minute came late, so it opens its issue ${((turn - planned) / 1000).toFixed(1)} s after its planned turn.`
              )
            }
            const delay = delayUntil(turn)
            if (delay > 0) {
              logger.info(
                `Waiting ${(delay / 1000).toFixed(1)} s before opening the issue, to stay under GitHub's limit of content-creating requests.`
              )
              await sleep(delay)
            }
          },
          sleep,
          timeScale: context.timeScale,
          log: (message) => logger.info(message),
          warn: (message) => logger.warning(message)
        })
      )
      const { issue, previousBranch } = outcome
      result.issueNumber = issue.number
      result.issueUrl = issue.url
      result.issueCreated = outcome.created
      logger.info(
        `Task '${task.id}': issue #${issue.number} ${outcome.created ? 'opened' : 'found'} (${issue.url}).`
      )
      const branch = branchFor(issue.number)
      if (previousBranch !== undefined) {
        logger.warning(
          `Task '${task.id}': issue #${issue.number} was set up on branch '${previousBranch}' by an earlier run, ` +
            `but the branch template '${task.branch}' now gives '${branch}' (the template or the title changed). ` +
            `This run uses '${branch}', which starts from the base unless it exists, and leaves '${previousBranch}' ` +
            `and its commits as they are. To go on with '${previousBranch}', restore the template or the title.`
        )
      }
      return issue
    }

    /** Creates or reuses the worktree and copies the task's files into it. */
    const worktreePhase = async (branch: string): Promise<TaskWorktree> => {
      const worktree = await timed('worktree', () =>
        context.git.prepareTaskWorktree({
          branch,
          base: context.base ?? task.base,
          worktreePath: path.join(context.worktreeRoot, task.id),
          prune: context.pruneWorktrees
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
      return worktree
    }

    const pushPhase = async (branch: string): Promise<void> => {
      if (context.push) await timed('push', () => pushTaskBranch(context.git, branch))
    }

    const installPhase = async (worktree: TaskWorktree): Promise<void> => {
      const installDirectory = path.join(worktree.worktree, task.workingDirectory)
      const setting = context.install ?? task.install
      // Detection may pick a subfolder with the lockfile, so errors name the plan's folder.
      let installFolder = installDirectory
      const install = await timed('install', async () => {
        const plan = await resolveInstallPlan(installDirectory, setting, {
          root: worktree.worktree
        })
        if (plan.status === 'ready') installFolder = plan.directory
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
          `Installing dependencies failed in ${installFolder}: ${install.error ?? 'see the install log group'}`
        )
      }
    }

    if (task.branch.includes('{issue}')) {
      // The branch name needs the issue number, so every phase waits for the one before.
      const issue = await issuePhase()
      const branch = branchFor(issue?.number)
      result.branch = branch
      const worktree = await worktreePhase(branch)
      await pushPhase(branch)
      await installPhase(worktree)
    } else {
      const branch = branchFor(undefined)
      result.branch = branch
      let issuePending = true
      const issueDone = issuePhase().finally(() => {
        issuePending = false
      })
      const worktreeDone = worktreePhase(branch)
      const pushDone = Promise.all([issueDone, worktreeDone]).then(() => pushPhase(branch))
      const installDone = worktreeDone.then(installPhase).then(() => {
        // The task now only waits for its issue, so the progress line shows that again.
        if (issuePending) context.onPhase?.('issue')
      })
      // Every phase is waited for, even after one failed, so no git command or install
      // still runs when the result is written. The reason is the one of the earliest phase.
      const settled = await Promise.allSettled([issueDone, worktreeDone, pushDone, installDone])
      const failure = settled.find((outcome) => outcome.status === 'rejected')
      if (failure) throw failure.reason
    }
    result.status = 'ready'
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error)
    if (error instanceof PermissionDeniedError && context.onPermissionDenied) {
      // The caller ends the leg with this message once; a warning would repeat it.
      context.onPermissionDenied(error)
    } else {
      // The setup action and the CLI both end with a report of every failed task, so a
      // warning here would print the same message twice.
      logger.debug(`Task '${task.id}' failed: ${result.error}`)
    }
  }

  phases.sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt))
  if (failedPhase !== undefined && result.status === 'failed') {
    // The summary's timeline marks the last phase of a failed task as the one that failed.
    phases.splice(phases.indexOf(failedPhase), 1)
    phases.push(failedPhase)
  }
  const finished = new Date()
  result.finishedAt = finished.toISOString()
  result.durationMs = finished.getTime() - started.getTime()
  return result
}
