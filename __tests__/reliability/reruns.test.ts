/**
 * Re-runs of the whole example workflow, with someone pushing to a task branch in between,
 * then a re-run of one leg alone: every task keeps one issue and one branch, the outputs
 * stay the same, and no pushed commit is lost.
 */
import path from 'node:path'
import { DEFAULT_TOKEN, GitHubEmulator } from '../../test/emulator/index.js'
import {
  cloneLikeCheckout,
  commitFile,
  createBareRemote,
  createGitSandbox,
  pushCommitAsSomeoneElse,
  remoteBranchHead,
  type BareRemote,
  type GitSandbox
} from '../../test/git/repos.js'
import { runAction } from '../../test/harness/run-action.js'
import { describeFailures, runWorkflow } from '../../test/harness/workflow.js'
import { repositoryRoot } from '../../test/harness/workflow-file.js'
import { recordFigures } from '../../test/support/figures.js'

const TASKS = ['alpha', 'beta', 'gamma', 'delta']
const manifest = [
  'version: 1',
  'defaults:',
  '  install: none',
  'tasks:',
  ...TASKS.map((id) => `  - id: ${id}\n    title: Task ${id}`),
  ''
].join('\n')

let sandbox: GitSandbox
let remote: BareRemote
let emulator: GitHubEmulator

beforeAll(async () => {
  sandbox = createGitSandbox()
  remote = createBareRemote(sandbox, 'reruns', 1)
  const seed = cloneLikeCheckout(sandbox, remote, 'seed')
  commitFile(sandbox, seed, '.github/parallel-setup.yml', manifest, 'Add the task manifest')
  sandbox.git(seed, ['push', '--quiet', 'origin', 'main'])
  emulator = await GitHubEmulator.start({ owner: 'octo-org', repo: 'reruns' })
})

afterAll(async () => {
  await emulator?.stop()
  sandbox?.cleanup()
})

describe('workflow re-runs', () => {
  it('keeps one issue and branch per task and every pushed commit', async () => {
    const example = path.join(repositoryRoot, 'examples', 'workflow-dispatch.yml')
    const outputs: string[] = []
    const pushed: Array<[string, string]> = []
    for (const attempt of [1, 2, 3]) {
      const run = await runWorkflow(example, {
        event: 'workflow_dispatch',
        remote: remote.path,
        emulator,
        runId: 7000,
        runAttempt: attempt
      })
      expect(describeFailures(run)).toBe('')
      const results = JSON.parse(run.jobs.collect!.outputs.results!) as Array<{
        task: string
        issueNumber: number
        branch: string
        status: string
      }>
      outputs.push(
        JSON.stringify(
          results.map((result) => [result.task, result.issueNumber, result.branch, result.status])
        )
      )
      // Someone works on a task branch between two runs.
      const task = TASKS[attempt - 1]!
      pushed.push([
        task,
        pushCommitAsSomeoneElse(
          sandbox,
          remote,
          `task/${task}`,
          `work-${attempt}.txt`,
          `attempt ${attempt}\n`
        )
      ])
    }
    expect(new Set(outputs).size).toBe(1)

    // Re-run one leg alone, as "Re-run failed jobs" does.
    const leg = await runAction('setup', {
      workspace: cloneLikeCheckout(sandbox, remote, 'rerun-leg'),
      inputs: { task: 'beta', token: DEFAULT_TOKEN },
      env: {
        ...sandbox.env,
        GITHUB_REPOSITORY: 'octo-org/reruns',
        GITHUB_API_URL: emulator.url,
        GITHUB_RUN_ID: '7000',
        GITHUB_RUN_ATTEMPT: '4'
      }
    })
    expect([
      leg.outputs.status,
      leg.outputs['issue-created'],
      leg.outputs['branch-created']
    ]).toEqual(['ready', 'false', 'false'])

    const issues = [...emulator.state.issues.values()]
    expect(issues).toHaveLength(TASKS.length)
    expect(issues.map((issue) => issue.title).sort()).toEqual(
      TASKS.map((id) => `Task ${id}`).sort()
    )
    for (const [task, sha] of pushed) {
      const head = remoteBranchHead(sandbox, remote, `task/${task}`)!
      // The pushed commit is the branch head or an ancestor of it.
      expect(sandbox.git(remote.path, ['merge-base', '--is-ancestor', sha, head]) === '').toBe(true)
    }
    recordFigures('reruns', {
      tasks: TASKS.length,
      workflowRuns: 3,
      legReRuns: 1,
      pushesBetweenRuns: pushed.length,
      issues: issues.length,
      lostCommits: 0
    })
  })
})
