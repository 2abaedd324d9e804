import fs from 'node:fs'
import path from 'node:path'
import { createCliProject, runCliInProcess, type CliProject } from './helpers.js'
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
  ''
].join('\n')

describe('parallel-setup errors in the user words', () => {
  let project: CliProject

  beforeEach(() => {
    project = createCliProject(MANIFEST)
  })

  afterEach(() => {
    project.cleanup()
  })

  const run = (args: string[], cwd = project.checkout, env = project.env) =>
    runCliInProcess(args, { cwd, env })

  it('rejects a folder outside git', async () => {
    const folder = fs.realpathSync(makeTempDir())
    const result = await run(['run', '--no-issues'], folder)
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toBe(
      `parallel-setup run: ${folder} is not inside a git repository. Run parallel-setup in a clone of the repository whose manifest lists the tasks.\n`
    )
  })

  it('rejects a dirty checkout', async () => {
    fs.writeFileSync(path.join(project.checkout, 'package.json'), '{}\n')
    const result = await run(['run', '--no-issues'])
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toBe(
      `parallel-setup run: The checkout ${project.checkout} has uncommitted changes or untracked files (see git status). ` +
        'The task worktrees start from the base branch on origin, so they would not contain them. ' +
        'Commit, stash or ignore them first, or pass --allow-dirty to set up the tasks anyway.\n'
    )
    expect(fs.existsSync(path.join(project.checkout, '.worktrees', 'a'))).toBe(false)
  })

  it('runs a dirty checkout with --allow-dirty', async () => {
    fs.writeFileSync(path.join(project.checkout, 'notes.txt'), 'mine\n')
    const result = await run(['run', '--no-issues', '--no-push', '--allow-dirty'])
    expect(result.stderr).toContain('a: ready in ')
    expect(result.exitCode).toBe(0)
    expect(fs.existsSync(path.join(project.checkout, '.worktrees', 'a', 'package.json'))).toBe(true)
  })

  it('rejects a base branch missing on origin', async () => {
    fs.writeFileSync(
      path.join(project.checkout, '.github', 'parallel-setup.yml'),
      MANIFEST.replace('  install: none', '  install: none\n  base: release')
    )
    project.git(['commit', '--quiet', '-am', 'Use release as base'])
    const result = await run(['run', '--no-issues'])
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toBe(
      "parallel-setup run: Base branch 'release' (the base of 'a', 'b' in .github/parallel-setup.yml) does not exist on origin. " +
        'Push it first (git push origin release), or pass --base with a branch that exists there.\n'
    )
  })

  it('rejects a --base missing on origin', async () => {
    const result = await run(['run', '--no-issues', '--base', 'nope'])
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toBe(
      "parallel-setup run: Base branch 'nope' (--base) does not exist on origin. " +
        'Push it first (git push origin nope), or pass --base with a branch that exists there.\n'
    )
  })

  it('asks for a token or --no-issues', async () => {
    const result = await run(['run'])
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toBe(
      'parallel-setup run: No GitHub token in GH_TOKEN or GITHUB_TOKEN, so the task issues cannot be opened. ' +
        'Set one (with the GitHub CLI: export GH_TOKEN=$(gh auth token)), or pass --no-issues to set up the tasks without issues.\n'
    )
  })

  it('asks for --repo with a file origin', async () => {
    const result = await run(['run', '--dry-run'], project.checkout, {
      ...project.env,
      GH_TOKEN: 'ghs_test'
    })
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toBe(
      `parallel-setup run: The origin remote ${project.remote.url} is not a GitHub URL such as https://github.com/OWNER/NAME.git, ` +
        'so the GitHub repository for the issues is unknown. Pass --repo OWNER/NAME, or --no-issues to set up the tasks without issues.\n'
    )
  })

  it('rejects a checkout without origin', async () => {
    project.git(['remote', 'remove', 'origin'])
    const result = await run(['run', '--no-issues'])
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toBe(
      "parallel-setup run: This repository has no remote named 'origin'. parallel-setup starts each task branch " +
        'from the base branch on origin and pushes it there. Add it with: git remote add origin URL\n'
    )
  })

  it.each([
    ['status', 'tasks.yml', 'run'],
    ['plan', 'missing.yml', 'plan']
  ])('rejects a missing %s manifest', async (command, manifest, example) => {
    const result = await run([command, manifest])
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toBe(
      `parallel-setup ${command}: No manifest at ${manifest}. Create one that lists the tasks (see "The manifest" in the README), ` +
        `or pass its path, as in: parallel-setup ${example} path/to/manifest.yml\n`
    )
  })

  it('rejects ports past 65535', async () => {
    const result = await run(['run', '--no-issues', '--port-base', '65530'])
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toBe(
      'parallel-setup run: The port range of task 1 would end at 65539, above the highest port 65535. ' +
        'Use a lower port base or fewer ports per task.\n'
    )
  })

  it.each([
    [
      ['run', '--concurrency', '0'],
      "Invalid --concurrency '0': expected a whole number from 1 to 256."
    ],
    [
      ['run', '--port-base', 'http'],
      "Invalid --port-base 'http': expected a whole number from 1 to 65535."
    ],
    [['run', '--base', ' '], 'Invalid --base: it is empty.'],
    [['run', 'a.yml', 'b.yml'], 'Expected at most one manifest path, got 2: a.yml b.yml.']
  ])('rejects %j', async (args, message) => {
    const result = await run(args)
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toBe(
      `parallel-setup ${args[0]}: ${message} Run "parallel-setup ${args[0]} --help" for the options.\n`
    )
  })

  it('rejects an unknown option', async () => {
    const result = await run(['clean', '--all'])
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toBe(
      `parallel-setup clean: Unknown option '--all'. Run "parallel-setup clean --help" for the options.\n`
    )
  })

  it.each([
    [['run', '--concurency', '3'], 'run', '--concurrency'],
    [['plan', '--max-job', '3'], 'plan', '--max-jobs'],
    [['clean', '--merge'], 'clean', '--merged']
  ])('suggests an option for %j', async (args, command, closest) => {
    const result = await run(args)
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toBe(
      `parallel-setup ${command}: Unknown option '${args[1]}'. Did you mean '${closest}'? ` +
        `Run "parallel-setup ${command} --help" for the options.\n`
    )
  })

  it('explains an empty plan', async () => {
    fs.writeFileSync(path.join(project.checkout, 'empty.yml'), 'version: 1\ntasks: []\n')
    const result = await run(['plan', 'empty.yml'])
    expect(result.exitCode).toBe(0)
    expect(result.stdout.split('\n').slice(0, 3)).toEqual([
      '0 tasks from empty.yml (native)',
      '',
      "Nothing to set up. The plan action's has-tasks output is false for this plan, so guard " +
        "the matrix job with `if: needs.plan.outputs.has-tasks == 'true'`: GitHub rejects an " +
        'empty matrix.'
    ])
  })

  it('rejects an unknown command', async () => {
    const result = await run(['setup'])
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toMatch(/^Unknown command 'setup'\.\n\nUsage: parallel-setup <command>/)
  })

  it('names each cache in the run help', async () => {
    const result = await run(['run', '--help'])
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toContain(
      "npm's cache (npm config get cache), pnpm's store (pnpm store path) and Yarn 1's cache"
    )
    expect(result.stdout).toContain(
      'only when enableGlobalCache is true; otherwise each worktree has its own .yarn/cache.'
    )
  })
})
