import { createScratchProject, type ScratchProject } from '../../test/support/project.js'
import { remoteBranchHead } from '../../test/git/repos.js'
import { renderMarker } from '../../src/github/body.js'

function manifestWith(count: number, extra = ''): string {
  const tasks = Array.from(
    { length: count },
    (_, i) => `  - id: t${i}\n    title: Task ${i}\n${extra}`
  )
  return ['version: 1', 'defaults:', '  install: none', 'tasks:', ...tasks, ''].join('\n')
}

function openIssuesOf(project: ScratchProject) {
  return [...project.emulator.state.issues.values()].filter((issue) => issue.state === 'open')
}

describe('setup under races and rate limits', () => {
  let project: ScratchProject

  afterEach(async () => {
    project.emulator.assertContract()
    await project.stop()
  })

  it.each([2, 5])('leaves one issue when %i legs race while the list lags', async (legs) => {
    project = await createScratchProject({ '.github/parallel-setup.yml': manifestWith(1) })
    project.emulator.faults.listLagMs = 30_000
    const runs = await Promise.all(
      Array.from({ length: legs }, (_, leg) =>
        project.run(
          'setup',
          project.checkout(),
          { task: 't0' },
          { GITHUB_RUN_ID: String(2000 + leg) }
        )
      )
    )
    expect(runs.map((run) => run.exitCode)).toEqual(runs.map(() => 0))
    expect(openIssuesOf(project)).toHaveLength(1)
    expect([...project.emulator.state.issues.values()]).toHaveLength(1)
    const number = openIssuesOf(project)[0]!.number
    expect(runs.map((run) => run.outputs['issue-number'])).toEqual(runs.map(() => String(number)))
    expect(runs.filter((run) => run.outputs['issue-created'] === 'true')).toHaveLength(1)
  })

  it('leaves one issue when legs with push: false race', async () => {
    project = await createScratchProject({ '.github/parallel-setup.yml': manifestWith(1) })
    project.emulator.faults.listLagMs = 30_000
    const runs = await Promise.all(
      [0, 1, 2].map((leg) =>
        project.run(
          'setup',
          project.checkout(),
          { task: 't0', push: 'false' },
          { GITHUB_RUN_ID: String(3000 + leg) }
        )
      )
    )
    expect(runs.map((run) => run.exitCode)).toEqual([0, 0, 0])
    expect([...project.emulator.state.issues.values()]).toHaveLength(1)
    expect(runs.map((run) => run.outputs['issue-number'])).toEqual(['1', '1', '1'])
    expect(runs.filter((run) => run.outputs['issue-created'] === 'true')).toHaveLength(1)
    expect(remoteBranchHead(project.sandbox, project.remote, 'task/t0')).toBeUndefined()
  })

  it.each([
    ['403-retry-after', 60],
    ['403', 60],
    ['429', 24]
  ] as const)('waits out a secondary limit sent as %s across %i legs', async (response, legs) => {
    project = await createScratchProject({ '.github/parallel-setup.yml': manifestWith(legs) })
    // One emulated minute passes in ten real seconds, and the legs scale their waits to match.
    // A low limit makes sure some creates hit it, however slowly this machine starts the legs.
    project.emulator.faults.timeScale = 6
    project.emulator.faults.secondary.response = response
    project.emulator.faults.secondary.contentPerMinute = 20
    const runs = await Promise.all(
      Array.from({ length: legs }, (_, leg) =>
        project.run(
          'setup',
          project.checkout(),
          { task: `t${leg}`, index: String(leg), push: 'false' },
          { PARALLEL_SETUP_TIME_SCALE: '6' }
        )
      )
    )
    expect(runs.filter((run) => run.exitCode !== 0).map((run) => run.annotations)).toEqual([])
    expect([...project.emulator.state.issues.values()]).toHaveLength(legs)
    const limited = project.emulator.log
      .entries()
      .filter((entry) => entry.status === 403 || entry.status === 429)
    expect(limited.length).toBeGreaterThan(0)
    const waits = runs.map((run) => run.stdout).join('\n')
    expect(waits).toContain(
      "GitHub's secondary rate limit rejected POST /repos/{owner}/{repo}/issues; waiting"
    )
  })

  describe('a leg of the second minute', () => {
    // Two creates a minute, so leg 2 follows the first create of the run. One emulated minute
    // passes in ten real seconds, and the leg scales its waits to match.
    const SCALE = 6
    const listRoute = 'GET /repos/{owner}/{repo}/issues'

    async function runLegTwo(seed: (emulatedPlanMs: number) => void) {
      project = await createScratchProject({ '.github/parallel-setup.yml': manifestWith(3) })
      project.emulator.faults.timeScale = SCALE
      const plannedAt = new Date()
      seed(project.emulator.clock.now())
      const run = await project.run(
        'setup',
        project.checkout(),
        {
          task: 't2',
          index: '2',
          'creates-per-minute': '2',
          'planned-at': plannedAt.toISOString()
        },
        { PARALLEL_SETUP_TIME_SCALE: String(SCALE) }
      )
      expect(run.exitCode).toBe(0)
      const created = [...project.emulator.state.issues.values()].find(
        (issue) => issue.title === 'Task 2'
      )!
      return { run, created }
    }

    const seedIssue = (task: string, createdAt: number) => {
      const issue = project.emulator.state.addIssue({
        title: `Task ${task}`,
        body: renderMarker({ task, manifest: '.github/parallel-setup.yml' }),
        labels: ['parallel-setup']
      })
      issue.createdAt = createdAt
    }

    it('waits until the late minute before leaves the window', async () => {
      let leaderAt = 0
      const { run, created } = await runLegTwo((planMs) => {
        // The first minute came 30 emulated seconds late; its turn was 4 s after the plan.
        leaderAt = planMs + 34_000
        seedIssue('t0', leaderAt)
        seedIssue('t1', leaderAt + 200)
      })
      // GitHub's created_at has whole seconds, so the leg may come up to one second early.
      expect(created.createdAt).toBeGreaterThanOrEqual(leaderAt + 60_000 - 1_000)
      expect(run.stdout).toContain('after its planned turn')
    })

    it('lists once more at its turn when it saw no earlier create', async () => {
      const { created } = await runLegTwo(() => undefined)
      expect(created).toBeDefined()
      expect(project.emulator.log.entries({ route: listRoute })).toHaveLength(2)
    })
  })

  it('cuts a 70,000 character body with a note', async () => {
    const body = 'word '.repeat(14_000)
    project = await createScratchProject({
      '.github/parallel-setup.yml': JSON.stringify({
        version: 1,
        tasks: [{ id: 'big', title: 'Big', body, install: 'none' }]
      })
    })
    const run = await project.run('setup', project.checkout(), { task: 'big' })
    expect(run.exitCode).toBe(0)
    const issue = [...project.emulator.state.issues.values()][0]!
    expect(issue.body!.length).toBeLessThanOrEqual(65_536)
    expect(issue.body).toContain('of 70,000 characters, because GitHub allows at most 65,536')
  })

  it('keeps awkward titles and makes valid branches', async () => {
    const titles = [
      'Fix "double" and \'single\' quotes',
      '{{ template }} braces ${{ github.token }}',
      '#42 leading hash / with slashes',
      'emoji 🚀 only ✨',
      '$(touch /tmp/pwned) `id`',
      'x'.repeat(300)
    ]
    const tasks = titles.map((title, i) => ({
      id: `t${i}`,
      title,
      branch: 'task/{id}-{slug}',
      install: 'none'
    }))
    project = await createScratchProject({
      '.github/parallel-setup.yml': JSON.stringify({ version: 1, tasks })
    })
    const run = await project.run('setup', project.checkout(), {
      task: tasks.map((task) => task.id).join(',')
    })
    expect(run.exitCode).toBe(0)
    const issues = [...project.emulator.state.issues.values()].sort((a, b) => a.number - b.number)
    expect(issues.map((issue) => issue.title)).toEqual(titles)
    const branches = JSON.parse(run.outputs.branch!) as string[]
    expect(branches).toEqual(
      [
        't0-fix-double-and-single-quotes',
        't1-template-braces-github-token',
        't2-42-leading-hash-with-slashes',
        't3-emoji-only',
        't4-touch-tmp-pwned-id',
        `t5-${'x'.repeat(48)}`
      ].map((name) => `task/${name}`)
    )
    for (const branch of branches) {
      expect(remoteBranchHead(project.sandbox, project.remote, branch)).toMatch(/^[0-9a-f]{40}$/)
    }
  })
})
