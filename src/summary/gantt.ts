import type { MergedResults } from '../results/merge.js'
import type { PhaseTiming, TaskResult } from '../results/record.js'

/**
 * Mermaid renders no diagram whose source is longer than this many characters: its
 * `maxTextSize` setting defaults to 50,000 (mermaid.js.org config schema).
 * NOTE: this assumes GitHub keeps Mermaid's default.
 */
export const MERMAID_MAX_TEXT_SIZE = 50_000

/** The lines every gantt starts with; the sections follow them. */
export const GANTT_HEADER = [
  'gantt',
  '  title Setup phases per task',
  '  dateFormat x',
  '  axisFormat %M:%S'
].join('\n')

/** The start of the earliest leg, in ms since the epoch: time 0 on the gantt's axis. */
export function ganttOrigin(results: TaskResult[]): number {
  return Math.min(...results.map((result) => Date.parse(result.startedAt)))
}

/**
 * Renders one task's gantt section: a `section` line and one bar per phase. A section is
 * the unit to leave out when the gantt is cut, so the rest stays valid Mermaid.
 */
export function renderGanttSection(result: TaskResult, origin: number): string {
  const lines = [`  section ${mermaidText(result.task)}`]
  const phases: PhaseTiming[] = result.phases
  phases.forEach((phase) => {
    const start = Date.parse(phase.startedAt) - origin
    // A bar needs a length: a 0 ms phase is drawn 1 ms long.
    const end = start + Math.max(phase.durationMs, 1)
    const tag = result.status === 'failed' && phase === phases[phases.length - 1] ? 'crit, ' : ''
    lines.push(`    ${phase.name} :${tag}${start}, ${end}`)
  })
  return lines.join('\n')
}

/**
 * Renders a Mermaid gantt with one section per task and one bar per phase. Times are ms
 * since the first leg started, shown as seconds.
 */
export function renderGantt(merged: MergedResults): string | undefined {
  const results = merged.tasks.flatMap((task) => (task.result ? [task.result] : []))
  if (results.length === 0) return undefined
  const origin = ganttOrigin(results)
  return [GANTT_HEADER, ...results.map((result) => renderGanttSection(result, origin))].join('\n')
}

/** Keeps task ids safe in Mermaid: ':' and '#' and ';' have meanings there. */
function mermaidText(text: string): string {
  return text.replace(/[:#;]/g, '_')
}
