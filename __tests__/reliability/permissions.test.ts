/**
 * Least privilege: every REST call an action makes is one its documented permissions cover.
 */
import { ACTION_ENDPOINTS } from '../../src/github/permissions.js'
import { createScratchProject, type ScratchProject } from '../../test/support/project.js'

describe('least privilege', () => {
  let project: ScratchProject

  beforeAll(async () => {
    const tasks = [
      { id: 'a', title: 'A', install: 'none', milestone: 'v1' },
      { id: 'b', title: 'B', install: 'none', 'depends-on': ['a'] }
    ]
    project = await createScratchProject({
      '.github/parallel-setup.yml': JSON.stringify({ version: 1, tasks })
    })
    project.emulator.state.addMilestone({ title: 'v1' })
  })

  afterAll(async () => {
    await project.stop()
  })

  function routesSince(sequence: number): string[] {
    return [
      ...new Set(
        project.emulator.log
          .entries()
          .filter((entry) => entry.seq >= sequence)
          .map((entry) => entry.route ?? '(unknown)')
      )
    ]
  }

  it('setup calls only its documented endpoints', async () => {
    const start = project.emulator.log.nextSeq
    for (const attempt of ['1', '2']) {
      await Promise.all(
        ['a', 'b', 'a'].map((task) =>
          project.run('setup', project.checkout(), { task }, { GITHUB_RUN_ATTEMPT: attempt })
        )
      )
    }
    const allowed = Object.keys(ACTION_ENDPOINTS.setup)
    expect(routesSince(start).filter((route) => !allowed.includes(route))).toEqual([])
  })

  it('collect calls only its documented endpoints', async () => {
    const parent = project.emulator.state.addIssue({ title: 'Parent' })
    const start = project.emulator.log.nextSeq
    for (const attempt of ['1', '2']) {
      await project.run(
        'collect',
        project.checkout(),
        { 'parent-issue': String(parent.number) },
        { GITHUB_RUN_ATTEMPT: attempt }
      )
    }
    const allowed = Object.keys(ACTION_ENDPOINTS.collect)
    expect(routesSince(start).filter((route) => !allowed.includes(route))).toEqual([])
  })
})

describe('secrets', () => {
  it('masks the token and never prints it', async () => {
    const project = await createScratchProject({
      '.github/parallel-setup.yml': 'version: 1\ntasks:\n  - {id: a, title: A, install: none}\n'
    })
    const token = project.emulator.tokens[0]!
    const run = await project.run(
      'setup',
      project.checkout(),
      { task: 'a' },
      { ACTIONS_STEP_DEBUG: 'true', RUNNER_DEBUG: '1' }
    )
    await project.stop()
    expect(run.outputs.status).toBe('ready')
    const lines = `${run.stdout}\n${run.stderr}`.split('\n').filter((line) => line.includes(token))
    // The runner reads ::add-mask:: and replaces the token with *** in every later line.
    expect(lines).toEqual([`::add-mask::${token}`])
    expect(JSON.stringify(run.outputs)).not.toContain(token)
  })
})
