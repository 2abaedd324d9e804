import fs from 'node:fs'
import path from 'node:path'
import * as core from '@actions/core'
import { GitCommandManager } from '../git/index.js'
import { createGitHubClient, readTimeScale, type Octokit } from '../github/index.js'
import { upsertMarkedComment } from '../github/comments.js'
import { updateIssueBody } from '../github/parent.js'
import { IssueRelations, type BlockedBy, type LinkReport } from '../github/relations.js'
import { DEFAULT_MANIFEST_PATH } from '../manifest/index.js'
import { linkTaskListItems } from '../manifest/issue-body.js'
import { summarizeIds } from '../plan/index.js'
import { mergeResults, type MergedResults } from '../results/merge.js'
import { MAX_JOB_OUTPUTS_SIZE, outputRecordSize, renderResultsOutput } from '../results/output.js'
import { addParsed, fetchResults, type FetchedResults } from '../results/transport.js'
import { renderCollectSummary, computeTotals } from '../summary/collect.js'
import { STEP_SUMMARY_LIMIT, characterLimit } from '../summary/limits.js'
import { MAX_BODY_LENGTH } from '../github/body.js'
import { failStep } from './failure.js'
import { readBoolean, readChoice, readInteger, readString } from './inputs.js'
import { readRunContext, type RunContext } from './run-context.js'
import { writeJobSummary } from './summary.js'
import {
  TASK_SOURCES,
  loadTaskSource,
  type TaskSource,
  type TaskSourceSetting
} from './task-source.js'

const FAIL_ON = ['failed', 'missing', 'any', 'never'] as const
type FailOn = (typeof FAIL_ON)[number]

export interface CollectSettings {
  token: string
  manifest: string
  /** Expected task ids; empty means every task of the manifest. */
  tasks: string[]
  resultsDir?: string
  comment: boolean
  parentIssue?: number
  /** Link the tasks' issues to the parent as sub-issues, and by depends-on as blocked-by. */
  linkIssues: boolean
  failOn: FailOn
  source: TaskSourceSetting
  context: RunContext
}

export function readCollectSettings(): CollectSettings {
  const context = readRunContext()
  const token = readString('token')
  if (token) core.setSecret(token)
  const parent = core.getInput('parent-issue').trim()
  return {
    token,
    manifest: readString('manifest', DEFAULT_MANIFEST_PATH),
    tasks: parseTaskList(core.getInput('tasks')),
    resultsDir: readString('results-dir') || undefined,
    comment: readBoolean('comment', true),
    parentIssue:
      parent === ''
        ? readEventIssue(context)
        : readInteger('parent-issue', 0, 1, Number.MAX_SAFE_INTEGER),
    linkIssues: readBoolean('link-issues', true),
    failOn: readChoice('fail-on', FAIL_ON, 'any'),
    source: readChoice('source', TASK_SOURCES, 'auto'),
    context
  }
}

/** Reads `tasks` as a JSON array (the plan's task-ids output) or a comma-separated list. */
export function parseTaskList(value: string): string[] {
  const text = value.trim()
  if (text === '') return []
  if (text.startsWith('[')) {
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      throw new Error(
        `Invalid input 'tasks': '${text.slice(0, 80)}' is not valid JSON. Pass \${{ needs.plan.outputs.task-ids }}.`
      )
    }
    if (!Array.isArray(parsed) || !parsed.every((id) => typeof id === 'string')) {
      throw new Error(
        "Invalid input 'tasks': expected a JSON array of task ids, as the plan action's task-ids output."
      )
    }
    return parsed as string[]
  }
  return text
    .split(/[,\n]/)
    .map((id) => id.trim())
    .filter(Boolean)
}

function readEventIssue(context: RunContext): number | undefined {
  if (!context.eventPath || !context.eventName.startsWith('issue')) return undefined
  try {
    const payload = JSON.parse(fs.readFileSync(context.eventPath, 'utf8')) as {
      issue?: { number?: number }
    }
    return payload.issue?.number
  } catch {
    return undefined
  }
}

/** Tasks as the plan read them, with one merged result per task. */
export interface Collected {
  source: TaskSource
  merged: MergedResults
}

/** Gathers the expected tasks' results, from a folder or from the result refs. */
export async function collectResults(settings: CollectSettings): Promise<Collected> {
  const { context } = settings
  const source = loadTaskSource({ source: settings.source, manifest: settings.manifest, context })
  const manifest = source.manifest
  const known = manifest.tasks.map((task) => task.id)
  const expected = settings.tasks.length > 0 ? settings.tasks : known
  const unknown = expected.filter((id) => !known.includes(id))
  if (unknown.length > 0) {
    throw new Error(
      `Invalid input 'tasks': ${unknown.map((id) => `'${id}'`).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not in ${manifest.path}. ` +
        `Known ids: ${summarizeIds(known)}.`
    )
  }
  // Manifest order, whatever order the input listed them in.
  const ordered = known.filter((id) => expected.includes(id))
  const fetched = settings.resultsDir
    ? readResultsDir(path.resolve(context.workspace, settings.resultsDir))
    : await fetchResults(
        await GitCommandManager.create(context.workspace, { logger: core }),
        manifest.path,
        context.runId
      )
  return {
    source,
    merged: mergeResults(ordered, fetched, { runId: context.runId, manifest: manifest.path })
  }
}

