/**
 * Runs examples/workflow-dispatch.yml, the workflow users copy, end to end: plan, one setup
 * leg per task as concurrent processes, and collect, with the bundles in dist/ against a local
 * bare repository and the GitHub API emulator.
 */
import path from 'node:path'
import { GitHubEmulator } from '../../test/emulator/index.js'
import {
  cloneLikeCheckout,
  commitFile,
  createBareRemote,
  createGitSandbox,
  remoteBranchHead,
  type BareRemote,
  type GitSandbox
} from '../../test/git/repos.js'
import { describeFailures, runWorkflow, type LegRun } from '../../test/harness/workflow.js'
import { repositoryRoot } from '../../test/harness/workflow-file.js'

const example = path.join(repositoryRoot, 'examples', 'workflow-dispatch.yml')

const TASKS = ['sessions-table', 'session-api', 'docs']

const manifest = [
  'version: 1',
  'defaults:',
  '  labels: [agent-task]',
  '  install: none',
  'tasks:',
  '  - id: sessions-table',
  '    title: Add the sessions table',
  '  - id: session-api',
  "    title: 'Session API: login and logout endpoints'",
  '    depends-on: [sessions-table]',
  '  - id: docs',
  '    title: Document the login flow',
  ''
].join('\n')

let sandbox: GitSandbox
let remote: BareRemote
let emulator: GitHubEmulator

beforeAll(async () => {
  sandbox = createGitSandbox()
  remote = createBareRemote(sandbox, 'demo', 1)
  const seed = cloneLikeCheckout(sandbox, remote, 'seed')
  commitFile(sandbox, seed, '.github/parallel-setup.yml', manifest, 'Add the task manifest')
  sandbox.git(seed, ['push', '--quiet', 'origin', 'main'])
  emulator = await GitHubEmulator.start({ owner: 'octo-org', repo: 'demo' })
})

afterAll(async () => {
  await emulator?.stop()
  sandbox?.cleanup()
})

function stepOutputs(leg: LegRun | undefined, id: string): Record<string, string> {
  const step = leg?.steps.find((candidate) => candidate.id === id)
  if (!step) throw new Error(`No step '${id}' in leg '${leg?.name}'.`)
  return step.outputs
}

describe('examples/workflow-dispatch.yml', () => {
  it('sets up three tasks end to end', async () => {
    const run = await runWorkflow(example, {
      event: 'workflow_dispatch',
      remote: remote.path,
      emulator
    })
    expect(describeFailures(run)).toBe('')
    expect(run.conclusion).toBe('success')

    expect(run.jobs.plan!.outputs).toEqual({
      matrix: JSON.stringify({
        include: [
          { task: 'sessions-table', title: 'Add the sessions table', index: 0 },
          { task: 'session-api', title: 'Session API: login and logout endpoints', index: 1 },
          { task: 'docs', title: 'Document the login flow', index: 2 }
        ]
      }),
      'task-ids': JSON.stringify(TASKS),
      'has-tasks': 'true',
      'planned-at': expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    })

    const legs = run.jobs.setup!.legs
    expect(legs.map((leg) => leg.name)).toEqual([
      'setup Add the sessions table',
      'setup Session API: login and logout endpoints',
      'setup Document the login flow'
    ])
    expect(legs.map((leg) => leg.result)).toEqual(['success', 'success', 'success'])
    expect(legs.map((leg) => stepOutputs(leg, 'setup').status)).toEqual(['ready', 'ready', 'ready'])
    expect(legs.map((leg) => stepOutputs(leg, 'setup').branch)).toEqual(
      TASKS.map((id) => `task/${id}`)
    )
    // The legs ran as concurrent processes: each started before any of them finished.
    const lastStart = Math.max(...legs.map((leg) => leg.startedAt))
    const firstFinish = Math.min(...legs.map((leg) => leg.finishedAt))
    expect(lastStart).toBeLessThan(firstFinish)

    const collect = stepOutputs(run.jobs.collect!.legs[0], 'collect')
    expect(collect.ready).toBe('3')
    expect(collect.failed).toBe('0')
    expect(collect.missing).toBe('0')
    expect(collect['all-ready']).toBe('true')
    expect(run.jobs.collect!.outputs['all-ready']).toBe('true')

    const issues = [...emulator.state.issues.values()]
    expect(issues).toHaveLength(TASKS.length)
    for (const id of TASKS) {
      const marked = issues.filter((issue) =>
        issue.body?.includes(`<!-- parallel-setup:task=${id} `)
      )
      expect(marked).toHaveLength(1)
    }
    for (const [index, id] of TASKS.entries()) {
      expect(stepOutputs(legs[index], 'setup')['issue-number']).toBe(
        String(issues.find((issue) => issue.body?.includes(`task=${id} `))!.number)
      )
    }

    for (const id of TASKS) {
      expect(remoteBranchHead(sandbox, remote, `task/${id}`)).toMatch(/^[0-9a-f]{40}$/)
    }
    emulator.assertContract()
  })
})
