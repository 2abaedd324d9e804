import { mergeResults, type MergedResults } from '../../src/results/merge.js'
import {
  MAX_JOB_OUTPUTS_SIZE,
  MAX_TRIMMED_ERROR_LENGTH,
  outputRecordSize,
  outputSize,
  renderResultsOutput,
  type TrimmedResults
} from '../../src/results/output.js'
import { addParsed, type FetchedResults } from '../../src/results/transport.js'
import { makeManyResults, makeResult } from '../../test/support/results.js'

const RESULTS_FILE = '/tmp/parallel-setup/collected-results.json'

function merge(expected: string[], results: ReturnType<typeof makeResult>[]): MergedResults {
  const fetched: FetchedResults = { results: [], rejected: [] }
  for (const result of results) addParsed(fetched, result.task, JSON.stringify(result))
  return mergeResults(expected, fetched, { runId: '100', manifest: '.github/parallel-setup.yml' })
}

describe('outputSize', () => {
  it.each([
    ['ascii', 'abc', 6],
    ['two-byte UTF-8', 'é', 2],
    ['three-byte UTF-8', '失敗', 6],
    ['surrogate pair', '🙂', 4]
  ])('counts %s', (_kind, text, size) => {
    expect(outputSize(text)).toBe(size)
  })

  it('counts the GITHUB_OUTPUT record', () => {
    // 'results<<' + 49-character delimiter + CRLF, the value + CRLF, the delimiter + CRLF.
    expect(outputRecordSize('results', 'abc')).toBe(2 * (9 + 49 + 2 + 3 + 2 + 49 + 2))
  })
})

describe('renderResultsOutput', () => {
  it('keeps the full array when it fits', () => {
    const merged = merge(['a', 'b'], [makeResult('a')])
    const output = renderResultsOutput(merged, { maxSize: 100_000, resultsFile: RESULTS_FILE })
    expect(output.truncated).toBe(false)
    expect(output.included).toBe(2)
    expect(JSON.parse(output.json)).toEqual([
      { ...makeResult('a'), task: 'a', status: 'ready' },
      { task: 'b', status: 'missing' }
    ])
  })

  it.each([
    [5_000, 100, 'plain', 'boom'],
    [5_000, 100, 'multi-byte', '失敗🙂 '.repeat(100)],
    [20_000, 40, 'plain', 'x'.repeat(1_000)],
    [1_000, 100, 'multi-byte', 'échec '.repeat(20_000)]
  ])('fits %i tasks with %i-character ids and %s reasons', (count, idLength, _kind, error) => {
    const { expected, results } = makeManyResults(count, { idLength, error })
    const merged = merge(expected, results)
    const maxSize = MAX_JOB_OUTPUTS_SIZE - 1_000
    const output = renderResultsOutput(merged, { maxSize, resultsFile: RESULTS_FILE })

    expect(output.truncated).toBe(true)
    expect(outputRecordSize('results', output.json)).toBeLessThanOrEqual(maxSize)
    const parsed = JSON.parse(output.json) as TrimmedResults
    const failed = Math.ceil(count / 10)
    const missing = Math.ceil((count - 1) / 10)
    expect({ ...parsed, tasks: undefined }).toEqual({
      truncated: true,
      total: count,
      included: output.included,
      omitted: count - output.included,
      ready: count - failed - missing,
      failed,
      missing,
      resultsFile: RESULTS_FILE,
      tasks: undefined
    })
    expect(parsed.tasks).toHaveLength(output.included)

    // Failed tasks first, then missing, then ready, each in manifest order, as a prefix.
    const order = [
      ...merged.tasks.filter((task) => task.status === 'failed'),
      ...merged.tasks.filter((task) => task.status === 'missing'),
      ...merged.tasks.filter((task) => task.status === 'ready')
    ]
    const entry = (index: number): Record<string, unknown> => {
      const task = order[index]!
      return {
        task: task.task,
        status: task.status,
        issueNumber: task.result ? 10 : null,
        branch: task.result ? `task/${task.task}` : null,
        ...(task.status === 'failed'
          ? {
              error:
                error.length <= MAX_TRIMMED_ERROR_LENGTH
                  ? error
                  : `${error.slice(0, MAX_TRIMMED_ERROR_LENGTH - 1)}…`
            }
          : {})
      }
    }
    expect(parsed.tasks).toEqual(parsed.tasks.map((_, index) => entry(index)))

    // One more entry would not fit: the output uses the space it has.
    if (output.included < count) {
      const more = JSON.stringify({
        ...parsed,
        included: parsed.included + 1,
        omitted: parsed.omitted - 1,
        tasks: [...parsed.tasks, entry(output.included)]
      })
      expect(outputRecordSize('results', more)).toBeGreaterThan(
        maxSize - 2 * outputSize('x'.repeat(4))
      )
    }
  })

  it('keeps every task in short form when that fits', () => {
    const run = {
      repository: 'octo/repo',
      runId: '100',
      runAttempt: 1,
      manifest: '.github/parallel-setup.yml'
    }
    const error = 'e'.repeat(400_000)
    const merged = merge(
      ['a', 'b', 'c'],
      ['a', 'b', 'c'].map((task) => makeResult(task, { run, status: 'failed', error }))
    )
    const output = renderResultsOutput(merged, {
      maxSize: MAX_JOB_OUTPUTS_SIZE,
      resultsFile: RESULTS_FILE
    })
    const short = `${'e'.repeat(MAX_TRIMMED_ERROR_LENGTH - 1)}…`
    expect(JSON.parse(output.json)).toEqual({
      truncated: true,
      total: 3,
      included: 3,
      omitted: 0,
      ready: 0,
      failed: 3,
      missing: 0,
      resultsFile: RESULTS_FILE,
      tasks: ['a', 'b', 'c'].map((task) => ({
        task,
        status: 'failed',
        issueNumber: 10,
        branch: `task/${task}`,
        error: short
      }))
    })
  })
})
