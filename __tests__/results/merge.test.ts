import { mergeResults } from '../../src/results/merge.js'
import { addParsed, type FetchedResults } from '../../src/results/transport.js'
import { makeResult } from '../../test/support/results.js'

const run = { runId: '100', manifest: '.github/parallel-setup.yml' }

function fetchedFrom(entries: Array<[string, unknown]>): FetchedResults {
  const fetched: FetchedResults = { results: [], rejected: [] }
  for (const [source, value] of entries)
    addParsed(fetched, source, typeof value === 'string' ? value : JSON.stringify(value))
  return fetched
}

describe('mergeResults', () => {
  it('keeps every leg and lets a re-run attempt win', () => {
    const fetched = fetchedFrom([
      ['leg-1', makeResult('a', { title: 'Same' })],
      ['leg-2', makeResult('b', { title: 'Same', status: 'failed', error: 'install failed' })],
      ['leg-3', makeResult('c', { title: '' })],
      [
        'leg-2-rerun',
        makeResult('b', { title: 'Same', run: { ...makeResult('b').run, runAttempt: 2 } })
      ]
    ])
    const merged = mergeResults(['a', 'b', 'c'], fetched, run)
    expect(
      merged.tasks.map((task) => [task.task, task.status, task.result?.run.runAttempt])
    ).toEqual([
      ['a', 'ready', 1],
      ['b', 'ready', 2],
      ['c', 'ready', 1]
    ])
    expect(merged.rejected).toEqual([])
  })

  it('ignores an older attempt that arrives later', () => {
    const second = makeResult('a', {
      run: { ...makeResult('a').run, runAttempt: 2 },
      status: 'failed'
    })
    const first = makeResult('a', { finishedAt: '2030-01-01T00:00:00.000Z' })
    const merged = mergeResults(
      ['a'],
      fetchedFrom([
        ['second', second],
        ['first', first]
      ]),
      run
    )
    expect(merged.tasks[0]!.status).toBe('failed')
  })

  it('reports missing tasks, never as success', () => {
    const merged = mergeResults(['a', 'b'], fetchedFrom([['a', makeResult('a')]]), run)
    expect(merged.tasks.map((task) => task.status)).toEqual(['ready', 'missing'])
    expect(merged.tasks[1]!.result).toBeNull()
  })

  it('rejects corrupt, foreign and unexpected results', () => {
    const fetched = fetchedFrom([
      ['broken.json', '{"format": 1, "task": '],
      ['old-format.json', { ...makeResult('a'), format: 0 }],
      ['other-run.json', makeResult('a', { run: { ...makeResult('a').run, runId: '99' } })],
      [
        'other-manifest.json',
        makeResult('a', { run: { ...makeResult('a').run, manifest: 'other.yml' } })
      ],
      ['stranger.json', makeResult('zzz')]
    ])
    const merged = mergeResults(['a'], fetched, run)
    expect(merged.tasks[0]!.status).toBe('missing')
    expect(merged.rejected.map((rejected) => [rejected.source, rejected.reason])).toEqual([
      ['broken.json', expect.stringContaining('it is not valid JSON')],
      ['old-format.json', 'its format is 0, not 1'],
      ['other-run.json', 'it is from run 99, not this run 100'],
      [
        'other-manifest.json',
        "it belongs to the manifest 'other.yml', not '.github/parallel-setup.yml'"
      ],
      ['stranger.json', "its task 'zzz' is not among the expected tasks"]
    ])
  })

  it('merges 256 results with failures and gaps', () => {
    const ids = Array.from({ length: 256 }, (_, i) => `t${i}`)
    const entries: Array<[string, unknown]> = []
    ids.forEach((id, i) => {
      if (i % 10 === 9) return
      entries.push([id, makeResult(id, i % 7 === 0 ? { status: 'failed', error: 'boom' } : {})])
    })
    const merged = mergeResults(ids, fetchedFrom(entries), run)
    const count = (status: string): number =>
      merged.tasks.filter((task) => task.status === status).length
    expect(merged.tasks).toHaveLength(256)
    expect(count('missing')).toBe(25)
    expect(count('failed')).toBe(34)
    expect(count('ready')).toBe(197)
  })
})
