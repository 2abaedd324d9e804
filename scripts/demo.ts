/**
 * Runs the main job end to end on one machine, as a new user would see it: the example
 * workflow_dispatch workflow, through the runner harness, against the GitHub API emulator
 * on 127.0.0.1 and a local bare repository made from examples/demo-project. Every leg runs
 * a real `npm ci` in its own worktree. Everything stays in the output folder afterwards.
 *
 * Usage: npm run demo [-- --out <folder>]
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { GitHubEmulator } from '../test/emulator/index.js'
import { createGitSandbox } from '../test/git/repos.js'
import { describeFailures, runWorkflow, type WorkflowRun } from '../test/harness/workflow.js'

const repositoryRoot = path.dirname(path.dirname(fileURLToPath(import.meta.url)))

export interface DemoResult {
  run: WorkflowRun
  output: string
  summaryFile: string
  issuesFile: string
  /** The collect job's outputs: results, ready, failed, missing, all-ready, results-file. */
  collect: Record<string, string>
}

/** Builds the scratch repository, runs the example workflow and writes what a person reads. */
export async function runDemo(
  output: string,
  log: (line: string) => void = console.log
): Promise<DemoResult> {
  fs.rmSync(output, { recursive: true, force: true })
  fs.mkdirSync(output, { recursive: true })

  log(`Creating a scratch repository from examples/demo-project in ${output}`)
  const sandbox = createGitSandbox()
  const remote = path.join(output, 'remote.git')
  const seed = path.join(sandbox.root, 'seed')
  sandbox.git(output, ['init', '--quiet', '--bare', '--initial-branch=main', remote])
  fs.cpSync(path.join(repositoryRoot, 'examples', 'demo-project'), seed, { recursive: true })
  sandbox.git(seed, ['init', '--quiet', '--initial-branch=main'])
  sandbox.git(seed, ['add', '--all'])
  sandbox.git(seed, ['commit', '--quiet', '-m', 'Start the demo project'])
  sandbox.git(seed, ['push', '--quiet', remote, 'main:main'])

  const emulator = await GitHubEmulator.start({ owner: 'octo-org', repo: 'demo-project' })
  log(`GitHub API emulator listening on ${emulator.url}`)
  try {
    log('Running examples/workflow-dispatch.yml: plan, one setup leg per task in parallel, collect')
    const run = await runWorkflow(path.join(repositoryRoot, 'examples', 'workflow-dispatch.yml'), {
      event: 'workflow_dispatch',
      remote,
      emulator,
      directory:
        fs.mkdirSync(path.join(output, 'run'), { recursive: true }) ?? path.join(output, 'run'),
      stepTimeoutMs: 600_000
    })
    const failures = describeFailures(run)
    if (failures) log(`Some steps failed:\n${failures}`)

    const collectLeg = run.jobs.collect?.legs[0]
    const summary = collectLeg?.summary ?? '(collect did not run)\n'
    const summaryFile = path.join(output, 'summary.md')
    fs.writeFileSync(summaryFile, summary)

    const issues = [...emulator.state.issues.values()].map((issue) => ({
      number: issue.number,
      title: issue.title,
      state: issue.state,
      labels: issue.labelIds.map((id) => emulator.state.labelById(id)?.name),
      body: issue.body
    }))
    const issuesFile = path.join(output, 'issues.json')
    fs.writeFileSync(issuesFile, `${JSON.stringify(issues, null, 2)}\n`)
    emulator.assertContract()

    log('')
    log(summary)
    log(`Job summary:  ${summaryFile}`)
    log(`Issues:       ${issuesFile}`)
    for (const leg of run.jobs.setup?.legs ?? []) {
      log(`Worktree:     ${path.join(leg.workspace, '.worktrees', String(leg.matrix?.task ?? ''))}`)
    }
    return { run, output, summaryFile, issuesFile, collect: run.jobs.collect?.outputs ?? {} }
  } finally {
    await emulator.stop()
    sandbox.cleanup()
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const { values } = parseArgs({ options: { out: { type: 'string' } } })
  const output = path.resolve(values.out ?? path.join(repositoryRoot, 'demo-output'))
  const demo = await runDemo(output)
  process.exitCode = demo.run.conclusion === 'success' ? 0 : 1
}
