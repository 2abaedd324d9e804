/**
 * Sets up 20 tasks of one checkout all at once with the CLI, several times. This stresses
 * the git commands that share one `.git` folder: worktree adds, fetches into a shallow
 * clone, pushes that set upstreams, and the claim refs of the issues. Every run must end
 * with every task ready, and a re-run must change nothing.
 */
import fs from 'node:fs'
import path from 'node:path'
import { DEFAULT_TOKEN, GitHubEmulator } from '../../test/emulator/index.js'
import { remoteBranchHead } from '../../test/git/repos.js'
import type { TaskResult } from '../../src/results/record.js'
import { createCliProject, runCliInProcess, type CliProject } from './helpers.js'

const TASKS = Array.from({ length: 20 }, (_, index) => `t${String(index).padStart(2, '0')}`)
const MANIFEST = [
  'version: 1',
  'defaults:',
  '  install: none',
  '  copy: [.env]',
  'tasks:',
  ...TASKS.flatMap((id) => [`  - id: ${id}`, `    title: Task ${id}`]),
  ''
].join('\n')
const REPETITIONS = 3

interface RunJson {
  tasks: Array<{ task: string; status: string; result: TaskResult }>
}

/** Runs `parallel-setup run --json` with every task at once and returns the task results. */
async function runAll(
  checkout: string,
  env: Record<string, string>,
  extra: string[] = []
): Promise<TaskResult[]> {
  const run = await runCliInProcess(['run', '--json', '--concurrency', '20', ...extra], {
    cwd: checkout,
    env
  })
  const failed = run.exitCode === 0 ? '' : run.stderr
  expect(failed).toBe('')
  const results = (JSON.parse(run.stdout) as RunJson).tasks.map((task) => task.result)
  expect(results.map((result) => [result.task, result.status, result.error])).toEqual(
    TASKS.map((id) => [id, 'ready', undefined])
  )
  return results
}

describe('run with 20 tasks at once', () => {
  let project: CliProject

  beforeEach(() => {
    project = createCliProject(MANIFEST)
  })

  afterEach(() => {
    project.cleanup()
  })

  /** Checks that every task has its worktree at main, its pushed branch and its upstream. */
  const expectSetUp = (checkout: string): void => {
    const main = project.git(['rev-parse', 'HEAD'], checkout)
    for (const id of TASKS) {
      const worktree = path.join(checkout, '.worktrees', id)
      expect(project.git(['rev-parse', 'HEAD'], worktree)).toBe(main)
      expect(fs.readFileSync(path.join(worktree, '.env'), 'utf8')).toContain('SECRET=kept')
      expect(remoteBranchHead(project.sandbox, project.remote, `task/${id}`)).toBe(main)
      expect(project.git(['config', `branch.task/${id}.remote`], checkout)).toBe('origin')
    }
    expect(project.git(['status', '--porcelain'], checkout)).toBe('')
  }

  it.each([
    ['a full clone', 0],
    ['a shallow clone', 1]
  ])('sets up every task in %s', async (_, depth) => {
    for (let repetition = 1; repetition <= REPETITIONS; repetition++) {
      const checkout = path.join(project.sandbox.root, `checkout-${repetition}`)
      const clone = ['clone', '--quiet', ...(depth > 0 ? [`--depth=${depth}`] : [])]
      project.git([...clone, project.remote.url, checkout], project.sandbox.root)
      fs.writeFileSync(path.join(checkout, '.env'), 'SECRET=kept\n')
      // Every repetition pushes the same branches again, so from the second one on the
      // tasks take the path of a branch that exists on origin.
      const first = await runAll(checkout, project.env, ['--no-issues'])
      expect(first.every((result) => result.branchCreated === (repetition === 1))).toBe(true)
      expectSetUp(checkout)

      const again = await runAll(checkout, project.env, ['--no-issues'])
      expect(again.every((result) => !result.branchCreated)).toBe(true)
      expectSetUp(checkout)
    }
  })

  it('prunes once and fetches no current base', async () => {
    const trace = path.join(project.sandbox.root, 'git-trace.log')
    await runAll(project.checkout, { ...project.env, GIT_TRACE: trace }, ['--no-issues'])
    const commands = fs
      .readFileSync(trace, 'utf8')
      .split('\n')
      .filter((line) => line.includes('trace: built-in: git '))
      .map((line) => line.slice(line.indexOf('built-in: git ') + 'built-in: '.length))

    // An add that met another one's half-written registration runs again, so paths are counted.
    const added = commands
      .filter((command) => command.startsWith('git worktree add '))
      .map((command) => command.split(' ').at(-2))
    expect(new Set(added).size).toBe(20)
    // One prune for the run, not one per task, so the worktree adds need not take turns.
    expect(commands.filter((command) => command === 'git worktree prune')).toHaveLength(1)
    // The clone's origin/main is the remote's main already.
    expect(commands.filter((command) => command.startsWith('git fetch '))).toEqual([])
  })

  it('opens each of 20 issues once', async () => {
    const emulator = await GitHubEmulator.start({ owner: 'octo-org', repo: 'scratch' })
    try {
      fs.writeFileSync(path.join(project.checkout, '.env'), 'SECRET=kept\n')
      const env = {
        ...project.env,
        GH_TOKEN: DEFAULT_TOKEN,
        // Writes are spaced 1 s apart. A tenth of that keeps the test short.
        PARALLEL_SETUP_TIME_SCALE: '10'
      }
      const args = ['--repo', 'octo-org/scratch', '--api-url', emulator.url]
      const first = await runAll(project.checkout, env, args)
      expect(first.every((result) => result.issueCreated)).toBe(true)
      expect(new Set(first.map((result) => result.issueNumber)).size).toBe(20)
      expectSetUp(project.checkout)

      const again = await runAll(project.checkout, env, args)
      expect(again.map((result) => [result.issueNumber, result.issueCreated])).toEqual(
        first.map((result) => [result.issueNumber, false])
      )
      expect(emulator.state.issues.size).toBe(20)
      emulator.assertContract()
    } finally {
      await emulator.stop()
    }
  })
})
