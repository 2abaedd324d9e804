import { mergeResults, type MergedResults } from '../../src/results/merge.js'
import { addParsed, type FetchedResults } from '../../src/results/transport.js'
import { MAX_CELL_LENGTH, renderCollectSummary } from '../../src/summary/collect.js'
import { GANTT_HEADER, MERMAID_MAX_TEXT_SIZE, renderGanttSection } from '../../src/summary/gantt.js'
import {
  MAX_STEP_SUMMARY_BYTES,
  STEP_SUMMARY_LIMIT,
  characterLimit,
  type SizeLimit
} from '../../src/summary/limits.js'
import { makeManyResults, makeResult } from '../../test/support/results.js'

const MANIFEST = '.github/parallel-setup.yml'
const COMMENT_LIMIT = characterLimit(65_000, '65,536 characters per comment')
const FULL_RESULTS = '`/tmp/collected-results.json`'
// Multi-byte text: 'é' takes 2 bytes in UTF-8, '失' and '敗' 3, and '🙂' 4 and two UTF-16 units.
const ERROR = 'échec ' + '失敗🙂|'.repeat(300)
const TITLE = 'Título ' + '漢字🙂<b>'.repeat(120)

function merge(expected: string[], results: ReturnType<typeof makeResult>[]): MergedResults {
  const fetched: FetchedResults = { results: [], rejected: [] }
  for (const result of results) addParsed(fetched, result.task, JSON.stringify(result))
  return mergeResults(expected, fetched, { runId: '100', manifest: MANIFEST })
}

function mergeMany(count: number): MergedResults {
  const { expected, results } = makeManyResults(count, {
    idLength: 100,
    title: TITLE,
    error: ERROR
  })
  return merge(expected, results)
}

interface ParsedSummary {
  heading: string
  note: string | undefined
  rows: string[]
  mermaid: string[] | undefined
  totals: string[]
}

/** Splits a summary into its parts, checking the layout on the way. */
function parseSummary(summary: string): ParsedSummary {
  const lines = summary.split('\n')
  const tableStart = lines.indexOf('| --- | --- | --- | --- | --- |')
  expect(tableStart).toBeGreaterThan(0)
  const rows: string[] = []
  for (let i = tableStart + 1; lines[i] !== ''; i++) rows.push(lines[i]!)
  const open = lines.indexOf('```mermaid')
  const close = open >= 0 ? lines.indexOf('```', open + 1) : -1
  if (open >= 0) expect(close).toBeGreaterThan(open)
  const totalsAt = lines.indexOf('### Totals')
  return {
    heading: lines[0]!,
    note: lines.find((line) => line.startsWith('> This summary was cut')),
    rows,
    mermaid: open >= 0 ? lines.slice(open + 1, close) : undefined,
    totals: lines.slice(totalsAt + 2, totalsAt + 5)
  }
}

