import type { MergedResults, MergedTask } from '../results/merge.js'
import type { RejectedResult } from '../results/transport.js'
import { GANTT_HEADER, MERMAID_MAX_TEXT_SIZE, ganttOrigin, renderGanttSection } from './gantt.js'
import type { SizeLimit } from './limits.js'
import { escapeMarkdownCell, formatCount, shortenText } from './markdown.js'
import { renderIssue } from './setup.js'

export { renderGantt } from './gantt.js'

/**
 * The longest title, failure reason or rejection reason a table row or list item shows, in
 * characters; longer ones end in '…'. The results file keeps the whole text.
 */
export const MAX_CELL_LENGTH = 500

/**
 * The share of the space left for rows that the timeline may reserve when the summary must
 * be cut. The table comes first because it names each failure, and the timeline takes
 * whatever the table leaves too.
 */
const TIMELINE_SHARE = 0.3

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
  // A loop, not Math.max(...list): spreading 100,000 values overflows the call stack.
  let first = Infinity
  let last = -Infinity
  for (const result of results) {
    first = Math.min(first, Date.parse(result.startedAt))
    last = Math.max(last, Date.parse(result.finishedAt))
  }
  const wallMs = results.length > 0 ? last - first : 0
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

export interface CollectSummaryOptions {
  title?: string
  /** The size the summary must fit in; without it, only the timeline is cut to Mermaid's limit. */
  limit?: SizeLimit
  /** Markdown naming where every result is stored, for the note shown when rows are left out. */
  fullResults?: string
}

/**
 * Renders collect's summary: the table, a Mermaid gantt of every leg's phases, the totals
 * and the results that were not merged. When it would pass `options.limit`, or the gantt
 * would pass Mermaid's limit, rows and gantt sections are left out, failed tasks first
 * kept, and a note at the top states how many and where to find all of them.
 */
export function renderCollectSummary(
  merged: MergedResults,
  options: CollectSummaryOptions = {}
): string {
  const totals = computeTotals(merged)
  const parts = renderParts(merged, options.title ?? 'Parallel setup', totals)
  const measure = options.limit?.measure ?? ((text: string) => text.length)
  const max = options.limit?.max ?? Infinity
  const everything = {
    rows: parts.rows.map((row) => row.text),
    sections: parts.sections.map((section) => section.text),
    rejected: parts.rejected
  }
  const full = assemble(parts, everything)
  // Mermaid counts the diagram's source: the header, then each section and its line break.
  const ganttCharBudget = MERMAID_MAX_TEXT_SIZE - GANTT_HEADER.length
  const overSummary = measure(full) > max
  const overMermaid =
    sum(parts.sections.map((section) => section.text.length + 1)) > ganttCharBudget
  if (!overSummary && !overMermaid) return full

  // Space for the note is reserved at its longest: every part cut, and the totals as counts.
  const worstNote = renderNote(
    {
      rows: { shown: parts.rows.length, total: parts.rows.length },
      sections: { shown: parts.sections.length, total: parts.sections.length },
      rejected: { shown: parts.rejected.length, total: parts.rejected.length }
    },
    { summary: options.limit, mermaid: true, fullResults: options.fullResults, worstCase: true }
  )
  const fixed = measure(assemble(parts, { note: worstNote, rows: [], sections: [], rejected: [] }))
  let available = Math.max(max - fixed, 0)

  // Failed legs first, in the timeline as in the table.
  const sections = [
    ...parts.sections.filter((section) => section.failed),
    ...parts.sections.filter((section) => !section.failed)
  ]
  const sectionSizes = sections.map((section) => measure(`${section.text}\n`))
  const sectionChars = sections.map((section) => section.text.length + 1)
  // The timeline's share is reserved first, so a long table cannot push it out entirely.
  const reserve = Math.min(
    sum(sectionSizes.slice(0, countFitting(sectionChars, ganttCharBudget))),
    Math.floor(available * TIMELINE_SHARE)
  )

  // Failed tasks first, then missing ones and the rejected results, then the ready tasks.
  const items = [
    ...parts.rows.filter((row) => row.task.status === 'failed'),
    ...parts.rows.filter((row) => row.task.status === 'missing'),
    ...parts.rejected.map((text) => ({ task: undefined, text })),
    ...parts.rows.filter((row) => row.task.status === 'ready')
  ]
  const itemSizes = items.map((item) => measure(`${item.text}\n`))
  const itemCount = countFitting(itemSizes, available - reserve)
  const kept = items.slice(0, itemCount)
  available -= sum(itemSizes.slice(0, itemCount))
  const sectionCount = countFitting(sectionSizes, available, sectionChars, ganttCharBudget)

  const shown = {
    rows: kept.flatMap((item) => (item.task ? [item.text] : [])),
    sections: sections.slice(0, sectionCount).map((section) => section.text),
    rejected: kept.flatMap((item) => (item.task ? [] : [item.text]))
  }
  const rowsCut = shown.rows.length < parts.rows.length
  const sectionsCut = shown.sections.length < parts.sections.length
  const note = renderNote(
    {
      rows: { shown: shown.rows.length, total: parts.rows.length },
      sections: { shown: shown.sections.length, total: parts.sections.length },
      rejected: { shown: shown.rejected.length, total: parts.rejected.length }
    },
    {
      summary: overSummary ? options.limit : undefined,
      // Named only when Mermaid's limit, not the summary's, stopped the next section.
      mermaid: sectionsCut && sum(sectionChars.slice(0, sectionCount + 1)) > ganttCharBudget,
      fullResults: options.fullResults
    }
  )
  return assemble(parts, {
    note,
    // Whatever is not cut keeps the manifest order.
    rows: rowsCut ? shown.rows : everything.rows,
    sections: sectionsCut ? shown.sections : everything.sections,
    rejected: shown.rejected
  })
}