function createClient(settings: CollectSettings): Octokit {
  if (!settings.token || !settings.context.apiUrl) {
    throw new Error(
      'No token or GITHUB_API_URL, so the parent issue cannot be updated. Pass token, or set comment: false and link-issues: false.'
    )
  }
  return createGitHubClient(settings.token, {
    baseUrl: settings.context.apiUrl,
    logger: core,
    timeScale: readTimeScale()
  })
}

/** Posts or updates the summary comment on the parent issue and links the task issues to it. */
async function reportToParent(
  settings: CollectSettings,
  parent: number,
  source: TaskSource,
  merged: MergedResults,
  runUrl: string
): Promise<void> {
  const octokit = createClient(settings)
  if (settings.comment) {
    // The input's own spelling keys a file's comment, as in earlier releases, so that a
    // re-run finds the comment they posted.
    const key = source.kind === 'issue' ? source.manifest.path : settings.manifest
    const marker = `<!-- parallel-setup:summary manifest=${encodeURIComponent(key)} -->`
    // The marker follows the summary on a line of its own.
    const commentSummary = renderCollectSummary(merged, {
      limit: characterLimit(
        MAX_BODY_LENGTH - marker.length - 1,
        `${MAX_BODY_LENGTH.toLocaleString('en-US')} characters per comment`
      ),
      fullResults: `the results file of [run ${settings.context.runId}](${runUrl})`
    })
    const comment = await upsertMarkedComment(
      octokit,
      settings.context.repository,
      parent,
      marker,
      commentSummary
    )
    core.info(
      `${comment.created ? 'Posted' : 'Updated'} the summary on issue #${parent}: ${comment.url}`
    )
  }
  if (settings.linkIssues) await linkToParent(octokit, settings, parent, source, merged)
}

/**
 * Turns GitHub's bare 404 or 410 for the parent issue into an error that names the input.
 * Returns undefined for any other error.
 */
function missingParentError(
  error: unknown,
  parent: number,
  repository: { owner: string; repo: string }
): Error | undefined {
  const status = (error as { status?: unknown }).status
  if (status !== 404 && status !== 410) return undefined
  const state = status === 410 ? 'was deleted' : 'does not exist'
  return new Error(
    `Issue #${parent} in ${repository.owner}/${repository.repo} ${state}, so the summary cannot be posted on it or linked to it. ` +
      "Set 'parent-issue' to the number of an issue in this repository, or leave it empty to write only the job summary."
  )
}

/**
 * Links every task that has an issue to the parent: as a sub-issue, by depends-on as
 * blocked-by, and, for a task list in the parent's own body, by an issue reference on the
 * task's line. Links that GitHub rejects become warnings, and the others are logged.
 */
async function linkToParent(
  octokit: Octokit,
  settings: CollectSettings,
  parent: number,
  source: TaskSource,
  merged: MergedResults
): Promise<void> {
  const issueOf = new Map<string, number>()
  for (const task of merged.tasks) {
    if (task.result?.issueNumber != null) issueOf.set(task.task, task.result.issueNumber)
  }
  if (issueOf.size === 0) return
  const relations = new IssueRelations(octokit, settings.context.repository)
  // Each kind of link is tried even when another failed, and the step fails once at the end.
  const failures: string[] = []
  const attempt = async (what: string, work: () => Promise<void>): Promise<void> => {
    try {
      await work()
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      core.warning(`Adding the ${what} failed: ${message}`)
      failures.push(`adding the ${what} failed: ${message}`)
    }
  }

  core.startGroup(`Linking the task issues to issue #${parent}`)
  try {
    await attempt('sub-issues', async () => {
      const subIssues = await relations.addSubIssues(parent, [...issueOf.values()])
      reportLinks(subIssues, 'sub-issues', (issue) => `#${issue}`)
    })

    const blockedBy: BlockedBy[] = []
    for (const task of source.manifest.tasks) {
      const blocked = issueOf.get(task.id)
      if (blocked === undefined) continue
      for (const dependency of task.dependsOn) {
        const blocker = issueOf.get(dependency)
        if (blocker !== undefined) blockedBy.push({ blocked, blocker })
      }
    }
    if (blockedBy.length > 0) {
      await attempt('blocked-by links', async () => {
        const dependencies = await relations.addBlockedBy(blockedBy)
        reportLinks(
          dependencies,
          'blocked-by links',
          (link) => `#${link.blocked} by #${link.blocker}`
        )
      })
    }

    if (
      source.kind === 'issue' &&
      source.manifest.taskFormat === 'task-list' &&
      source.issue.number === parent
    ) {
      await attempt('issue references to the task list', async () => {
        const update = await updateIssueBody(
          octokit,
          settings.context.repository,
          parent,
          (body) => linkTaskListItems(body, issueOf),
          { log: (message) => core.info(message) }
        )
        core.info(
          update.changed
            ? `Added the issue references to the task list of issue #${parent}.`
            : `The task list of issue #${parent} already references every task's issue.`
        )
      })
    }
  } finally {
    core.endGroup()
  }
  if (failures.length > 0) {
    throw new Error(
      `Linking the task issues to issue #${parent} failed: ${failures.join('; ')}. ` +
        'Fix the cause and re-run the collect job, or set link-issues: false to skip linking.'
    )
  }
}

