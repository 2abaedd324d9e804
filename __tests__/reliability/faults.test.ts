/**
 * A 100-task run against an emulator that fails at random with a fixed seed: 5xx answers,
 * dropped connections, slow answers and one exhausted primary limit. Every task must end
 * ready or failed with its reason, and a re-run must end with every task ready and exactly
 * one issue each.
 */
import { recordFigures } from '../../test/support/figures.js'
import { createScratchProject, type ScratchProject } from '../../test/support/project.js'

const TASKS = 100
const LEGS = 10

describe('setup under random faults', () => {
  let project: ScratchProject

  afterEach(async () => {
    await project.stop()
  })

  it('ends every task ready or failed with a reason, and a re-run heals it', async () => {
    const tasks = Array.from({ length: TASKS }, (_, i) => ({
      id: `t${i}`,
      title: `Task ${i}`,
      install: 'none'
    }))
    project = await createScratchProject({
      '.github/parallel-setup.yml': JSON.stringify({ version: 1, tasks })
    })
    const faults = project.emulator.faults
    faults.seed = 20261204
    faults.serverErrors.probability = 0.05
    faults.serverErrors.statuses = [500, 502, 503]
    // A gateway error after the write happened is the hardest case: the issue exists, the
    // client never hears of it.
    faults.serverErrors.afterHandler = true
    faults.droppedConnections.probability = 0.03
    faults.droppedConnections.afterHandler = true
    faults.latencyMs['*'] = 40
    faults.exhaustPrimaryOnce()

    const legs = Array.from({ length: LEGS }, (_, leg) =>
      tasks.slice(leg * 10, leg * 10 + 10).map((task) => task.id)
    )
    // Backoff waits are scaled down 20 times, as the emulator's clock is.
    const env = { PARALLEL_SETUP_TIME_SCALE: '20' }
    faults.timeScale = 20
    const first = await Promise.all(
      legs.map((ids, index) =>
        project.run('setup', project.checkout(), { task: ids.join(','), index: String(index) }, env)
      )
    )
    const results = first.flatMap(
      (run) =>
        JSON.parse(run.outputs.result ?? '[]') as Array<{
          task: string
          status: string
          error?: string
        }>
    )
    expect(results).toHaveLength(TASKS)
    for (const result of results) {
      if (result.status === 'failed')
        expect([result.task, typeof result.error, (result.error ?? '').length > 10]).toEqual([
          result.task,
          'string',
          true
        ])
      else expect(result.status).toBe('ready')
    }
    const injected = project.emulator.log.entries().filter((entry) => entry.fault != null)
    expect(injected.length).toBeGreaterThan(0)

    faults.reset()
    const second = await Promise.all(
      legs.map((ids, index) =>
        project.run(
          'setup',
          project.checkout(),
          { task: ids.join(','), index: String(index) },
          { GITHUB_RUN_ATTEMPT: '2' }
        )
      )
    )
    const healed = second.flatMap((run) => JSON.parse(run.outputs.status ?? '[]') as string[])
    expect(healed).toEqual(tasks.map(() => 'ready'))

    const open = [...project.emulator.state.issues.values()].filter(
      (issue) => issue.state === 'open'
    )
    expect(open).toHaveLength(TASKS)
    expect(new Set(open.map((issue) => issue.title)).size).toBe(TASKS)
    project.emulator.assertContract()
    const count = (kind: string) => injected.filter((entry) => entry.fault === kind).length
    recordFigures('faults', {
      tasks: TASKS,
      legs: LEGS,
      seed: 20261204,
      requests: project.emulator.log.entries().length,
      injectedFaults: injected.length,
      faultsByKind: Object.fromEntries(
        [...new Set(injected.map((entry) => String(entry.fault)))].map((kind) => [
          kind,
          count(kind)
        ])
      ),
      failedOnFirstRun: results.filter((result) => result.status === 'failed').length,
      readyAfterReRun: healed.filter((status) => status === 'ready').length,
      issuesTotal: project.emulator.state.issues.size,
      openIssues: open.length,
      duplicateIssues: open.length - TASKS
    })
  })
})