interface SummaryParts {
  heading: string
  rows: Array<{ task: MergedTask; text: string }>
  sections: Array<{ failed: boolean; text: string }>
  totals: string[]
  rejected: string[]
}

function renderParts(merged: MergedResults, title: string, totals: Totals): SummaryParts {
  const results = merged.tasks.flatMap((task) => (task.result ? [task.result] : []))
  const origin = results.length > 0 ? ganttOrigin(results) : 0
  return {
    heading: `## ${title}: ${totals.ready} ready, ${totals.failed} failed, ${totals.missing} missing`,
    rows: merged.tasks.map((task) => ({ task, text: renderRow(task) })),
    sections: results.map((result) => ({
      failed: result.status === 'failed',
      text: renderGanttSection(result, origin)
    })),
    totals: [
      `- Wall time, first leg's start to last leg's end: ${formatSeconds(totals.wallMs)}`,
      `- Sum of the legs' setup times: ${formatSeconds(totals.sumMs)}`,
      `- Parallel efficiency: ${(totals.efficiency * 100).toFixed(0)}% (sum ÷ (wall time × legs))`
    ],
    rejected: merged.rejected.map(renderRejected)
  }
}

function assemble(
  parts: SummaryParts,
  shown: { note?: string; rows: string[]; sections: string[]; rejected: string[] }
): string {
  const lines = [parts.heading, '']
  if (shown.note) lines.push(shown.note, '')
  lines.push('| Task | Issue | Branch | Install | Status |', '| --- | --- | --- | --- | --- |')
  lines.push(...shown.rows)
  if (parts.sections.length > 0) {
    lines.push('', '### Timeline', '', '```mermaid', GANTT_HEADER, ...shown.sections, '```')
  }
  lines.push('', '### Totals', '', ...parts.totals)
  if (parts.rejected.length > 0) {
    lines.push('', '### Results not merged', '', ...shown.rejected)
  }
  return lines.join('\n') + '\n'
}

interface Shown {
  shown: number
  total: number
}

/**
 * Renders the visible note that states what was left out, why, and where everything is. In
 * the worst case every part counts as cut and every count as left out, which is the longest
 * note for these totals, because no count is wider than its total.
 */
function renderNote(
  counts: { rows: Shown; sections: Shown; rejected: Shown },
  reasons: { summary?: SizeLimit; mermaid: boolean; fullResults?: string; worstCase?: boolean }
): string {
  const { rows, sections, rejected } = counts
  const isCut = (part: Shown): boolean =>
    reasons.worstCase ? part.total > 0 : part.shown < part.total
  const leftOut = (part: Shown): number =>
    reasons.worstCase ? part.total : part.total - part.shown
  const cut: string[] = []
  if (isCut(rows)) {
    cut.push(
      `the table shows ${formatCount(rows.shown)} of ${formatCount(rows.total)} tasks, failed and missing ones first, ` +
        `and leaves out ${formatCount(leftOut(rows))} rows`
    )
  }
  if (isCut(sections)) {
    cut.push(
      `the timeline shows ${formatCount(sections.shown)} of ${formatCount(sections.total)} legs, failed ones first, ` +
        `and leaves out ${formatCount(leftOut(sections))}`
    )
  }
  if (isCut(rejected)) {
    cut.push(
      `the list of results not merged shows ${formatCount(rejected.shown)} of ${formatCount(rejected.total)}`
    )
  }
  const limits = [
    reasons.summary ? `GitHub's limit of ${reasons.summary.name}` : undefined,
    reasons.mermaid
      ? `Mermaid's limit of ${formatCount(MERMAID_MAX_TEXT_SIZE)} characters per diagram`
      : undefined
  ].filter(Boolean)
  const where = reasons.fullResults ? ` Every result is in ${reasons.fullResults}.` : ''
  return `> [!NOTE]\n> This summary was cut to fit ${limits.join(' and ')}: ${cut.join('; ')}.${where}`
}

function renderRow(task: MergedTask): string {
  const result = task.result
  if (!result) return `| \`${task.task}\` | - | - | - | missing: no result from its leg |`
  const install = `${result.installStatus}${result.packageManager ? ` (${result.packageManager})` : ''}`
  const status =
    result.status === 'ready'
      ? 'ready'
      : `failed: ${escapeMarkdownCell(shortenText(result.error ?? '', MAX_CELL_LENGTH))}`
  return `| ${escapeMarkdownCell(shortenText(result.title, MAX_CELL_LENGTH))} (\`${task.task}\`) | ${renderIssue(result)} | ${
    result.branch ? `\`${result.branch}\`` : '-'
  } | ${install} | ${status} |`
}

function renderRejected(rejected: RejectedResult): string {
  return `- \`${escapeMarkdownCell(shortenText(rejected.source, MAX_CELL_LENGTH))}\`: ${escapeMarkdownCell(shortenText(rejected.reason, MAX_CELL_LENGTH))}`
}

/**
 * Counts how many items, from the first, fit in `budget`, and stop at the first that does
 * not, so the kept items are always a prefix of the priority order. With `chars` and
 * `charBudget`, the items must also fit that second budget.
 */
function countFitting(
  sizes: number[],
  budget: number,
  chars?: number[],
  charBudget = Infinity
): number {
  let used = 0
  let usedChars = 0
  for (let i = 0; i < sizes.length; i++) {
    used += sizes[i]!
    usedChars += chars?.[i] ?? 0
    if (used > budget || usedChars > charBudget) return i
  }
  return sizes.length
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0)
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}
