import fs from 'node:fs'
import path from 'node:path'
import { createScratchProject, type ScratchProject } from '../../test/support/project.js'
import { MAX_JOB_OUTPUTS_SIZE, MAX_TRIMMED_ERROR_LENGTH } from '../../src/results/output.js'
import { jobOutputsSize } from '../../test/support/outputs.js'
import { makeResult } from '../../test/support/results.js'
import { makeTempDir } from '../../test/support/temp.js'

const MANIFEST = [
  'version: 1',
  'defaults:',
  '  install: none',
  'tasks:',
  '  - id: a',
  '    title: Task A',
  '  - id: b',
  '    title: Task B',
  '  - id: c',
  '    title: Task C',
  '    depends-on: [a]',
  ''
].join('\n')

describe('dist/collect', () => {
  let project: ScratchProject

  beforeEach(async () => {
    project = await createScratchProject({ '.github/parallel-setup.yml': MANIFEST })
  })

  afterEach(async () => {
    project.emulator.assertContract()
    await project.stop()
  })

  it('merges the legs and reports a missing one', async () => {
    for (const task of ['a', 'b']) {
      const run = await project.run('setup', project.checkout(), { task })
      expect(run.exitCode).toBe(0)
    }
    const collect = await project.run('collect', project.checkout(), {
      tasks: '["a","b","c"]',
      comment: 'false'
    })
    expect(collect.exitCode).toBe(1)
    expect(collect.outputs.ready).toBe('2')
    expect(collect.outputs.failed).toBe('0')
    expect(collect.outputs.missing).toBe('1')
    expect(collect.outputs['all-ready']).toBe('false')
    const results = JSON.parse(collect.outputs.results!) as Array<{
      task: string
      status: string
      issueNumber?: number
    }>
    expect(results.map((result) => [result.task, result.status, result.issueNumber])).toEqual([
      ['a', 'ready', 1],
      ['b', 'ready', 2],
      ['c', 'missing', undefined]
    ])
    expect(collect.annotations.at(-1)!.message).toContain('1 missing of 3 tasks (fail-on: any)')
    expect(collect.summary).toContain('## Parallel setup: 2 ready, 0 failed, 1 missing')
    expect(collect.summary).toContain('```mermaid\ngantt')
    const file = JSON.parse(fs.readFileSync(collect.outputs['results-file']!, 'utf8'))
    expect(file.tasks).toHaveLength(3)
  })

  it('lets a re-run attempt win', async () => {
    await project.run('setup', project.checkout(), { task: 'a', install: 'exit 1' })
    await project.run('setup', project.checkout(), { task: 'a' }, { GITHUB_RUN_ATTEMPT: '2' })
    const collect = await project.run('collect', project.checkout(), {
      tasks: 'a',
      comment: 'false'
    })
    expect(collect.exitCode).toBe(0)
    expect(JSON.parse(collect.outputs.results!)[0].status).toBe('ready')
    expect(JSON.parse(collect.outputs.results!)[0].run.runAttempt).toBe(2)
  })

  it('ignores results of another run', async () => {
    await project.run('setup', project.checkout(), { task: 'a' }, { GITHUB_RUN_ID: '999' })
    const collect = await project.run('collect', project.checkout(), {
      tasks: 'a',
      comment: 'false',
      'fail-on': 'never'
    })
    expect(collect.exitCode).toBe(0)
    expect(collect.outputs.missing).toBe('1')
    // Each run pushes its results under its own run id, so another run's result is never read.
    expect(collect.summary).not.toContain('run 999')
  })

  it('keeps the results of overlapping runs apart', async () => {
    for (const runId of ['5001', '5002']) {
      const leg = await project.run(
        'setup',
        project.checkout(),
        { task: 'a' },
        { GITHUB_RUN_ID: runId }
      )
      expect(leg.exitCode).toBe(0)
    }
    for (const runId of ['5001', '5002']) {
      const collect = await project.run(
        'collect',
        project.checkout(),
        { tasks: 'a', comment: 'false' },
        { GITHUB_RUN_ID: runId }
      )
      expect([runId, collect.exitCode, collect.outputs.ready]).toEqual([runId, 0, '1'])
      expect(JSON.parse(collect.outputs.results!)[0].run.runId).toBe(runId)
    }
  })

  it('posts one comment and updates it on a re-run', async () => {
    const parent = project.emulator.state.addIssue({ title: 'Parent' })
    await project.run('setup', project.checkout(), { task: 'a' })
    for (let attempt = 1; attempt <= 3; attempt++) {
      const collect = await project.run(
        'collect',
        project.checkout(),
        { tasks: 'a', 'parent-issue': String(parent.number) },
        { GITHUB_RUN_ATTEMPT: String(attempt) }
      )
      expect(collect.exitCode).toBe(0)
    }
    const comments = [...project.emulator.state.comments.values()].filter(
      (comment) => comment.issueNumber === parent.number
    )
    expect(comments).toHaveLength(1)
    expect(comments[0]!.body).toContain('## Parallel setup: 1 ready, 0 failed, 0 missing')
  })

  it('names the input when the parent issue does not exist', async () => {
    await project.run('setup', project.checkout(), { task: 'a' })
    const collect = await project.run('collect', project.checkout(), {
      tasks: 'a',
      'parent-issue': '999'
    })
    expect(collect.exitCode).toBe(1)
    const errors = collect.annotations.filter((annotation) => annotation.level === 'error')
    expect(errors.map((annotation) => annotation.message)).toEqual([
      expect.stringContaining(
        "Issue #999 in octo-org/scratch does not exist, so the summary cannot be posted on it or linked to it. Set 'parent-issue'"
      )
    ])
  })

  it('reads results from a folder', async () => {
    const folder = makeTempDir()
    const run = {
      repository: 'octo-org/scratch',
      runId: '1001',
      runAttempt: 1,
      manifest: '.github/parallel-setup.yml'
    }
    fs.writeFileSync(path.join(folder, 'a.json'), JSON.stringify(makeResult('a', { run })))
    fs.writeFileSync(
      path.join(folder, 'b.json'),
      JSON.stringify(makeResult('b', { run, status: 'failed', error: 'boom' }))
    )
    fs.writeFileSync(path.join(folder, 'junk.json'), '{not json')
    const collect = await project.run('collect', project.checkout(), {
      'results-dir': folder,
      comment: 'false',
      'fail-on': 'missing'
    })
    expect(collect.outputs.ready).toBe('1')
    expect(collect.outputs.failed).toBe('1')
    expect(collect.outputs.missing).toBe('1')
    expect(collect.exitCode).toBe(1)
    expect(collect.summary).toContain('`junk.json`: it is not valid JSON')
  })

  it("trims the results output past GitHub's limit and keeps the file whole", async () => {
    const folder = makeTempDir()
    const run = {
      repository: 'octo-org/scratch',
      runId: '1001',
      runAttempt: 1,
      manifest: '.github/parallel-setup.yml'
    }
    const error = 'e'.repeat(400_000)
    for (const task of ['a', 'b', 'c']) {
      fs.writeFileSync(
        path.join(folder, `${task}.json`),
        JSON.stringify(makeResult(task, { run, status: 'failed', error }))
      )
    }
    const collect = await project.run('collect', project.checkout(), {
      'results-dir': folder,
      comment: 'false',
      'fail-on': 'never'
    })
    expect(collect.exitCode).toBe(0)
    const resultsFile = collect.outputs['results-file']!
    const short = `${'e'.repeat(MAX_TRIMMED_ERROR_LENGTH - 1)}…`
    expect(JSON.parse(collect.outputs.results!)).toEqual({
      truncated: true,
      total: 3,
      included: 3,
      omitted: 0,
      ready: 0,
      failed: 3,
      missing: 0,
      resultsFile,
      tasks: ['a', 'b', 'c'].map((task) => ({
        task,
        status: 'failed',
        issueNumber: 10,
        branch: `task/${task}`,
        error: short
      }))
    })
    expect(collect.annotations.map((a) => a.message).join('\n')).toContain(
      "so 'results' is an object with truncated: true that lists 3 of 3 tasks in short form"
    )
    const file = JSON.parse(fs.readFileSync(resultsFile, 'utf8'))
    expect(file.tasks[0].result.error).toHaveLength(400_000)
    expect(jobOutputsSize(collect.outputs)).toBeLessThanOrEqual(MAX_JOB_OUTPUTS_SIZE)
  })

  it('rejects an unknown task id', async () => {
    const collect = await project.run('collect', project.checkout(), {
      tasks: 'a,zzz',
      comment: 'false'
    })
    expect(collect.exitCode).toBe(1)
    expect(collect.annotations[0]!.message).toContain(
      "Invalid input 'tasks': 'zzz' is not in .github/parallel-setup.yml. Known ids: a, b, c."
    )
  })
})
