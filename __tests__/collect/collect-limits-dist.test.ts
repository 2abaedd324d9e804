/**
 * dist/collect with more results than GitHub's limits hold: 5,000 tasks with 100-character
 * ids and long multi-byte failure reasons, read from a results folder, with a comment on
 * the parent issue in the emulator, which rejects bodies over 65,536 characters.
 */
import fs from 'node:fs'
import path from 'node:path'
import { MAX_BODY_LENGTH } from '../../src/github/body.js'
import { MAX_JOB_OUTPUTS_SIZE, type TrimmedResults } from '../../src/results/output.js'
import { MAX_STEP_SUMMARY_BYTES } from '../../src/summary/limits.js'
import { jobOutputsSize } from '../../test/support/outputs.js'
import { createScratchProject, type ScratchProject } from '../../test/support/project.js'
import { makeManyResults } from '../../test/support/results.js'
import { makeTempDir } from '../../test/support/temp.js'

const COUNT = 5_000
const ERROR = 'échec 失敗🙂 '.repeat(2_000)
const RUN = {
  repository: 'octo-org/scratch',
  runId: '1001',
  runAttempt: 1,
  manifest: '.github/parallel-setup.yml'
}

let project: ScratchProject
let folder: string
let expected: string[]

beforeAll(async () => {
  const many = makeManyResults(COUNT, { idLength: 100, error: ERROR })
  expected = many.expected
  const manifest = [
    'version: 1',
    'defaults:',
    '  install: none',
    'tasks:',
    ...expected.flatMap((id) => [`  - id: ${id}`, `    title: Task ${id}`]),
    ''
  ].join('\n')
  project = await createScratchProject({ '.github/parallel-setup.yml': manifest })
  folder = makeTempDir()
  for (const result of many.results) {
    fs.writeFileSync(
      path.join(folder, `${result.task}.json`),
      JSON.stringify({ ...result, run: RUN })
    )
  }
})

afterAll(async () => {
  project.emulator.assertContract()
  await project.stop()
})

describe('dist/collect at 5,000 results', () => {
  it('keeps outputs, summary and comment in limits', async () => {
    const parent = project.emulator.state.addIssue({ title: 'Parent' })
    const comments = (): Array<{ body: string }> =>
      [...project.emulator.state.comments.values()].filter(
        (comment) => comment.issueNumber === parent.number
      )

    for (let attempt = 1; attempt <= 2; attempt++) {
      const collect = await project.run(
        'collect',
        project.checkout(),
        {
          'results-dir': folder,
          'parent-issue': String(parent.number),
          'link-issues': 'false',
          'fail-on': 'never'
        },
        { GITHUB_RUN_ATTEMPT: String(attempt) }
      )
      expect(collect.exitCode).toBe(0)
      expect(collect.stdout).toContain(
        `${attempt === 1 ? 'Posted' : 'Updated'} the summary on issue #${parent.number}`
      )

      // Outputs: valid JSON within the job's limit, with counts and the file's path.
      expect(jobOutputsSize(collect.outputs)).toBeLessThanOrEqual(MAX_JOB_OUTPUTS_SIZE)
      const results = JSON.parse(collect.outputs.results!) as TrimmedResults
      expect(results.truncated).toBe(true)
      expect([results.total, results.ready, results.failed, results.missing]).toEqual([
        5_000, 4_000, 500, 500
      ])
      expect(results.included + results.omitted).toBe(COUNT)
      expect(results.tasks).toHaveLength(results.included)
      expect(results.omitted).toBeGreaterThan(0)
      expect(results.resultsFile).toBe(collect.outputs['results-file'])
      expect(results.tasks.slice(0, 500).every((task) => task.status === 'failed')).toBe(true)
      expect(collect.outputs.ready).toBe('4000')
      expect(collect.outputs.failed).toBe('500')
      expect(collect.outputs.missing).toBe('500')

      // The file keeps every result whole.
      const file = JSON.parse(fs.readFileSync(collect.outputs['results-file']!, 'utf8'))
      expect(file.tasks).toHaveLength(COUNT)
      expect(file.tasks[0].result.error).toBe(ERROR)

      // The job summary: within 1 MiB, with a note that counts the rows left out.
      expect(Buffer.byteLength(collect.summary)).toBeLessThanOrEqual(MAX_STEP_SUMMARY_BYTES)
      const rows = collect.summary
        .split('\n')
        .filter((line) => line.startsWith('| Task task-') || line.startsWith('| `task-'))
      expect(collect.summary).toContain(
        `the table shows ${rows.length.toLocaleString('en-US')} of 5,000 tasks, failed and missing ones first, ` +
          `and leaves out ${(COUNT - rows.length).toLocaleString('en-US')} rows`
      )
      expect(collect.summary).toContain(
        `Every result is in \`${collect.outputs['results-file']}\`, the file that the collect step's \`results-file\` output names.`
      )
      expect(collect.summary).toContain('## Parallel setup: 4000 ready, 500 failed, 500 missing')
      expect(collect.summary).toContain('### Totals')
    }

    // One comment, updated by the second attempt, within GitHub's limit and cut visibly.
    expect(comments()).toHaveLength(1)
    const body = comments()[0]!.body
    expect([...body].length).toBeLessThanOrEqual(MAX_BODY_LENGTH)
    expect(body).toContain(
      "> This summary was cut to fit GitHub's limit of 65,536 characters per comment: the table shows "
    )
    expect(body).toContain('Every result is in the results file of [run 1001](')
    expect(
      body.endsWith('<!-- parallel-setup:summary manifest=.github%2Fparallel-setup.yml -->')
    ).toBe(true)
    const fences = body.split('\n').filter((line) => line.startsWith('```'))
    expect(fences).toEqual(['```mermaid', '```'])
  })
})
