import { mergeResults } from '../../src/results/merge.js'
import { addParsed, type FetchedResults } from '../../src/results/transport.js'
import { computeTotals, renderCollectSummary, renderGantt } from '../../src/summary/collect.js'
import { makeResult } from '../../test/support/results.js'

function merged(results: ReturnType<typeof makeResult>[], expected: string[]) {
  const fetched: FetchedResults = { results: [], rejected: [] }
  for (const result of results) addParsed(fetched, result.task, JSON.stringify(result))
  return mergeResults(expected, fetched, { runId: '100', manifest: '.github/parallel-setup.yml' })
}

describe('renderGantt', () => {
  it('writes lines Mermaid gantt syntax accepts', () => {
    const gantt = renderGantt(merged([makeResult('a'), makeResult('b:c', {}, 2000)], ['a', 'b:c']))!
    const lines = gantt.split('\n')
    expect(lines.slice(0, 4)).toEqual([
      'gantt',
      '  title Setup phases per task',
      '  dateFormat x',
      '  axisFormat %M:%S'
    ])
    expect(lines).toContain('  section a')
    expect(lines).toContain('  section b_c')
    expect(lines).toContain('    issue :2000, 3000')
    for (const line of lines.slice(4)) {
      expect(line).toMatch(
        /^( {2}section [^:#;]+| {4}(issue|worktree|copy|push|install) :(crit, )?\d+, \d+)$/
      )
    }
  })

  it('marks the failing phase', () => {
    const gantt = renderGantt(merged([makeResult('a', { status: 'failed' })], ['a']))!
    expect(gantt).toContain('    install :crit, 2000, 5000')
  })
})

describe('computeTotals', () => {
  it('measures wall time, sum and efficiency', () => {
    const totals = computeTotals(
      merged([makeResult('a'), makeResult('b', {}, 5000)], ['a', 'b', 'c'])
    )
    expect(totals).toEqual({
      ready: 2,
      failed: 0,
      missing: 1,
      wallMs: 10_000,
      sumMs: 10_000,
      efficiency: 0.5
    })
  })
})

describe('renderCollectSummary', () => {
  it('escapes titles and lists missing tasks', () => {
    const summary = renderCollectSummary(
      merged([makeResult('a', { title: 'a | <b>bold</b>' })], ['a', 'b'])
    )
    expect(summary).toContain('## Parallel setup: 1 ready, 0 failed, 1 missing')
    expect(summary).toContain(
      '| a \\| &lt;b&gt;bold&lt;/b&gt; (`a`) | [#10](http://127.0.0.1/issues/10) | `task/a` | success (npm) | ready |'
    )
    expect(summary).toContain('| `b` | - | - | - | missing: no result from its leg |')
    expect(summary).toContain('- Parallel efficiency: 100% (sum ÷ (wall time × legs))')
  })
})
