import fs from 'node:fs'
import path from 'node:path'
import { DEFAULT_TOKEN, GitHubEmulator } from '../../test/emulator/index.js'
import { remoteBranchHead } from '../../test/git/repos.js'
import { ENV_FILE_COMMENT } from '../../src/setup/env-file.js'
import type { TaskResult } from '../../src/results/record.js'
import type { TaskStatus } from '../../src/cli/status.js'
import { createCliProject, readJson, runCliBundle, type CliProject } from './helpers.js'

/** Two npm tasks, and one whose install command records what its environment contains. */
const MANIFEST = [
  'version: 1',
  'tasks:',
  '  - id: api',
  '    title: Build the API',
  '    copy: [.env]',
  '  - id: web',
  '    title: Build the web app',
  '  - id: env-check',
  '    title: Check the install environment',
  `    install: 'printf "%s %s %s\\n" "$PORT" "$PORT_RANGE_START" "$PORT_RANGE_END" > ports.txt; printf "%s\\n" "$npm_config_cache" > cache.txt'`,
  ''
].join('\n')

interface RunJson {
  dryRun: boolean
  tasks: Array<{
    task: string
    status: string
    result: TaskResult
    ports: { start: number; end: number }
    resultFile: string
    logFile: string
  }>
}

describe('dist/cli on a scratch repository', () => {
  let project: CliProject

  beforeEach(() => {
    project = createCliProject(MANIFEST)
    fs.writeFileSync(path.join(project.checkout, '.env'), 'SECRET=kept\nPORT=1\n')
  })

  afterEach(() => {
    project.cleanup()
  })

  const cli = (args: string[], cwd = project.checkout, env = project.env) =>
    runCliBundle(args, { cwd, env })
  const worktree = (task: string, ...rest: string[]) =>
    path.join(project.checkout, '.worktrees', task, ...rest)

  it('runs, re-runs, reports and cleans without issues', async () => {
    const main = project.git(['rev-parse', 'HEAD'])

    // First run: plain progress on stderr, because stderr is not a terminal here.
    const first = await cli(['run', '--no-issues', '--concurrency', '3'])
    expect(first.stderr).toContain('api: worktree (at ')
    expect(first.stderr).toContain('api: install (at ')
    expect(first.stderr).toMatch(/^env-check: ready in \d+\.\d s$/m)
    expect(first.exitCode).toBe(0)
    // Durations vary from run to run, so they are replaced before the comparison.
    const report = first.stdout.replace(/\d+\.\d s$/gm, 'N s').split('\n')
    expect(report.slice(0, 6)).toEqual([
      '3 tasks: 3 ready, 0 failed, 0 missing',
      '',
      'Task       Status  Issue  Branch          Install           Ports      Time',
      'api        ready   -      task/api        success (npm)     3000-3009  N s',
      'web        ready   -      task/web        success (npm)     3010-3019  N s',
      'env-check  ready   -      task/env-check  success (custom)  3020-3029  N s'
    ])
    expect(first.stdout).toContain(
      'Worktrees: .worktrees/<task>. Results: .worktrees/.results/<task>.json. Logs: .worktrees/.logs/<task>.log.'
    )

    // Branches pushed, worktrees checked out, dependencies installed from the shared cache.
    for (const task of ['api', 'web', 'env-check']) {
      expect(remoteBranchHead(project.sandbox, project.remote, `task/${task}`)).toBe(main)
      expect(project.git(['rev-parse', 'HEAD'], worktree(task))).toBe(main)
    }
    expect(fs.existsSync(worktree('api', 'node_modules', 'is-number', 'package.json'))).toBe(true)
    expect(fs.existsSync(worktree('web', 'node_modules', 'is-number', 'package.json'))).toBe(true)
    expect(fs.readdirSync(path.join(project.npmCache, '_cacache'))).toContain('index-v5')
    expect(fs.readFileSync(worktree('env-check', 'cache.txt'), 'utf8')).toBe(
      `${project.npmCache}\n`
    )

    // Ports: in the install's environment, and in .env next to the user's own lines.
    expect(fs.readFileSync(worktree('env-check', 'ports.txt'), 'utf8')).toBe('3020 3020 3029\n')
    const apiEnv = `SECRET=kept\nPORT=3000\n${ENV_FILE_COMMENT}\nPORT_RANGE_START=3000\nPORT_RANGE_END=3009\n`
    expect(fs.readFileSync(worktree('api', '.env'), 'utf8')).toBe(apiEnv)
    expect(fs.readFileSync(worktree('web', '.env'), 'utf8')).toBe(
      `${ENV_FILE_COMMENT}\nPORT=3010\nPORT_RANGE_START=3010\nPORT_RANGE_END=3019\n`
    )
    const exclude = fs.readFileSync(path.join(project.checkout, '.git', 'info', 'exclude'), 'utf8')
    expect(exclude.split('\n')).toEqual(expect.arrayContaining(['/.worktrees/', '/.env']))
    expect(project.git(['status', '--porcelain'])).toBe('')
    expect(project.git(['status', '--porcelain'], worktree('web'))).toBe('')

    // One result file per task, and collect's Markdown summary.
    const apiResult = readJson<TaskResult>(
      path.join(project.checkout, '.worktrees', '.results', 'api.json')
    )
    expect(apiResult.status).toBe('ready')
    expect(apiResult.branch).toBe('task/api')
    expect(apiResult.branchCreated).toBe(true)
    expect(apiResult.worktree).toBe(worktree('api'))
    expect(apiResult.portRangeStart).toBe(3000)
    expect(apiResult.packageManager).toBe('npm')
    expect(apiResult.installStatus).toBe('success')
    expect(apiResult.issueNumber).toBeNull()
    // The push and the install both follow the copy and may start in either order.
    const phaseNames = apiResult.phases.map((phase) => phase.name)
    expect(phaseNames.slice(0, 2)).toEqual(['worktree', 'copy'])
    expect(phaseNames.slice(2).sort()).toEqual(['install', 'push'])
    const summary = fs.readFileSync(
      path.join(project.checkout, '.worktrees', '.results', 'summary.md'),
      'utf8'
    )
    expect(summary.split('\n')[0]).toBe('## parallel-setup run: 3 ready, 0 failed, 0 missing')
    expect(
      fs.readFileSync(path.join(project.checkout, '.worktrees', '.logs', 'api.log'), 'utf8')
    ).toContain('added 1 package')

    // Second run: same branches and worktrees, nothing duplicated.
    const second = await cli(['run', '--no-issues', '--json'])
    expect(second.exitCode).toBe(0)
    const rerun = JSON.parse(second.stdout) as RunJson
    expect(rerun.dryRun).toBe(false)
    expect(rerun.tasks.map((task) => [task.task, task.status, task.result.branch])).toEqual([
      ['api', 'ready', 'task/api'],
      ['web', 'ready', 'task/web'],
      ['env-check', 'ready', 'task/env-check']
    ])
    expect(rerun.tasks.map((task) => task.result.branchCreated)).toEqual([false, false, false])
    expect(rerun.tasks.map((task) => task.ports)).toEqual([
      { start: 3000, end: 3009 },
      { start: 3010, end: 3019 },
      { start: 3020, end: 3029 }
    ])
    expect(rerun.tasks[0]!.resultFile).toBe('.worktrees/.results/api.json')
    expect(rerun.tasks[0]!.logFile).toBe('.worktrees/.logs/api.log')
    expect(fs.readFileSync(worktree('api', '.env'), 'utf8')).toBe(apiEnv)
    expect(project.git(['worktree', 'list', '--porcelain']).match(/^worktree /gm)).toHaveLength(4)

    // Status, from the main checkout and from inside a task worktree.
    fs.writeFileSync(worktree('web', 'feature.txt'), 'work\n')
    project.git(['add', 'feature.txt'], worktree('web'))
    project.git(['commit', '--quiet', '-m', 'Add the feature'], worktree('web'))
    const webHead = project.git(['rev-parse', 'HEAD'], worktree('web'))
    const status = await cli(['status', '--json'])
    expect(status.exitCode).toBe(0)
    const statuses = (JSON.parse(status.stdout) as { tasks: TaskStatus[] }).tasks
    expect(
      statuses.map((entry) => [
        entry.task,
        entry.exists,
        entry.branch,
        entry.lastCommit?.sha,
        entry.dirty
      ])
    ).toEqual([
      ['api', true, 'task/api', main, false],
      ['web', true, 'task/web', webHead, false],
      // The install command wrote ports.txt and cache.txt there.
      ['env-check', true, 'task/env-check', main, true]
    ])
    expect(statuses[1]!.lastCommit?.subject).toBe('Add the feature')
    expect(statuses[1]!.ports).toEqual({ start: 3010, end: 3019 })
    expect(statuses[1]!.lastRun?.status).toBe('ready')
    expect(statuses[1]!.issue).toBeNull()
    const fromWorktree = await cli(['status', '--json'], worktree('api'))
    expect(JSON.parse(fromWorktree.stdout)).toEqual(JSON.parse(status.stdout))
    const text = await cli(['status'])
    expect(text.stdout.split('\n')[0]).toBe(
      'Task       Branch          Worktree              Last commit              Changes      Issue  Ports      Last run'
    )
    expect(text.stdout.split('\n')[2]).toBe(
      `web        task/web        .worktrees/web        ${webHead.slice(0, 7)} Add the feature  clean        -      3010-3019  ready`
    )

    // Clean: the untouched task goes, the one with work and the dirty one stay.
    const clean = await cli(['clean'])
    expect(clean.exitCode).toBe(0)
    expect(clean.stdout).toBe(
      [
        "Removed api (worktree .worktrees/api, branch task/api): branch 'task/api' has no commits of its own.",
        "Kept web: branch 'task/web' has commits that 'main' does not have (a squash or rebase merge counts as not merged). " +
          'Merge them, or delete the task by hand: git worktree remove .worktrees/web && git branch -D task/web',
        'Kept env-check: its worktree .worktrees/env-check has uncommitted changes. Commit or stash them, or pass --force to discard them.',
        '',
        'Removed 1 of 3 tasks. Remote branches and issues are left as they are.',
        ''
      ].join('\n')
    )
    expect(fs.existsSync(worktree('api'))).toBe(false)
    expect(project.git(['branch', '--list', 'task/api'])).toBe('')
    expect(fs.existsSync(path.join(project.checkout, '.worktrees', '.results', 'api.json'))).toBe(
      false
    )
    expect(remoteBranchHead(project.sandbox, project.remote, 'task/api')).toBe(main)

    // --force discards the uncommitted files, but the unmerged branch still stays.
    const forced = await cli(['clean', '--force', '--only', 'env-check,web'])
    expect(forced.exitCode).toBe(0)
    expect(forced.stdout).toContain(
      "Removed env-check (worktree .worktrees/env-check, branch task/env-check): branch 'task/env-check' has no commits of its own; uncommitted changes discarded."
    )
    expect(forced.stdout).toContain(
      "Kept web: branch 'task/web' has commits that 'main' does not have"
    )
    expect(fs.existsSync(worktree('web', 'feature.txt'))).toBe(true)

    // Once the work is merged on origin, --merged removes it.
    project.git(['push', '--quiet', 'origin', 'task/web:main'])
    const merged = await cli(['clean', '--merged'])
    expect(merged.exitCode).toBe(0)
    expect(merged.stdout).toBe(
      [
        "Removed web (worktree .worktrees/web, branch task/web): branch 'task/web' is merged into 'main'.",
        '',
        'Removed 1 of 1 task. Remote branches and issues are left as they are.',
        ''
      ].join('\n')
    )
    expect(project.git(['worktree', 'list', '--porcelain']).match(/^worktree /gm)).toHaveLength(1)
    expect(project.git(['branch', '--format=%(refname:short)'])).toBe('main')
    expect((await cli(['clean'])).stdout).toBe('No task worktrees or branches to remove.\n')
  })

  it('reports a failed install with its log', async () => {
    const result = await cli([
      'run',
      '--no-issues',
      '--no-push',
      '--only',
      'web',
      '--install',
      'echo broken >&2; exit 3'
    ])
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toMatch(
      /^web: failed after \d+\.\d s: Installing dependencies failed in /m
    )
    // The progress line and the report name the failure, and no warning repeats it.
    expect(result.stderr).not.toMatch(/warning: .*failed with exit code 3/)
    expect(result.stdout).toContain('1 task: 0 ready, 1 failed, 0 missing')
    expect(result.stdout).toContain(
      `web failed: Installing dependencies failed in ${worktree('web')}: \`echo broken >&2; exit 3\` failed with exit code 3.\n  broken\n  Log: .worktrees/.logs/web.log\n`
    )
    expect(
      fs.readFileSync(path.join(project.checkout, '.worktrees', '.logs', 'web.log'), 'utf8')
    ).toContain('broken')
    expect(remoteBranchHead(project.sandbox, project.remote, 'task/web')).toBeUndefined()
  })

  it('changes nothing in a dry run', async () => {
    const result = await cli(['run', '--no-issues', '--dry-run'])
    expect(result.exitCode).toBe(0)
    expect(result.stderr).toContain('api: [dry run] would run: git "worktree" "add"')
    expect(result.stdout.split('\n')[0]).toBe(
      '3 tasks: 3 ready, 0 failed, 0 missing (dry run: nothing was changed)'
    )
    expect(fs.existsSync(path.join(project.checkout, '.worktrees'))).toBe(false)
    expect(project.git(['branch', '--format=%(refname:short)'])).toBe('main')
  })
})

