import fs from 'node:fs'
import { loadManifest, type Manifest } from '../manifest/index.js'
import { parseIssueBody, readManifestDefaults, type IssueManifest } from '../manifest/issue-body.js'
import type { RunContext } from './run-context.js'

/**
 * Values of the `source` input. `file` reads the manifest in the checkout, `issue` the body of
 * the issue in the event payload, and `auto` picks `issue` for an issues event with the action
 * `labeled`, else `file`.
 */
export const TASK_SOURCES = ['auto', 'file', 'issue'] as const
export type TaskSourceSetting = (typeof TASK_SOURCES)[number]

/** The issue a run was started for, as the event payload recorded it. */
export interface EventIssue {
  number: number
  body: string
  labels: string[]
}

/** The parts of the event payload that decide where the tasks come from. */
export interface RunEvent {
  name: string
  /** The payload's `action`, such as 'labeled'. */
  action?: string
  /** For labeled and unlabeled events: the label that was added or removed. */
  label?: string
  issue?: EventIssue
}

export type TaskSource =
  | { kind: 'file'; manifest: Manifest }
  | { kind: 'issue'; manifest: IssueManifest; issue: EventIssue }

/**
 * Reads the event payload at GITHUB_EVENT_PATH. Every job of a run gets the same payload,
 * written when the event happened, so the plan and every matrix leg read the same issue body
 * even when it is edited while the run is under way.
 */
export function readRunEvent(context: RunContext): RunEvent {
  const event: RunEvent = { name: context.eventName }
  if (!context.eventPath || !fs.existsSync(context.eventPath)) return event
  const payload = JSON.parse(fs.readFileSync(context.eventPath, 'utf8')) as {
    action?: unknown
    label?: { name?: unknown }
    issue?: { number?: unknown; body?: unknown; labels?: unknown }
  }
  if (typeof payload.action === 'string') event.action = payload.action
  if (typeof payload.label?.name === 'string') event.label = payload.label.name
  const issue = payload.issue
  if (issue && typeof issue.number === 'number') {
    event.issue = {
      number: issue.number,
      body: typeof issue.body === 'string' ? issue.body : '',
      labels: Array.isArray(issue.labels)
        ? issue.labels.map((label: unknown) =>
            typeof label === 'string' ? label : String((label as { name?: unknown })?.name ?? '')
          )
        : []
    }
  }
  return event
}

export function resolveTaskSource(setting: TaskSourceSetting, event: RunEvent): 'file' | 'issue' {
  if (setting !== 'auto') return setting
  return event.name === 'issues' && event.action === 'labeled' ? 'issue' : 'file'
}

/**
 * Names the tasks of one parent issue in markers and result refs. It contains the issue
 * number, because ids derived from titles repeat across parents ("Write the docs").
 */
export function issueManifestPath(issueNumber: number): string {
  return `issue #${issueNumber}`
}

/**
 * Loads the tasks from the manifest file or from the issue in the event payload. Defaults for
 * issue tasks come from the manifest file when it exists.
 */
export function loadTaskSource(options: {
  source: TaskSourceSetting
  manifest: string
  context: RunContext
  event?: RunEvent
}): TaskSource {
  const { context } = options
  const event = options.source === 'file' ? undefined : (options.event ?? readRunEvent(context))
  if (!event || resolveTaskSource(options.source, event) === 'file') {
    return { kind: 'file', manifest: loadManifest(options.manifest, context.workspace) }
  }
  const issue = requireEventIssue(event)
  return { kind: 'issue', manifest: loadIssueTasks(issue, options.manifest, context), issue }
}

/** Reads an issue's tasks, with the defaults of the manifest file when it exists. */
export function loadIssueTasks(
  issue: EventIssue,
  manifestPath: string,
  context: RunContext
): IssueManifest {
  return parseIssueBody(issue.body, {
    file: issueManifestPath(issue.number),
    defaults: readManifestDefaults(manifestPath, context.workspace)
  })
}

export function requireEventIssue(event: RunEvent): EventIssue {
  if (event.issue) return event.issue
  throw new Error(
    `Input 'source' is 'issue', but the '${event.name || 'unknown'}' event that started this run is not about an issue. ` +
      "Run the workflow on 'issues' events (types: [labeled]), or set source: file to read the manifest file."
  )
}
