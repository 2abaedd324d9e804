/**
 * Kills a setup leg with SIGKILL at each phase boundary, as a runner that dies would, and
 * checks that a plain re-run finishes the task: no duplicate issue, no manual clean-up.
 */
import fs from 'node:fs'
import path from 'node:path'
import { remoteBranchHead } from '../../test/git/repos.js'
import { createScratchProject, type ScratchProject } from '../../test/support/project.js'
import { makeTempDir } from '../../test/support/temp.js'

const MANIFEST = [
  'version: 1',
  'tasks:',
  '  - id: a',
  '    title: Task A',
  '    # The first attempt marks the start of its install, then hangs until it is killed.',
  '    install: touch "$CRASH_MARKER"; sleep 20',
  ''
].join('\n')

type Boundary = 'after the issue' | 'after the worktree' | 'after the push' | 'during the install'

async function waitFor(condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('The leg never reached the phase to kill it at.')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

describe('a leg killed mid-run', () => {
  let project: ScratchProject

  beforeEach(async () => {
    project = await createScratchProject({ '.github/parallel-setup.yml': MANIFEST })
  })

  afterEach(async () => {
    project.emulator.assertContract()
    await project.stop()
  })

  it.each<[Boundary, 'same runner' | 'new runner']>([
    ['after the issue', 'same runner'],
    ['after the worktree', 'same runner'],
    ['after the push', 'same runner'],
    ['during the install', 'same runner'],
    ['during the install', 'new runner']
  ])('recovers when killed %s, re-run on the %s', async (boundary, rerunOn) => {
    const marker = path.join(makeTempDir(), 'install-started')
    const workspace = project.checkout()
    const worktree = path.join(workspace, '.worktrees', 'a')
    const reached: Record<Boundary, () => boolean> = {
      'after the issue': () => project.emulator.state.issues.size > 0,
      'after the worktree': () => fs.existsSync(path.join(worktree, '.git')),
      'after the push': () =>
        remoteBranchHead(project.sandbox, project.remote, 'task/a') !== undefined,
      'during the install': () => fs.existsSync(marker)
    }

    const abort = new AbortController()
    const first = project.run(
      'setup',
      workspace,
      { task: 'a' },
      { CRASH_MARKER: marker },
      { signal: abort.signal, killSignal: 'SIGKILL' }
    )
    await waitFor(reached[boundary])
    abort.abort()
    const killed = await first
    expect(killed.exitCode).not.toBe(0)
    expect(killed.outputs.status).toBeUndefined()

    const rerunWorkspace = rerunOn === 'same runner' ? workspace : project.checkout()
    const rerun = await project.run(
      'setup',
      rerunWorkspace,
      { task: 'a', install: 'none' },
      { GITHUB_RUN_ATTEMPT: '2' }
    )
    expect(rerun.annotations.filter((annotation) => annotation.level === 'error')).toEqual([])
    expect(rerun.outputs.status).toBe('ready')
    expect(rerun.outputs['issue-number']).toBe('1')
    expect(project.emulator.state.issues.size).toBe(1)
    expect(remoteBranchHead(project.sandbox, project.remote, 'task/a')).toMatch(/^[0-9a-f]{40}$/)
    expect(fs.existsSync(path.join(rerunWorkspace, '.worktrees', 'a', 'README.md'))).toBe(true)
  })

  it('reuses its issue while the list lags', async () => {
    project.emulator.faults.listLagMs = 30_000
    // The remote rejects the claim update that records the issue number while `blocked` exists,
    // so the first leg is always killed after its create and before that record.
    const blocked = path.join(makeTempDir(), 'block-record')
    fs.writeFileSync(blocked, '')
    const hook = path.join(project.remote.path, 'hooks', 'pre-receive')
    fs.writeFileSync(
      hook,
      [
        '#!/bin/sh',
        'while read old new ref; do',
        '  case "$ref" in refs/parallel-setup/claims/*)',
        `    if [ -e '${blocked}' ] && git show "$new:claim.json" 2>/dev/null | grep -q '"issue"'; then exit 1; fi;;`,
        '  esac',
        'done',
        ''
      ].join('\n'),
      { mode: 0o755 }
    )
    const workspace = project.checkout()
    const abort = new AbortController()
    const first = project.run(
      'setup',
      workspace,
      { task: 'a', install: 'none' },
      {},
      { signal: abort.signal, killSignal: 'SIGKILL' }
    )
    await waitFor(() => project.emulator.state.issues.size > 0)
    abort.abort()
    await first
    const claim = readClaim(project)
    expect(claim.creating).toBeDefined()
    expect(claim.issue).toBeUndefined()
    fs.rmSync(blocked)

    // Attempt 2 starts at once, so the list does not show the first leg's issue yet. The time scale shortens
    // the 30 s wait for a create still in flight to 3 s.
    const rerun = await project.run(
      'setup',
      workspace,
      { task: 'a', install: 'none' },
      { GITHUB_RUN_ATTEMPT: '2', PARALLEL_SETUP_TIME_SCALE: '10' }
    )
    expect(rerun.annotations.filter((annotation) => annotation.level === 'error')).toEqual([])
    expect(rerun.outputs.status).toBe('ready')
    expect(rerun.outputs['issue-number']).toBe('1')
    expect(project.emulator.state.issues.size).toBe(1)
    expect(rerun.stdout).toMatch(/run \S+ attempt 1 started to open the issue at .* found #1\./)
    expect(readClaim(project)).toMatchObject({ issue: 1, runAttempt: 2 })
  })
})

/** Reads the claim record of task `a` from the remote. */
function readClaim(project: ScratchProject): Record<string, unknown> {
  const [sha, ref] = project.sandbox
    .git(project.remote.path, [
      'for-each-ref',
      '--format=%(objectname) %(refname)',
      'refs/parallel-setup/claims'
    ])
    .trim()
    .split(' ')
  expect(ref).toMatch(/\/a$/)
  return JSON.parse(project.sandbox.git(project.remote.path, ['show', `${sha}:claim.json`]))
}
