import fs from 'node:fs'
import path from 'node:path'
import * as core from '@actions/core'
import { GitCommandManager } from '../git/index.js'
import { createGitHubClient, readTimeScale } from '../github/index.js'
import { upsertMarkedComment } from '../github/comments.js'
import { DEFAULT_MANIFEST_PATH, loadManifest } from '../manifest/index.js'
import { summarizeIds } from '../plan/index.js'
import { mergeResults, type MergedResults } from '../results/merge.js'
import { addParsed, fetchResults, type FetchedResults } from '../results/transport.js'
import { renderCollectSummary, computeTotals } from '../summary/collect.js'
import { failStep } from './failure.js'
import { readBoolean, readChoice, readInteger, readString } from './inputs.js'
import { readRunContext, type RunContext } from './run-context.js'
import { writeJobSummary } from './summary.js'

const FAIL_ON = ['failed', 'missing', 'any', 'never'] as const
type FailOn = (typeof FAIL_ON)[number]

/** GitHub's limit for all outputs of one job together. */
export const MAX_OUTPUT_BYTES = 1024 * 1024

export interface CollectSettings {
  token: string
  manifest: string
  /** Expected task ids; empty means every task of the manifest. */
  tasks: string[]
  resultsDir?: string
  comment: boolean
  parentIssue?: number
  failOn: FailOn
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
    failOn: readChoice('fail-on', FAIL_ON, 'any'),
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

/** Gathers the expected tasks' results, from a folder or from the result refs. */
export async function collectResults(settings: CollectSettings): Promise<MergedResults> {
  const { context } = settings
  const manifest = loadManifest(settings.manifest, context.workspace)
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
        manifest.path
      )
  return mergeResults(ordered, fetched, { runId: context.runId, manifest: manifest.path })
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

/** The results output: everything, or a trimmed form when it would pass GitHub's limit. */
export function renderResultsOutput(merged: MergedResults): { json: string; trimmed: boolean } {
  const full = JSON.stringify(
    merged.tasks.map((task) => ({ ...task.result, task: task.task, status: task.status }))
  )
  if (Buffer.byteLength(full) <= MAX_OUTPUT_BYTES / 2) return { json: full, trimmed: false }
  const trimmed = merged.tasks.map((task) => ({
    task: task.task,
    status: task.status,
    issueNumber: task.result?.issueNumber ?? null,
    branch: task.result?.branch ?? null,
    trimmed: true
  }))
  return { json: JSON.stringify(trimmed), trimmed: true }
}

/** Entry point of the collect action. */
export async function run(): Promise<void> {
  try {
    const settings = readCollectSettings()
    const merged = await collectResults(settings)
    const totals = computeTotals(merged)
    const summary = renderCollectSummary(merged)

    const directory = path.join(settings.context.runnerTemp, 'parallel-setup')
    fs.mkdirSync(directory, { recursive: true })
    const resultsFile = path.join(directory, 'collected-results.json')
    fs.writeFileSync(
      resultsFile,
      `${JSON.stringify({ tasks: merged.tasks, rejected: merged.rejected, totals }, null, 2)}\n`
    )

    const output = renderResultsOutput(merged)
    if (output.trimmed) {
      core.warning(
        `The results are larger than GitHub allows in a job output, so 'results' holds a trimmed form; ${resultsFile} has all of it.`
      )
    }
    core.setOutput('results', output.json)
    core.setOutput('ready', String(totals.ready))
    core.setOutput('failed', String(totals.failed))
    core.setOutput('missing', String(totals.missing))
    core.setOutput(
      'all-ready',
      String(totals.ready === merged.tasks.length && merged.tasks.length > 0)
    )
    core.setOutput('results-file', resultsFile)
    for (const rejected of merged.rejected)
      core.warning(`Result ${rejected.source} was not merged: ${rejected.reason}.`)

    await writeJobSummary(summary)
    if (settings.comment && settings.parentIssue !== undefined) {
      if (!settings.token || !settings.context.apiUrl) {
        throw new Error(
          'No token or GITHUB_API_URL, so the summary cannot be posted on the parent issue. Pass token, or set comment: false.'
        )
      }
      const octokit = createGitHubClient(settings.token, {
        baseUrl: settings.context.apiUrl,
        logger: core,
        timeScale: readTimeScale()
      })
      const marker = `<!-- parallel-setup:summary manifest=${encodeURIComponent(settings.manifest)} -->`
      const comment = await upsertMarkedComment(
        octokit,
        settings.context.repository,
        settings.parentIssue,
        marker,
        summary
      )
      core.info(
        `${comment.created ? 'Posted' : 'Updated'} the summary on issue #${settings.parentIssue}: ${comment.url}`
      )
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
