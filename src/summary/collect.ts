import type { MergedResults, MergedTask } from '../results/merge.js'
import type { PhaseTiming } from '../results/record.js'
import { escapeMarkdownCell } from './markdown.js'
import { renderIssue } from './setup.js'

export interface Totals {
  ready: number
  failed: number
  missing: number
  /** From the first leg's start to the last leg's end, in ms; 0 without results. */
  wallMs: number
  /** The legs' setup times added up, in ms. */
  sumMs: number
  /** sum / (wall × legs): 1 when every leg ran the whole time side by side. */
  efficiency: number
}

export function computeTotals(merged: MergedResults): Totals {
  const results = merged.tasks.flatMap((task) => (task.result ? [task.result] : []))
  const count = (status: string): number =>
    merged.tasks.filter((task) => task.status === status).length
  const starts = results.map((result) => Date.parse(result.startedAt))
  const ends = results.map((result) => Date.parse(result.finishedAt))
  const wallMs = results.length > 0 ? Math.max(...ends) - Math.min(...starts) : 0
  const sumMs = results.reduce((total, result) => total + result.durationMs, 0)
  const efficiency = wallMs > 0 && results.length > 0 ? sumMs / (wallMs * results.length) : 0
  return {
    ready: count('ready'),
    failed: count('failed'),
    missing: count('missing'),
    wallMs,
    sumMs,
    efficiency
  }
}

/** Renders collect's summary: the table, a Mermaid gantt of every leg's phases, the totals. */
export function renderCollectSummary(
  merged: MergedResults,
  options: { title?: string } = {}
): string {
  const totals = computeTotals(merged)
  const lines = [
    `## ${options.title ?? 'Parallel setup'}: ${totals.ready} ready, ${totals.failed} failed, ${totals.missing} missing`,
    '',
    '| Task | Issue | Branch | Install | Status |',
    '| --- | --- | --- | --- | --- |'
  ]
  for (const task of merged.tasks) lines.push(renderRow(task))

  const gantt = renderGantt(merged)
  if (gantt) lines.push('', '### Timeline', '', '```mermaid', gantt, '```')

  lines.push(
    '',
    '### Totals',
    '',
    `- Wall time, first leg's start to last leg's end: ${formatSeconds(totals.wallMs)}`,
    `- Sum of the legs' setup times: ${formatSeconds(totals.sumMs)}`,
    `- Parallel efficiency: ${(totals.efficiency * 100).toFixed(0)}% (sum ÷ (wall time × legs))`
  )
  if (merged.rejected.length > 0) {
    lines.push('', '### Results not merged', '')
    for (const rejected of merged.rejected) {
      lines.push(
        `- \`${escapeMarkdownCell(rejected.source)}\`: ${escapeMarkdownCell(rejected.reason)}`
      )
    }
  }
  return lines.join('\n') + '\n'
}

function renderRow(task: MergedTask): string {
  const result = task.result
  if (!result) return `| \`${task.task}\` | - | - | - | missing: no result from its leg |`
  const install = `${result.installStatus}${result.packageManager ? ` (${result.packageManager})` : ''}`
  const status =
    result.status === 'ready' ? 'ready' : `failed: ${escapeMarkdownCell(result.error ?? '')}`
  return `| ${escapeMarkdownCell(result.title)} (\`${task.task}\`) | ${renderIssue(result)} | ${
    result.branch ? `\`${result.branch}\`` : '-'
  } | ${install} | ${status} |`
}

/**
 * Renders a Mermaid gantt with one section per task and one bar per phase. Times are ms
 * since the first leg started, shown as seconds.
 */
export function renderGantt(merged: MergedResults): string | undefined {
  const results = merged.tasks.flatMap((task) => (task.result ? [task.result] : []))
  if (results.length === 0) return undefined
  const origin = Math.min(...results.map((result) => Date.parse(result.startedAt)))
  const lines = ['gantt', '  title Setup phases per task', '  dateFormat x', '  axisFormat %M:%S']
  for (const result of results) {
    lines.push(`  section ${mermaidText(result.task)}`)
    const phases: PhaseTiming[] = result.phases.length > 0 ? result.phases : []
    phases.forEach((phase) => {
      const start = Date.parse(phase.startedAt) - origin
      // A bar needs a length: a 0 ms phase is drawn 1 ms long.
      const end = start + Math.max(phase.durationMs, 1)
      const tag = result.status === 'failed' && phase === phases[phases.length - 1] ? 'crit, ' : ''
      lines.push(`    ${phase.name} :${tag}${start}, ${end}`)
    })
  }
  return lines.join('\n')
}

/** Keeps task ids safe in Mermaid: ':' and '#' and ';' have meanings there. */
function mermaidText(text: string): string {
  return text.replace(/[:#;]/g, '_')
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}
