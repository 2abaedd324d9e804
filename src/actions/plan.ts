import * as core from '@actions/core'
import { createGitHubClient, parseMarker, readTimeScale } from '../github/index.js'
import { upsertMarkedComment } from '../github/comments.js'
import { DEFAULT_MANIFEST_PATH, ManifestError, type Manifest } from '../manifest/index.js'
import { MAX_MATRIX_JOBS, parseOnly, planTasks, type Plan } from '../plan/index.js'
import { renderPlanSummary } from '../summary/plan.js'
import { failStep } from './failure.js'
import { writeJobSummary } from './summary.js'
import { readChoice, readInteger, readString } from './inputs.js'
import { readRunContext, type RunContext } from './run-context.js'
import {
  TASK_SOURCES,
  issueManifestPath,
  loadIssueTasks,
  loadTaskSource,
  readRunEvent,
  requireEventIssue,
  resolveTaskSource,
  type RunEvent,
  type TaskSourceSetting
} from './task-source.js'

/** The label that starts a run from an issue, unless the trigger-label input names another. */
export const DEFAULT_TRIGGER_LABEL = 'parallel-setup'

/** Marks the plan's comment on a parent issue whose tasks could not be read. */
const PROBLEM_COMMENT_MARKER = '<!-- parallel-setup:plan-problem -->'

/** The plan action's settings, read from its inputs. */
export interface PlanSettings {
  /** Manifest path relative to the workspace. For issue tasks, only its defaults are used. */
  manifest: string
  /** Ids or globs to keep; empty keeps every task. */
  only: string[]
  /** The most matrix legs to emit, from 1 to 256. */
  maxJobs: number
  source: TaskSourceSetting
  /** Only issues that carry this label are read. */
  triggerLabel: string
  /** Token for the comment on a parent issue that lists no valid tasks, or empty. */
  token: string
  context: RunContext
}

export function readPlanSettings(): PlanSettings {
  const token = readString('token')
  if (token) core.setSecret(token)
  return {
    manifest: readString('manifest', DEFAULT_MANIFEST_PATH),
    only: parseOnly(core.getInput('only')),
    maxJobs: readInteger('max-jobs', MAX_MATRIX_JOBS, 1, MAX_MATRIX_JOBS),
    source: readChoice('source', TASK_SOURCES, 'auto'),
    triggerLabel: readString('trigger-label', DEFAULT_TRIGGER_LABEL),
    token,
    context: readRunContext()
  }
}

/** A plan, and why it is empty when nothing is planned without that being an error. */
export interface PlanOutcome {
  plan: Plan
  skipped?: string
}

/** An issue that lists no task at all. The message explains how to write tasks. */
export class NoTasksError extends Error {
  constructor(
    readonly issueNumber: number,
    triggerLabel: string
  ) {
    super(describeMissingTasks(issueNumber, triggerLabel))
    this.name = 'NoTasksError'
  }
}

/** Reads the tasks from the manifest file or the triggering issue, and builds the plan. */
export function createPlan(settings: PlanSettings, event: RunEvent): PlanOutcome {
  const options = { only: settings.only, maxJobs: settings.maxJobs }
  if (resolveTaskSource(settings.source, event) === 'file') {
    const source = loadTaskSource({ ...settings, source: 'file', event })
    return { plan: planTasks(source.manifest, options) }
  }

  const issue = requireEventIssue(event)
  // An empty plan ignores `only`, which would otherwise fail for matching no task.
  const skip = (reason: string): PlanOutcome => ({
    plan: planTasks(emptyManifest(issue.number), { maxJobs: settings.maxJobs }),
    skipped: reason
  })
  const label = settings.triggerLabel
  if (event.action === 'labeled' && !sameLabel(event.label ?? '', label)) {
    return skip(
      `The label '${event.label ?? ''}' was added to issue #${issue.number}, not the trigger label '${label}', so no task is planned.`
    )
  }
  if (!issue.labels.some((name) => sameLabel(name, label))) {
    return skip(
      `Issue #${issue.number} does not carry the trigger label '${label}', so its tasks are not read. Add the label to start a run.`
    )
  }
  // A task issue carries the trigger label too when the tracking label has the same name,
  // and with a token that starts workflows its labeled event would plan its body again.
  if (parseMarker(issue.body)) {
    return skip(
      `Issue #${issue.number} is a task issue that parallel-setup opened, so its body is not read as a list of tasks.`
    )
  }

  const manifest = loadIssueTasks(issue, settings.manifest, settings.context)
  if (manifest.tasks.length === 0) {
    if (manifest.taskFormat === 'task-list' && manifest.items.length > 0) {
      return skip(
        `Every task-list item of issue #${issue.number} is checked or already links an issue, so no task is planned.`
      )
    }
    throw new NoTasksError(issue.number, label)
  }
  return { plan: planTasks(manifest, options) }
}