function reportLinks<T>(report: LinkReport<T>, what: string, describe: (link: T) => string): void {
  core.info(
    `${what}: ${report.added.length} added, ${report.existing.length} already there, ${report.skipped.length} skipped.`
  )
  // One warning per reason: past GitHub's 100 sub-issues, every further task shares one.
  const byReason = new Map<string, string[]>()
  for (const { link, reason } of report.skipped) {
    byReason.set(reason, [...(byReason.get(reason) ?? []), describe(link)])
  }
  for (const [reason, links] of byReason) {
    core.warning(`Not linked as ${what}: ${summarizeIds(links)}, because ${reason}.`)
  }
}

export function readResultsDir(directory: string): FetchedResults {
  if (!fs.existsSync(directory)) {
    throw new Error(
      `The results-dir '${directory}' does not exist. Point it at the folder that holds the legs' result files.`
    )
  }
  const fetched: FetchedResults = { results: [], rejected: [] }
  const files = fs.readdirSync(directory, { recursive: true, withFileTypes: true })
  for (const entry of files) {
    if (!entry.isFile() || !entry.name.endsWith('.json')) continue
    const file = path.join(entry.parentPath, entry.name)
    addParsed(fetched, path.relative(directory, file), fs.readFileSync(file, 'utf8'))
  }
  return fetched
}

/** Entry point of the collect action. */
export async function run(): Promise<void> {
  try {
    const settings = readCollectSettings()
    const { source, merged } = await collectResults(settings)
    const totals = computeTotals(merged)

    const directory = path.join(settings.context.runnerTemp, 'parallel-setup')
    fs.mkdirSync(directory, { recursive: true })
    const resultsFile = path.join(directory, 'collected-results.json')
    fs.writeFileSync(
      resultsFile,
      `${JSON.stringify({ tasks: merged.tasks, rejected: merged.rejected, totals }, null, 2)}\n`
    )

    const outputs: Record<string, string> = {
      ready: String(totals.ready),
      failed: String(totals.failed),
      missing: String(totals.missing),
      'all-ready': String(totals.ready === merged.tasks.length && merged.tasks.length > 0),
      'results-file': resultsFile
    }
    // All outputs of a job share GitHub's limit, so `results` gets what the others leave.
    const othersSize = Object.entries(outputs).reduce(
      (total, [name, value]) => total + outputRecordSize(name, value),
      0
    )
    const results = renderResultsOutput(merged, {
      maxSize: MAX_JOB_OUTPUTS_SIZE - othersSize,
      resultsFile
    })
    if (results.truncated) {
      core.warning(
        `The results are larger than GitHub allows in a job output, so 'results' is an object with truncated: true ` +
          `that lists ${results.included} of ${merged.tasks.length} tasks in short form, failed ones first. ` +
          `${resultsFile} has all of them: upload it with actions/upload-artifact to keep it after the job.`
      )
    }
    core.setOutput('results', results.json)
    for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value)
    for (const rejected of merged.rejected)
      core.warning(`Result ${rejected.source} was not merged: ${rejected.reason}.`)

    const runUrl = `${settings.context.serverUrl}/${settings.context.repository.owner}/${settings.context.repository.repo}/actions/runs/${settings.context.runId}`
    const summary = renderCollectSummary(merged, {
      limit: STEP_SUMMARY_LIMIT,
      fullResults: `\`${resultsFile}\`, the file that the collect step's \`results-file\` output names`
    })
    await writeJobSummary(summary)
    const parent = settings.parentIssue
    if (parent !== undefined && (settings.comment || settings.linkIssues)) {
      try {
        await reportToParent(settings, parent, source, merged, runUrl)
      } catch (error) {
        throw missingParentError(error, parent, settings.context.repository) ?? error
      }
    }

    const failing =
      (settings.failOn === 'failed' || settings.failOn === 'any') && totals.failed > 0
        ? `${totals.failed} failed`
        : (settings.failOn === 'missing' || settings.failOn === 'any') && totals.missing > 0
          ? `${totals.missing} missing`
          : undefined
    if (failing) {
      throw new Error(
        `${failing} of ${merged.tasks.length} tasks (fail-on: ${settings.failOn}). The job summary lists each task and why.`
      )
    }
  } catch (error) {
    failStep(error)
  }
}
