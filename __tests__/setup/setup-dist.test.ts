import fs from 'node:fs'
import path from 'node:path'
import type { PhaseName, PhaseTiming } from '../../src/results/record.js'
import { createScratchProject, type ScratchProject } from '../../test/support/project.js'
import {
  denyPushes,
  pushCommitAsSomeoneElse,
  remoteBranchHead,
  remoteRef
} from '../../test/git/repos.js'

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
    // The issue phase runs alongside worktree and install, and the push waits for both
    // the issue and the worktree.
    const phases = result.phases as PhaseTiming[]
    expect(phases.map((phase) => phase.name).sort()).toEqual([
      'install',
      'issue',
      'push',
      'worktree'
    ])
    const starts = phases.map((phase) => Date.parse(phase.startedAt))
    expect(starts).toEqual([...starts].sort((x, y) => x - y))
    const timing = new Map(phases.map((phase) => [phase.name, phase]))
    const start = (name: PhaseName) => Date.parse(timing.get(name)!.startedAt)
    const end = (name: PhaseName) => start(name) + timing.get(name)!.durationMs
    expect(start('push')).toBeGreaterThanOrEqual(end('issue'))
    expect(start('push')).toBeGreaterThanOrEqual(end('worktree'))
    expect(start('install')).toBeGreaterThanOrEqual(end('worktree'))
    expect(start('worktree')).toBeLessThan(end('issue'))
  })

  /** Routes of the emulator's request log since `sequence`, in order. */
  function routesSince(sequence: number): string[] {
    return project.emulator.log
      .entries()
      .filter((entry) => entry.seq >= sequence)
      .map((entry) => entry.route ?? `(unknown) ${entry.method} ${entry.path}`)
  }

  it('makes 2 requests fresh and 1 on a re-run', async () => {
    const fresh = await project.run('setup', project.checkout(), { task: 'a' })
    expect(fresh.outputs.status).toBe('ready')
    expect(routesSince(0)).toEqual([
      'GET /repos/{owner}/{repo}/issues',
      'POST /repos/{owner}/{repo}/issues'
    ])

    const start = project.emulator.log.nextSeq
    const rerun = await project.run(
      'setup',
      project.checkout(),
      { task: 'a' },
      { GITHUB_RUN_ID: '1002' }
    )
    expect(rerun.outputs['issue-created']).toBe('false')
    expect(routesSince(start)).toEqual(['GET /repos/{owner}/{repo}/issues/{issue_number}'])
  })

  // A fresh task lists every page of labelled issues once: 3 requests up to 200 such issues,
  // 4 beyond. A re-run reads the claim through git and makes 1 request at any count.
  it.each([
    [150, 2],
    [250, 3]
  ])('lists %i labelled issues once', async (others, pages) => {
    // Issues of other tasks that carry the tracking label make the list span several pages.
    for (let i = 0; i < others; i++) {
      project.emulator.state.addIssue({
        title: `Other ${i}`,
        body: `<!-- parallel-setup:task=other-${i} manifest=.github%2Fparallel-setup.yml -->`,
        labels: ['parallel-setup']
      })
    }
    const fresh = await project.run('setup', project.checkout(), { task: 'a' })
    expect(fresh.outputs.status).toBe('ready')
    const lists = Array.from({ length: pages }, () => 'GET /repos/{owner}/{repo}/issues')
    expect(routesSince(0)).toEqual([...lists, 'POST /repos/{owner}/{repo}/issues'])

    const start = project.emulator.log.nextSeq
    const rerun = await project.run(
      'setup',
      project.checkout(),
      { task: 'a' },
      { GITHUB_RUN_ID: '1002' }
    )
    expect(rerun.outputs['issue-number']).toBe(fresh.outputs['issue-number'])
    expect(routesSince(start)).toEqual(['GET /repos/{owner}/{repo}/issues/{issue_number}'])
    expect(
      project.emulator.log.entries().filter((entry) => entry.path.startsWith('/search'))
    ).toEqual([])
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
    // One annotation carries the failure: no warning repeats it before the step fails.
    const reports = run.annotations.filter((annotation) =>
      annotation.message.includes('failed with exit code 3')
    )
    expect(reports.map((annotation) => annotation.level)).toEqual(['error'])
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

  it('names contents: write once when pushes are denied', async () => {
    denyPushes(project.remote)
    const run = await project.run('setup', project.checkout(), { task: 'a,b' })
    expect(run.exitCode).toBe(1)
    const errors = run.annotations.filter((a) => a.level === 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]!.message).toBe(
      "The workflow's token cannot push the claim ref 'refs/parallel-setup/claims/github-parallel-setup-yml/a', " +
        'which keeps two runs from opening the same issue: the remote denied the push, ' +
        "because the token lacks 'contents: write'. Give the job these permissions:\n" +
        'permissions:\n  contents: write\n  issues: write\n' +
        "Workflows started from a fork's pull request always get a read-only token; run the fan-out from push, workflow_dispatch or issues events instead."
    )
    expect(run.annotations.filter((a) => a.level === 'warning')).toEqual([])
    expect(JSON.parse(run.outputs.status!)).toEqual(['failed', 'failed'])
    expect(issuesOf(project)).toHaveLength(0)
    // No result push was tried after the denied claim, so git printed no second rejection.
    expect(run.stdout).not.toContain('refs/parallel-setup/results/')
  })

  it('warns when the token drops the tracking label', async () => {
    project.emulator.faults.tokenAccess[project.emulator.tokens[0]!] = 'no-push'
    const run = await project.run('setup', project.checkout(), { task: 'a', push: 'false' })
    expect(run.exitCode).toBe(0)
    const warnings = run.annotations.filter((a) => a.level === 'warning').map((a) => a.message)
    expect(warnings).toEqual([
      "Issue #1 of task 'a' was opened without the label(s) 'parallel-setup', 'agent': GitHub drops labels silently when the token may not set them. " +
        "Runs that cannot use the claim ref find a task's issue by the label 'parallel-setup', so they would open a second issue. " +
        'Add the label to #1 by hand, and give the job these permissions:\npermissions:\n  contents: write\n  issues: write'
    ])
  })

  it('warns when the branch template changes', async () => {
    const first = await project.run('setup', project.checkout(), { task: 'a' })
    expect(first.outputs.branch).toBe('task/a')
    const oldHead = remoteBranchHead(project.sandbox, project.remote, 'task/a')
    pushCommitAsSomeoneElse(
      project.sandbox,
      project.remote,
      'main',
      '.github/parallel-setup.yml',
      MANIFEST.replace('defaults:\n', 'defaults:\n  branch: feature/{id}\n')
    )
    const second = await project.run(
      'setup',
      project.checkout(),
      { task: 'a' },
      { GITHUB_RUN_ID: '1002' }
    )
    expect(second.exitCode).toBe(0)
    expect(second.outputs['issue-number']).toBe('1')
    expect(second.outputs.branch).toBe('feature/a')
    const warnings = second.annotations.filter((a) => a.level === 'warning').map((a) => a.message)
    expect(warnings).toEqual([
      "Task 'a': issue #1 was set up on branch 'task/a' by an earlier run, but the branch template 'feature/{id}' now gives 'feature/a' " +
        "(the template or the title changed). This run uses 'feature/a', which starts from the base unless it exists, and leaves 'task/a' " +
        "and its commits as they are. To go on with 'task/a', restore the template or the title."
    ])
    expect(remoteBranchHead(project.sandbox, project.remote, 'task/a')).toBe(oldHead)

    const third = await project.run(
      'setup',
      project.checkout(),
      { task: 'a' },
      { GITHUB_RUN_ID: '1003' }
    )
    expect(third.annotations.filter((a) => a.level === 'warning')).toEqual([])
  })

  it('releases the claim of a leg that failed before its issue', async () => {
    const failing = MANIFEST.replace(
      '    labels: [agent]\n',
      '    labels: [agent]\n    milestone: v9\n'
    )
    pushCommitAsSomeoneElse(
      project.sandbox,
      project.remote,
      'main',
      '.github/parallel-setup.yml',
      failing
    )
    const workspace = project.checkout()
    const first = await project.run('setup', workspace, { task: 'a' })
    expect(first.exitCode).toBe(1)
    expect(first.stdout).toContain(
      "Task 'a': released its claim, so another leg can open the issue."
    )
    expect(first.outputs.status).toBe('failed')
    // The worktree was made alongside the issue and is kept, but the branch waits for it.
    expect(fs.existsSync(path.join(workspace, '.worktrees', 'a', 'README.md'))).toBe(true)
    expect(remoteBranchHead(project.sandbox, project.remote, 'task/a')).toBeUndefined()
    expect(
      remoteRef(
        project.sandbox,
        project.remote,
        'refs/parallel-setup/claims/github-parallel-setup-yml/a'
      )
    ).toBeUndefined()

    project.emulator.state.addMilestone({ title: 'v9' })
    const second = await project.run('setup', workspace, { task: 'a' }, { GITHUB_RUN_ID: '1002' })
    expect(second.outputs.status).toBe('ready')
    expect(second.stdout).toContain('Reusing worktree')
    expect(second.stdout).not.toContain('waiting for run')
    expect(issuesOf(project)).toHaveLength(1)
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