describe('dist/cli with issues against the emulator', () => {
  let project: CliProject
  let emulator: GitHubEmulator

  beforeEach(async () => {
    project = createCliProject(
      [
        'version: 1',
        'defaults:',
        '  install: none',
        'tasks:',
        '  - id: a',
        '    title: Task A',
        '    labels: [agent]',
        '  - id: b',
        '    title: Task B',
        ''
      ].join('\n')
    )
    emulator = await GitHubEmulator.start({ owner: 'octo-org', repo: 'scratch' })
  })

  afterEach(async () => {
    emulator.assertContract()
    await emulator.stop()
    project.cleanup()
  })

  it('opens each issue once', async () => {
    const env = { ...project.env, GH_TOKEN: DEFAULT_TOKEN }
    const args = ['run', '--json', '--repo', 'octo-org/scratch']
    const first = await runCliBundle([...args, '--api-url', emulator.url], {
      cwd: project.checkout,
      env
    })
    expect(first.stderr).not.toContain(DEFAULT_TOKEN)
    expect(first.exitCode).toBe(0)
    const opened = (JSON.parse(first.stdout) as RunJson).tasks.map((task) => task.result)
    // The two tasks open their issues at the same time, so either may get #1.
    const numberOf = new Map(opened.map((result) => [result.task, result.issueNumber!]))
    expect([...numberOf.values()].sort()).toEqual([1, 2])
    expect(opened.map((result) => [result.task, result.issueCreated])).toEqual([
      ['a', true],
      ['b', true]
    ])
    const issues = [...emulator.state.issues.values()]
    expect(issues.map((issue) => issue.title).sort()).toEqual(['Task A', 'Task B'])
    const issueA = issues.find((issue) => issue.title === 'Task A')!
    expect(issueA.body).toContain(
      '<!-- parallel-setup:task=a manifest=.github%2Fparallel-setup.yml -->'
    )
    expect(issueA.labelIds.map((id) => emulator.state.labelById(id)!.name).sort()).toEqual([
      'agent',
      'parallel-setup'
    ])

    // The second run finds both issues, with GITHUB_API_URL in place of --api-url.
    const second = await runCliBundle(args, {
      cwd: project.checkout,
      env: { ...env, GITHUB_API_URL: emulator.url }
    })
    expect(second.exitCode).toBe(0)
    const found = (JSON.parse(second.stdout) as RunJson).tasks.map((task) => task.result)
    expect(
      found.map((result) => [result.task, result.issueNumber, result.issueCreated, result.branch])
    ).toEqual([
      ['a', numberOf.get('a'), false, 'task/a'],
      ['b', numberOf.get('b'), false, 'task/b']
    ])
    expect(emulator.state.issues.size).toBe(2)

    const status = await runCliBundle(['status'], { cwd: project.checkout, env: project.env })
    expect(status.exitCode).toBe(0)
    const lines = status.stdout.split('\n')
    const head = project.git(['rev-parse', '--short=7', 'HEAD'])
    expect(lines[1]).toBe(
      `a     task/a  .worktrees/a  ${head} Start the app  clean    #${numberOf.get('a')}     3000-3009  ready`
    )
    expect(lines).toContain(`a: ${opened[0]!.issueUrl}`)
    expect(lines).toContain(`b: ${opened[1]!.issueUrl}`)

    const clean = await runCliBundle(['clean'], { cwd: project.checkout, env: project.env })
    expect(clean.exitCode).toBe(0)
    expect(clean.stdout).toContain('Removed 2 of 2 tasks.')
    expect(emulator.state.issues.size).toBe(2)
  })
})