export function setPlanOutputs(plan: Plan): void {
  core.setOutput('matrix', JSON.stringify(plan.matrix))
  core.setOutput('count', String(plan.tasks.length))
  core.setOutput('task-ids', JSON.stringify(plan.tasks.map((task) => task.id)))
  core.setOutput('has-tasks', plan.tasks.length > 0 ? 'true' : 'false')
  core.setOutput('waves', JSON.stringify(plan.waves))
  core.setOutput('planned-at', new Date().toISOString())
}

/** Entry point of the plan action: read settings, plan, report. */
export async function run(): Promise<void> {
  try {
    const settings = readPlanSettings()
    const event = settings.source === 'file' ? { name: '' } : readRunEvent(settings.context)
    let outcome: PlanOutcome
    try {
      outcome = createPlan(settings, event)
    } catch (error) {
      await reportOnIssue(settings, event, error)
      throw error
    }
    const { plan } = outcome
    setPlanOutputs(plan)
    if (outcome.skipped !== undefined) {
      core.notice(outcome.skipped)
    } else {
      core.info(
        `Planned ${plan.tasks.length} tasks from ${plan.manifest.path} in ${plan.matrix.include.length} matrix legs.`
      )
    }
    await writeJobSummary(renderPlanSummary(plan))
  } catch (error) {
    failStep(error)
  }
}

/**
 * Posts why nothing runs on the issue itself, where the person who labelled it looks first.
 * Only errors in the issue's own text are posted. A failed comment is logged as a warning, and
 * the step fails with the original error either way.
 */
async function reportOnIssue(
  settings: PlanSettings,
  event: RunEvent,
  error: unknown
): Promise<void> {
  const issueNumber = event.issue?.number
  if (issueNumber === undefined) return
  let text: string
  if (error instanceof NoTasksError) {
    text = error.message
  } else if (error instanceof ManifestError && error.file === issueManifestPath(issueNumber)) {
    text = [
      `The tasks of issue #${issueNumber} could not be read:`,
      '',
      `> ${error.message.replace(/\n/g, '\n> ')}`,
      '',
      `Fix the issue body, then remove the '${settings.triggerLabel}' label and add it again to start a new run.`
    ].join('\n')
  } else {
    return
  }
  const { context } = settings
  if (!settings.token || !context.apiUrl) {
    core.warning(
      `No token or GITHUB_API_URL, so the reason was not posted on issue #${issueNumber}.`
    )
    return
  }
  try {
    const octokit = createGitHubClient(settings.token, {
      baseUrl: context.apiUrl,
      logger: core,
      timeScale: readTimeScale()
    })
    const comment = await upsertMarkedComment(
      octokit,
      context.repository,
      issueNumber,
      PROBLEM_COMMENT_MARKER,
      text
    )
    core.info(`Posted the reason on issue #${issueNumber}: ${comment.url}`)
  } catch (commentError) {
    core.warning(
      `The reason could not be posted on issue #${issueNumber}: ${(commentError as Error).message}`
    )
  }
}

function describeMissingTasks(issueNumber: number, triggerLabel: string): string {
  return [
    `Issue #${issueNumber} lists no tasks, so there is nothing to set up.`,
    'Write each task as an unchecked task-list item on its own line. Indented lines under an item become its issue body:',
    '',
    '```markdown',
    '- [ ] Add the sessions table',
    '  Store a user id, a token hash and an expiry time.',
    '- [ ] Document the login flow',
    '```',
    '',
    'Or put a task manifest, written like .github/parallel-setup.yml, in a fenced `yaml` code block.',
    `Then remove the '${triggerLabel}' label and add it again to start a new run.`
  ].join('\n')
}

/** GitHub compares label names without regard to case. */
function sameLabel(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase()
}

function emptyManifest(issueNumber: number): Manifest {
  return { path: issueManifestPath(issueNumber), format: 'issue-body', tasks: [] }
}
