import { shortenText } from '../summary/markdown.js'
import type { MergedResults, MergedTask } from './merge.js'

/**
 * GitHub's limit for the outputs of one job together: 1 MB. GitHub's docs say the size "is
 * approximated based on UTF-16 encoding", and the limit is taken as 10^6 bytes, the smaller
 * reading of "1 MB". All outputs of a workflow run together may take 50 MB.
 */
export const MAX_JOB_OUTPUTS_SIZE = 1_000_000

/** The longest failure reason an entry of the trimmed `results` output keeps, in characters. */
export const MAX_TRIMMED_ERROR_LENGTH = 200

/**
 * Estimates the size GitHub counts for an output, in bytes: the larger of its UTF-8 size
 * and its UTF-16 size (2 bytes per code unit), so the estimate is below neither encoding.
 */
export function outputSize(text: string): number {
  return Math.max(Buffer.byteLength(text, 'utf8'), 2 * text.length)
}

/**
 * Estimates the size of one output as @actions/core 3 writes it to GITHUB_OUTPUT:
 * `name<<ghadelimiter_<UUID>`, the value and the delimiter, each ending in a line break
 * (CRLF on Windows).
 */
export function outputRecordSize(name: string, value: string): number {
  const delimiter = `ghadelimiter_${'0'.repeat(36)}`
  return outputSize(`${name}<<${delimiter}\r\n${value}\r\n${delimiter}\r\n`)
}

/** One task in the trimmed `results` output. */
export interface TrimmedEntry {
  task: string
  status: MergedTask['status']
  issueNumber: number | null
  branch: string | null
  /** Why the task failed, cut to MAX_TRIMMED_ERROR_LENGTH characters; absent for other tasks. */
  error?: string
}

/** The `results` output when the full array would not fit: as many tasks as fit, and counts. */
export interface TrimmedResults {
  truncated: true
  /** Expected tasks in all. */
  total: number
  /** Entries in `tasks`. */
  included: number
  /** Tasks left out of `tasks`: total − included. */
  omitted: number
  ready: number
  failed: number
  missing: number
  /** The file that keeps every task's full result. */
  resultsFile: string
  /** Failed tasks first, then missing ones, then ready ones, each group in manifest order. */
  tasks: TrimmedEntry[]
}

/**
 * Renders the `results` output so that its GITHUB_OUTPUT record is at most `maxSize` (as
 * `outputRecordSize` counts). That is the full JSON array when it fits, and otherwise a
 * `TrimmedResults` object, which lists tasks in short form until the next would not fit.
 */
export function renderResultsOutput(
  merged: MergedResults,
  options: { maxSize: number; resultsFile: string }
): { json: string; truncated: boolean; included: number } {
  const full = JSON.stringify(
    merged.tasks.map((task) => ({ ...task.result, task: task.task, status: task.status }))
  )
  if (outputRecordSize('results', full) <= options.maxSize) {
    return { json: full, truncated: false, included: merged.tasks.length }
  }

  const ordered = [
    ...merged.tasks.filter((task) => task.status === 'failed'),
    ...merged.tasks.filter((task) => task.status === 'missing'),
    ...merged.tasks.filter((task) => task.status === 'ready')
  ]
  const count = (status: MergedTask['status']): number =>
    merged.tasks.filter((task) => task.status === status).length
  const envelope = (tasks: TrimmedEntry[]): TrimmedResults => ({
    truncated: true,
    total: merged.tasks.length,
    included: tasks.length,
    omitted: merged.tasks.length - tasks.length,
    ready: count('ready'),
    failed: count('failed'),
    missing: count('missing'),
    resultsFile: options.resultsFile,
    tasks
  })

  // The envelope is measured with the widest counts it can hold; each entry adds its JSON
  // and a comma.
  const widest = envelope([])
  widest.included = widest.total
  widest.omitted = widest.total
  let used = outputRecordSize('results', JSON.stringify(widest))
  const entries: TrimmedEntry[] = []
  for (const task of ordered) {
    const entry = trimEntry(task)
    const size = outputSize(JSON.stringify(entry)) + outputSize(',')
    if (used + size > options.maxSize) break
    used += size
    entries.push(entry)
  }
  const json = JSON.stringify(envelope(entries))
  if (outputRecordSize('results', json) > options.maxSize) {
    throw new Error(
      `The trimmed results output takes ${outputRecordSize('results', json)} bytes, more than the ${options.maxSize} allowed. This is a bug in parallel-setup.`
    )
  }
  return { json, truncated: true, included: entries.length }
}

function trimEntry(task: MergedTask): TrimmedEntry {
  const entry: TrimmedEntry = {
    task: task.task,
    status: task.status,
    issueNumber: task.result?.issueNumber ?? null,
    branch: task.result?.branch ?? null
  }
  const error = task.result?.error
  if (task.status === 'failed' && error !== undefined) {
    entry.error = shortenText(error, MAX_TRIMMED_ERROR_LENGTH)
  }
  return entry
}
