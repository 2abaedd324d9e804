import fs from 'node:fs'
import path from 'node:path'
import { createScratchProject, type ScratchProject } from '../../test/support/project.js'
import { pushCommitAsSomeoneElse, remoteBranchHead } from '../../test/git/repos.js'

const MANIFEST = [
  'version: 1',
  'defaults:',
  '  install: none',
  'tasks:',
  '  - id: a',
  '    title: Task A',
  '    body: Do the first thing.',
  '    labels: [agent]',
  '  - id: b',
  '    title: Task B',
  ''
].join('\n')

function issuesOf(project: ScratchProject) {
  return [...project.emulator.state.issues.values()]
}

describe('dist/setup against the emulator and real git', () => {
  let project: ScratchProject

  beforeEach(async () => {
    project = await createScratchProject({ '.github/parallel-setup.yml': MANIFEST })
  })

  afterEach(async () => {
    project.emulator.assertContract()
    await project.stop()
  })

  it('sets up a fresh task', async () => {
    const workspace = project.checkout()
    const run = await project.run('setup', workspace, { task: 'a', index: '0' })
    expect(run.annotations.filter((a) => a.level === 'error')).toEqual([])
    expect(run.exitCode).toBe(0)
    expect(run.outputs['issue-number']).toBe('1')
    expect(run.outputs['issue-created']).toBe('true')
    expect(run.outputs.branch).toBe('task/a')
    expect(run.outputs['branch-created']).toBe('true')
    expect(run.outputs.worktree).toBe(path.join(workspace, '.worktrees', 'a'))
    expect(run.outputs['install-status']).toBe('skipped')
    expect(run.outputs.status).toBe('ready')
    expect(fs.existsSync(path.join(workspace, '.worktrees', 'a', 'README.md'))).toBe(true)
    expect(remoteBranchHead(project.sandbox, project.remote, 'task/a')).toMatch(/^[0-9a-f]{40}$/)

    const issues = issuesOf(project)
    expect(issues).toHaveLength(1)
    expect(issues[0]!.title).toBe('Task A')
    expect(
      issues[0]!.labelIds.map((id) => project.emulator.state.labelById(id)!.name).sort()
    ).toEqual(['agent', 'parallel-setup'])
    expect(issues[0]!.body).toContain('Do the first thing.')
    expect(issues[0]!.body).toContain(
      '<!-- parallel-setup:task=a manifest=.github%2Fparallel-setup.yml -->'
    )

    // git status of the main checkout stays clean, because the worktrees are excluded.
    expect(project.sandbox.git(workspace, ['status', '--porcelain'])).toBe('')
    const result = JSON.parse(fs.readFileSync(run.outputs['result-file']!, 'utf8'))
    expect(result.phases.map((phase: { name: string }) => phase.name)).toEqual([
      'issue',
      'worktree',
      'push',
      'install'
    ])
  })

  it('makes at most 3 requests on the happy path', async () => {
    await project.run('setup', project.checkout(), { task: 'a' })
    const entries = project.emulator.log.entries()
    expect(entries.length).toBeLessThanOrEqual(3)
    expect(entries.filter((entry) => entry.path.startsWith('/search'))).toEqual([])
  })

  it('opens nothing on a re-run', async () => {
    const first = await project.run('setup', project.checkout(), { task: 'a' })
    const second = await project.run(
      'setup',
      project.checkout(),
      { task: 'a' },
      { GITHUB_RUN_ATTEMPT: '2' }
    )
    expect(second.exitCode).toBe(0)
    expect(second.outputs['issue-number']).toBe(first.outputs['issue-number'])
    expect(second.outputs['issue-created']).toBe('false')
    expect(second.outputs['branch-created']).toBe('false')
    expect(second.outputs.status).toBe('ready')
    expect(issuesOf(project)).toHaveLength(1)
  })

  it('reports a list of tasks as JSON arrays', async () => {
    const run = await project.run('setup', project.checkout(), { task: 'a,b' })
    expect(run.exitCode).toBe(0)
    expect(JSON.parse(run.outputs['issue-number']!)).toEqual([1, 2])
    expect(JSON.parse(run.outputs.branch!)).toEqual(['task/a', 'task/b'])
    expect(JSON.parse(run.outputs.status!)).toEqual(['ready', 'ready'])
  })

  it('keeps commits someone pushed to the branch', async () => {
    const first = await project.run('setup', project.checkout(), { task: 'a' })
    expect(first.exitCode).toBe(0)
    const theirs = pushCommitAsSomeoneElse(
      project.sandbox,
      project.remote,
      'task/a',
      'theirs.txt',
      'keep me\n'
    )
    const workspace = project.checkout()
    const second = await project.run('setup', workspace, { task: 'a' })
    expect(second.exitCode).toBe(0)
    expect(second.outputs['branch-created']).toBe('false')
    expect(remoteBranchHead(project.sandbox, project.remote, 'task/a')).toBe(theirs)
    expect(fs.readFileSync(path.join(workspace, '.worktrees', 'a', 'theirs.txt'), 'utf8')).toBe(
      'keep me\n'
    )
  })

  it('rejects an unknown task with the known ids', async () => {
    const run = await project.run('setup', project.checkout(), { task: 'zzz' })
    expect(run.exitCode).toBe(1)
    expect(run.annotations[0]!.message).toContain(
      "Task 'zzz' is not in .github/parallel-setup.yml. Known ids: a, b."
    )
    expect(issuesOf(project)).toHaveLength(0)
  })

  it('fails a failing install and keeps the issue and branch', async () => {
    const run = await project.run('setup', project.checkout(), {
      task: 'a',
      install: 'echo broken >&2; exit 3'
    })
    expect(run.exitCode).toBe(1)
    expect(run.outputs['install-status']).toBe('failed')
    expect(run.outputs.status).toBe('failed')
    expect(run.outputs['issue-number']).toBe('1')
    expect(remoteBranchHead(project.sandbox, project.remote, 'task/a')).toMatch(/^[0-9a-f]{40}$/)
    const rerun = await project.run('setup', project.checkout(), { task: 'a' })
    expect(rerun.outputs.status).toBe('ready')
    expect(issuesOf(project)).toHaveLength(1)
  })

  it('names the missing permission for a read-only token', async () => {
    project.emulator.faults.tokenAccess[project.emulator.tokens[0]!] = 'read-only'
    const run = await project.run('setup', project.checkout(), { task: 'a' })
    expect(run.exitCode).toBe(1)
    const message = run.annotations.map((a) => a.message).join('\n')
    expect(message).toContain("because the token lacks 'issues: write'")
    expect(message).toContain('permissions:\n  contents: write\n  issues: write')
  })

  it('changes nothing in a dry run', async () => {
    const workspace = project.checkout()
    const run = await project.run('setup', workspace, { task: 'a', 'dry-run': 'true' })
    expect(run.exitCode).toBe(0)
    expect(issuesOf(project)).toHaveLength(0)
    expect(remoteBranchHead(project.sandbox, project.remote, 'task/a')).toBeUndefined()
    expect(fs.existsSync(path.join(workspace, '.worktrees'))).toBe(false)
    expect(run.stdout).toContain('[dry run] would run: git "worktree" "add"')
  })
})