/** Checks the lines Mermaid's gantt syntax needs, and returns the sections' task ids. */
function checkGantt(mermaid: string[]): string[] {
  expect(mermaid.slice(0, 4).join('\n')).toBe(GANTT_HEADER)
  expect(mermaid.join('\n').length).toBeLessThanOrEqual(MERMAID_MAX_TEXT_SIZE)
  const sections: string[] = []
  for (const [i, line] of mermaid.slice(4).entries()) {
    expect(line).toMatch(
      /^( {2}section [^:#;]+| {4}(issue|worktree|copy|push|install) :(crit, )?\d+, \d+)$/
    )
    if (line.startsWith('  section ')) {
      sections.push(line.slice('  section '.length))
      // Every section has at least one bar.
      expect(mermaid[4 + i + 1]).toMatch(/^ {4}\w+ :/)
    }
  }
  return sections
}

function hasLoneSurrogate(text: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text)
}

/** The task id in a table row: the last `code` span of its first cell. */
function rowTask(row: string): string {
  const firstCell = row.split(' | ')[0]!
  return /`([^`]+)`\)?$/.exec(firstCell)![1]!
}

describe('renderCollectSummary limits', () => {
  it.each([
    [256, 'job summary', STEP_SUMMARY_LIMIT, false],
    [256, 'comment', COMMENT_LIMIT, true],
    [10_000, 'job summary', STEP_SUMMARY_LIMIT, true],
    [10_000, 'comment', COMMENT_LIMIT, true]
  ] as Array<[number, string, SizeLimit, boolean]>)(
    'fits %i results in a %s',
    (count, _kind, limit, cut) => {
      const merged = mergeMany(count)
      const failed = merged.tasks.filter((task) => task.status === 'failed').length
      const missing = merged.tasks.filter((task) => task.status === 'missing').length
      expect([failed, missing]).toEqual([Math.ceil(count / 10), Math.ceil((count - 1) / 10)])
      const summary = renderCollectSummary(merged, { limit, fullResults: FULL_RESULTS })

      expect(limit.measure(summary)).toBeLessThanOrEqual(limit.max)
      expect(hasLoneSurrogate(summary)).toBe(false)
      const parsed = parseSummary(summary)
      expect(parsed.heading).toBe(
        `## Parallel setup: ${count - failed - missing} ready, ${failed} failed, ${missing} missing`
      )
      expect(parsed.totals).toEqual([
        "- Wall time, first leg's start to last leg's end: " +
          `${(((count - 1) * 100 + 5000) / 1000).toFixed(1)} s`,
        `- Sum of the legs' setup times: ${(((count - missing) * 5000) / 1000).toFixed(1)} s`,
        `- Parallel efficiency: ${((5000 / ((count - 1) * 100 + 5000)) * 100).toFixed(0)}% (sum ÷ (wall time × legs))`
      ])
      const sections = checkGantt(parsed.mermaid!)
      const legs = merged.tasks.filter((task) => task.result)
      if (!cut) {
        expect(summary).toBe(renderCollectSummary(merged))
        expect(parsed.note).toBeUndefined()
        expect(parsed.rows.map(rowTask)).toEqual(merged.tasks.map((task) => task.task))
        expect(sections).toEqual(legs.map((task) => task.task))
        return
      }
      expect(parsed.note).toContain(`Every result is in ${FULL_RESULTS}.`)

      // The note's counts match the rows shown, and the rows are failed first, then missing.
      const shownRows = parsed.rows.length
      const tableNote =
        /the table shows ([\d,]+) of ([\d,]+) tasks, failed and missing ones first, and leaves out ([\d,]+) rows/.exec(
          parsed.note!
        )
      if (shownRows < count) {
        expect(tableNote).not.toBeNull()
        expect(tableNote!.slice(1)).toEqual([
          shownRows.toLocaleString('en-US'),
          count.toLocaleString('en-US'),
          (count - shownRows).toLocaleString('en-US')
        ])
        const expectedOrder = [
          ...merged.tasks.filter((task) => task.status === 'failed'),
          ...merged.tasks.filter((task) => task.status === 'missing'),
          ...merged.tasks.filter((task) => task.status === 'ready')
        ].map((task) => task.task)
        expect(parsed.rows.map(rowTask)).toEqual(expectedOrder.slice(0, shownRows))
      } else {
        expect(tableNote).toBeNull()
        expect(parsed.rows.map(rowTask)).toEqual(merged.tasks.map((task) => task.task))
      }

      // The gantt stays valid, lists failed legs first, and the note counts its sections.
      expect(sections.length).toBeLessThan(legs.length)
      expect(parsed.note).toContain(
        `the timeline shows ${sections.length.toLocaleString('en-US')} of ${legs.length.toLocaleString('en-US')} legs, failed ones first, ` +
          `and leaves out ${(legs.length - sections.length).toLocaleString('en-US')}`
      )
      const failedFirst = [
        ...merged.tasks.filter((task) => task.status === 'failed'),
        ...merged.tasks.filter((task) => task.status === 'ready')
      ]
      expect(sections).toEqual(failedFirst.slice(0, sections.length).map((task) => task.task))
      // The gantt is as long as Mermaid's limit or the summary's space allows: one more
      // section would pass Mermaid's limit, or the summary's. Space for the note is reserved
      // at its longest, so the summary may fall short of its limit by up to the note's size.
      const origin = Date.parse(merged.tasks[0]!.result!.startedAt)
      const next = renderGanttSection(failedFirst[sections.length]!.result!, origin)
      const tooLongForMermaid =
        parsed.mermaid!.join('\n').length + next.length + 1 > MERMAID_MAX_TEXT_SIZE
      const tooLongForSummary =
        limit.measure(summary) + limit.measure(`${next}\n`) >
        limit.max - limit.measure(parsed.note!)
      expect(tooLongForMermaid || tooLongForSummary).toBe(true)
      // The note names Mermaid's limit only when that limit stopped the gantt.
      expect(parsed.note!.includes("Mermaid's limit")).toBe(tooLongForMermaid)
    }
  )

  it("cuts only the gantt past Mermaid's limit", () => {
    const { expected, results } = makeManyResults(400, { idLength: 100, error: 'boom' })
    const merged = merge(expected, results)
    const summary = renderCollectSummary(merged, {
      limit: STEP_SUMMARY_LIMIT,
      fullResults: FULL_RESULTS
    })
    const parsed = parseSummary(summary)
    expect(Buffer.byteLength(summary)).toBeLessThanOrEqual(MAX_STEP_SUMMARY_BYTES)
    expect(parsed.rows.map(rowTask)).toEqual(expected)
    const sections = checkGantt(parsed.mermaid!)
    const legs = results.length
    expect(parsed.note).toBe(
      "> This summary was cut to fit Mermaid's limit of 50,000 characters per diagram: " +
        `the timeline shows ${sections.length} of ${legs} legs, failed ones first, and leaves out ${legs - sections.length}. ` +
        `Every result is in ${FULL_RESULTS}.`
    )
    // All 40 failed legs come first, then ready ones until Mermaid's limit.
    expect(sections.slice(0, 40)).toEqual(expected.filter((_, i) => i % 10 === 0))
    expect(parsed.mermaid!.join('\n').length).toBeGreaterThan(MERMAID_MAX_TEXT_SIZE - 300)
  })

  it('cuts long titles and reasons in cells', () => {
    const merged = merge(['a'], [makeResult('a', { title: TITLE, status: 'failed', error: ERROR })])
    const row = parseSummary(renderCollectSummary(merged)).rows[0]!
    // 499 units would end inside '🙂', so the cut keeps 498 and adds '…'.
    const error = 'échec ' + '失敗🙂\\|'.repeat(98) + '失敗…'
    expect(row.endsWith(` | failed: ${error} |`)).toBe(true)
    const title = TITLE.slice(0, MAX_CELL_LENGTH - 1)
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
    expect(row.startsWith(`| ${title}… (\`a\`) |`)).toBe(true)
  })

  it('leaves a summary that fits unchanged', () => {
    const merged = merge(['a', 'b'], [makeResult('a')])
    const summary = renderCollectSummary(merged, { limit: COMMENT_LIMIT })
    expect(summary).toBe(renderCollectSummary(merged))
    expect(summary).not.toContain('> [!NOTE]')
  })

  it('cuts the list of results not merged', () => {
    const fetched: FetchedResults = { results: [], rejected: [] }
    for (let i = 0; i < 2_000; i++)
      addParsed(fetched, `junk-${i}.json`, `{not json ${'ü'.repeat(40)}`)
    const merged = mergeResults(['a'], fetched, { runId: '100', manifest: MANIFEST })
    const summary = renderCollectSummary(merged, {
      limit: characterLimit(10_000, '10,000 characters'),
      fullResults: FULL_RESULTS
    })
    expect(summary.length).toBeLessThanOrEqual(10_000)
    const listed = summary.split('\n').filter((line) => line.startsWith('- `junk-'))
    expect(listed.length).toBeGreaterThan(0)
    expect(summary).toContain(`the list of results not merged shows ${listed.length} of 2,000.`)
    // The missing task's row comes before the rejected results.
    expect(parseSummary(summary).rows).toEqual([
      '| `a` | - | - | - | missing: no result from its leg |'
    ])
  })
})
