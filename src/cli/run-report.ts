import type { MergedResults } from '../results/merge.js'
import type { TaskResult } from '../results/record.js'
import type { PortRange } from '../setup/ports.js'
import { computeTotals } from '../summary/collect.js'
import { renderTable } from './io.js'
import { formatDuration } from './progress.js'

/** Ports and files of a task, besides its result. */
export interface TaskFiles {
  ports: PortRange
  /** Shown relative to the main checkout; undefined in a dry run. */
  resultFile?: string
  logFile?: string
}

export interface RunReportOptions {
  files: ReadonlyMap<string, TaskFiles>
  dryRun: boolean
  /** Folders relative to the main checkout, for the closing lines. */
  worktreeRoot: string
  resultsDir: string
  logsDir: string
}

/**
 * Renders the end of `parallel-setup run` for a terminal: the same merged results and totals
 * as collect's job summary, as a plain table, then each failure with its log file.
 */
export function renderRunReport(merged: MergedResults, options: RunReportOptions): string {
  const totals = computeTotals(merged)
  const lines = [
    `${merged.tasks.length} ${merged.tasks.length === 1 ? 'task' : 'tasks'}: ${totals.ready} ready, ${totals.failed} failed, ${totals.missing} missing` +
      (options.dryRun ? ' (dry run: nothing was changed)' : ''),
    ''
  ]
  const rows = merged.tasks.map((task) => {
    const ports = options.files.get(task.task)?.ports
    const range = ports ? `${ports.start}-${ports.end}` : '-'
    const result = task.result
    if (!result) return [task.task, 'missing', '-', '-', '-', range, '-']
    return [
      task.task,
      result.status,
      describeIssue(result),
      result.branch ?? '-',
      describeInstall(result),
      range,
      formatDuration(result.durationMs)
    ]
  })
  lines.push(
    ...renderTable(['Task', 'Status', 'Issue', 'Branch', 'Install', 'Ports', 'Time'], rows)
  )

  for (const task of merged.tasks) {
    if (task.status === 'ready') continue
    const error = task.result?.error ?? 'no result was recorded for it'
    lines.push('', `${task.task} ${task.status}: ${indentFollowingLines(error)}`)
    const logFile = options.files.get(task.task)?.logFile
    if (logFile) lines.push(`  Log: ${logFile}`)
  }

  lines.push(
    '',
    `Wall time ${formatDuration(totals.wallMs)}, sum of the task times ${formatDuration(totals.sumMs)}, ` +
      `parallel efficiency ${(totals.efficiency * 100).toFixed(0)}% (sum / (wall time x tasks)).`
  )
  if (!options.dryRun) {
    lines.push(
      `Worktrees: ${options.worktreeRoot}/<task>. Results: ${options.resultsDir}/<task>.json. ` +
        `Logs: ${options.logsDir}/<task>.log.`
    )
  }
  for (const rejected of merged.rejected) {
    lines.push(`Result ${rejected.source} was not used: ${rejected.reason}.`)
  }
  return lines.join('\n') + '\n'
}

function describeIssue(result: TaskResult): string {
  if (result.issueNumber === null) return '-'
  return `#${result.issueNumber}${result.issueCreated ? ' (new)' : ''}`
}

function describeInstall(result: TaskResult): string {
  return result.packageManager
    ? `${result.installStatus} (${result.packageManager})`
    : result.installStatus
}

function indentFollowingLines(text: string): string {
  return text.trimEnd().split('\n').join('\n  ')
}
