import * as fs from 'node:fs'
import * as path from 'node:path'

import { GitCommandManager, type GitLogger } from '../../src/git/index.js'
import {
  type BareRemote,
  type GitSandbox,
  cloneLikeCheckout,
  commitFile,
  createBareRemote,
  createGitSandbox,
  pushCommitAsSomeoneElse
} from '../../test/git/repos.js'
import { startStatusServer } from '../../test/git/status-server.js'

function recordingLogger(): GitLogger & { lines: string[] } {
  const lines: string[] = []
  return {
    lines,
    info: (message) => lines.push(`info: ${message}`),
    warning: (message) => lines.push(`warning: ${message}`),
    debug: (message) => lines.push(`debug: ${message}`),
    startGroup: (name) => lines.push(`group: ${name}`),
    endGroup: () => undefined
  }
}

let sandbox: GitSandbox
let remote: BareRemote
let checkout: string

beforeEach(() => {
  sandbox = createGitSandbox()
  remote = createBareRemote(sandbox)
  checkout = cloneLikeCheckout(sandbox, remote)
})

afterEach(() => sandbox.cleanup())

function manager(
  options: { dryRun?: boolean; logger?: GitLogger } = {}
): Promise<GitCommandManager> {
  return GitCommandManager.create(checkout, { env: sandbox.env, retryDelaysMs: [], ...options })
}

/** Writes an executable script that prints `git version <version>` like a git binary would. */
function fakeGit(version: string): string {
  const script = path.join(sandbox.root, `git-${version}`)
  fs.writeFileSync(script, `#!/bin/sh\necho "git version ${version}"\n`, { mode: 0o755 })
  return script
}

describe('GitCommandManager.create', () => {
  test('reads the installed git version', async () => {
    const git = await manager()
    const installed = sandbox.git(checkout, ['--version'])
    expect(`git version ${git.version.join('.')}`).toBe(installed.split(' ').slice(0, 3).join(' '))
  })

  test('rejects git older than 2.25', async () => {
    await expect(
      GitCommandManager.create(checkout, { gitPath: fakeGit('2.24.4') })
    ).rejects.toThrow(
      'git 2.24.4 is too old: parallel-setup needs git 2.25.0 or later. Install a newer git on the runner.'
    )
  })

  test('accepts git 2.25 and vendor suffixes', async () => {
    const plain = await GitCommandManager.create(checkout, { gitPath: fakeGit('2.25.0') })
    expect(plain.version).toEqual([2, 25, 0])
    const windows = await GitCommandManager.create(checkout, {
      gitPath: fakeGit('2.45.1.windows.1')
    })
    expect(windows.version).toEqual([2, 45, 1])
  })

  test('git path with a space', async () => {
    const folder = path.join(sandbox.root, 'Program Files')
    fs.mkdirSync(folder)
    const script = path.join(folder, 'git')
    fs.copyFileSync(fakeGit('2.40.1'), script)
    fs.chmodSync(script, 0o755)
    const git = await GitCommandManager.create(checkout, { gitPath: script })
    expect(git.version).toEqual([2, 40, 1])
  })

  test('reports a missing repository folder', async () => {
    const missing = path.join(sandbox.root, 'not-cloned')
    await expect(GitCommandManager.create(missing)).rejects.toThrow(
      `Repository folder ${missing} does not exist.`
    )
  })

  test('reports a missing git', async () => {
    const missing = path.join(sandbox.root, 'no-such-git')
    await expect(GitCommandManager.create(checkout, { gitPath: missing })).rejects.toThrow(
      `git was not found (${missing})`
    )
  })
})

describe('GitCommandManager queries', () => {
  test('checkBranchName follows git rules', async () => {
    const git = await manager()
    const cases: Array<[string, boolean]> = [
      ['task/add-login', true],
      ['feature/ü-umlaut', true],
      ['a.b', true],
      ['has space', false],
      ['double..dot', false],
      ['ends.lock', false],
      ['ends/', false],
      ['.hidden', false],
      ['tilde~1', false],
      ['caret^', false],
      ['colon:x', false],
      ['star*', false],
      ['question?', false],
      ['bracket[', false],
      ['back\\slash', false],
      ['-option', false],
      ['@{-1}', false],
      ['HEAD', false],
      ['', false]
    ]
    for (const [name, valid] of cases) {
      expect([name, await git.checkBranchName(name)]).toEqual([name, valid])
    }
  })

  test('remoteDefaultBranch reads the remote HEAD', async () => {
    sandbox.git(remote.path, ['branch', 'trunk', 'main'])
    sandbox.git(remote.path, ['symbolic-ref', 'HEAD', 'refs/heads/trunk'])
    const git = await manager()
    expect(await git.remoteDefaultBranch()).toBe('trunk')
  })

  test('remoteBranchSha matches the exact branch', async () => {
    const sha = pushCommitAsSomeoneElse(sandbox, remote, 'team/task', 'a.txt', 'a\n')
    pushCommitAsSomeoneElse(sandbox, remote, 'other/team/task', 'b.txt', 'b\n')
    const git = await manager()
    expect(await git.remoteBranchSha('origin', 'team/task')).toBe(sha)
    expect(await git.remoteBranchSha('origin', 'task')).toBeUndefined()
  })

  test('remoteTaskBranches reads both branches at once', async () => {
    sandbox.git(remote.path, ['branch', 'trunk', 'main'])
    sandbox.git(remote.path, ['symbolic-ref', 'HEAD', 'refs/heads/trunk'])
    const trunk = sandbox.git(remote.path, ['rev-parse', 'refs/heads/trunk'])
    const sha = pushCommitAsSomeoneElse(sandbox, remote, 'team/task', 'a.txt', 'a\n')
    pushCommitAsSomeoneElse(sandbox, remote, 'other/team/task', 'b.txt', 'b\n')
    const git = await manager()

    expect(await git.remoteTaskBranches('origin', 'team/task', undefined)).toEqual({
      baseBranch: 'trunk',
      branchSha: sha,
      baseSha: trunk
    })
    expect(await git.remoteTaskBranches('origin', 'task', 'other/team/task')).toEqual({
      baseBranch: 'other/team/task',
      branchSha: undefined,
      baseSha: sandbox.git(remote.path, ['rev-parse', 'refs/heads/other/team/task'])
    })
    expect(await git.remoteTaskBranches('origin', 'team/task', 'missing')).toEqual({
      baseBranch: 'missing',
      branchSha: sha,
      baseSha: undefined
    })
  })

  test('repeated queries run git once', async () => {
    await manager()
    const logger = recordingLogger()
    const git = await manager({ logger })
    const first = await git.commonGitDir()
    const second = await git.commonGitDir()

    expect(second).toBe(first)
    const commands = logger.lines.filter((line) => line.startsWith('debug: running: '))
    // The first manager of the process read the version already.
    expect(commands.filter((line) => line.includes('"--version"'))).toEqual([])
    expect(commands.filter((line) => line.includes('"--git-common-dir"'))).toHaveLength(1)
  })

  test('worktree helpers for the CLI', async () => {
    const git = await manager()
    expect(await git.isInsideWorkTree()).toBe(true)
    const task = await git.prepareTaskWorktree({
      branch: 'task/cli',
      worktreePath: '.worktrees/cli'
    })

    const listed = await git.listWorktrees()
    expect(listed.map((entry) => [entry.path, entry.branch])).toEqual([
      [checkout, 'main'],
      [task.worktree, 'task/cli']
    ])

    expect(await git.hasUncommittedChanges(task.worktree)).toBe(false)
    fs.writeFileSync(path.join(task.worktree, 'draft.txt'), 'draft\n')
    expect(await git.hasUncommittedChanges(task.worktree)).toBe(true)
    const sha = commitFile(sandbox, task.worktree, 'draft.txt', 'draft\n', 'Add the draft')
    expect(await git.hasUncommittedChanges(task.worktree)).toBe(false)
    expect(await git.lastCommit(task.worktree)).toEqual({ sha, subject: 'Add the draft' })

    expect(await git.isMerged('task/cli', 'main')).toBe(false)
    sandbox.git(checkout, ['merge', '--quiet', '--ff-only', 'task/cli'])
    expect(await git.isMerged('task/cli', 'main')).toBe(true)

    await git.removeWorktree(task.worktree)
    expect(fs.existsSync(task.worktree)).toBe(false)
    await git.deleteLocalBranch('task/cli')
    expect(await git.branchExists('task/cli')).toBe(false)
    expect((await git.listWorktrees()).map((entry) => entry.path)).toEqual([checkout])
  })

  test('removeWorktree keeps changes unless forced', async () => {
    const git = await manager()
    const task = await git.prepareTaskWorktree({
      branch: 'task/dirty',
      worktreePath: '.worktrees/dirty'
    })
    fs.writeFileSync(path.join(task.worktree, 'unsaved.txt'), 'unsaved\n')

    await expect(git.removeWorktree(task.worktree)).rejects.toThrow(
      'contains modified or untracked files'
    )
    expect(fs.existsSync(path.join(task.worktree, 'unsaved.txt'))).toBe(true)
    await git.removeWorktree(task.worktree, { force: true })
    expect(fs.existsSync(task.worktree)).toBe(false)
  })

  test('deleteLocalBranch keeps unmerged work unless forced', async () => {
    const git = await manager()
    const task = await git.prepareTaskWorktree({
      branch: 'task/unmerged',
      worktreePath: '.worktrees/u'
    })
    commitFile(sandbox, task.worktree, 'u.txt', 'u\n', 'Unmerged')
    await git.removeWorktree(task.worktree)

    await expect(git.deleteLocalBranch('task/unmerged')).rejects.toThrow('is not fully merged')
    expect(await git.branchExists('task/unmerged')).toBe(true)
    await git.deleteLocalBranch('task/unmerged', { force: true })
    expect(await git.branchExists('task/unmerged')).toBe(false)
  })

  test('lastCommit of a repository without commits', async () => {
    const empty = path.join(sandbox.root, 'empty')
    sandbox.git(sandbox.root, ['init', '--quiet', empty])
    const git = await GitCommandManager.create(empty, { env: sandbox.env })
    expect(await git.lastCommit(empty)).toBeUndefined()
  })

  test('isInsideWorkTree outside a repository', async () => {
    const outside = path.join(sandbox.root, 'plain-folder')
    fs.mkdirSync(outside)
    const git = await GitCommandManager.create(outside, {
      env: { ...sandbox.env, GIT_CEILING_DIRECTORIES: sandbox.root }
    })
    expect(await git.isInsideWorkTree()).toBe(false)
  })
})

describe('excludeFromStatus', () => {
  test('adds the pattern once', async () => {
    const git = await manager()
    const exclude = path.join(checkout, '.git', 'info', 'exclude')
    fs.mkdirSync(path.dirname(exclude), { recursive: true })
    fs.writeFileSync(exclude, '# local patterns\n*.tmp')

    expect(await git.excludeFromStatus('/.worktrees/')).toBe(true)
    expect(await git.excludeFromStatus('/.worktrees/')).toBe(false)
    expect(fs.readFileSync(exclude, 'utf8')).toBe('# local patterns\n*.tmp\n/.worktrees/\n')

    await git.prepareTaskWorktree({ branch: 'task/quiet', worktreePath: '.worktrees/quiet' })
    expect(sandbox.git(checkout, ['status', '--porcelain'])).toBe('')
  })

  test('creates the exclude file when missing', async () => {
    const git = await manager()
    fs.rmSync(path.join(checkout, '.git', 'info'), { recursive: true, force: true })
    expect(await git.excludeFromStatus('/.worktrees/')).toBe(true)
    expect(fs.readFileSync(path.join(checkout, '.git', 'info', 'exclude'), 'utf8')).toBe(
      '/.worktrees/\n'
    )
  })

  test('shares the exclude file with worktrees', async () => {
    const git = await manager()
    const task = await git.prepareTaskWorktree({
      branch: 'task/inner',
      worktreePath: '.worktrees/inner'
    })
    const inner = await GitCommandManager.create(task.worktree, { env: sandbox.env })
    expect(await inner.excludeFromStatus('/build-output/')).toBe(true)
    expect(fs.readFileSync(path.join(checkout, '.git', 'info', 'exclude'), 'utf8')).toContain(
      '/build-output/\n'
    )
  })
})

describe('network retries', () => {
  test('a 503 is retried three times', async () => {
    const server = await startStatusServer(503, 'Service Unavailable')
    try {
      sandbox.git(checkout, ['remote', 'add', 'down', server.repositoryUrl])
      const logger = recordingLogger()
      const git = await GitCommandManager.create(checkout, {
        env: sandbox.env,
        logger,
        retryDelaysMs: [10, 20, 40]
      })

      await expect(git.remoteBranchSha('down', 'main')).rejects.toThrow('returned error: 503')
      expect(server.requests).toEqual(
        Array(4).fill('GET /owner/repo.git/info/refs?service=git-upload-pack')
      )
      const warnings = logger.lines.filter((line) => line.startsWith('warning:'))
      expect(warnings).toHaveLength(3)
      expect(warnings[0]).toContain('failed on the network (attempt 1 of 4), retrying in 0.01 s')
    } finally {
      await server.close()
    }
  })

  test('a 403 is not retried', async () => {
    const server = await startStatusServer(403, 'Forbidden')
    try {
      sandbox.git(checkout, ['remote', 'add', 'denied', server.repositoryUrl])
      const git = await GitCommandManager.create(checkout, {
        env: sandbox.env,
        retryDelaysMs: [10, 20, 40]
      })
      await expect(git.remoteBranchSha('denied', 'main')).rejects.toThrow('returned error: 403')
      expect(server.requests).toHaveLength(1)
    } finally {
      await server.close()
    }
  })

  test('extra config reaches git but not the log', async () => {
    const server = await startStatusServer(403, 'Forbidden')
    try {
      sandbox.git(checkout, ['remote', 'add', 'denied', server.repositoryUrl])
      const logger = recordingLogger()
      const git = await GitCommandManager.create(checkout, {
        env: sandbox.env,
        logger,
        extraConfig: ['http.extraheader=AUTHORIZATION: basic c2VjcmV0LXRva2Vu']
      })
      await expect(git.remoteBranchSha('denied', 'main')).rejects.toThrow('returned error: 403')
      expect(logger.lines.some((line) => line.includes('c2VjcmV0LXRva2Vu'))).toBe(false)
      expect(logger.lines).toContain(
        'debug: running: git "ls-remote" "--heads" "denied" "refs/heads/main"'
      )
    } finally {
      await server.close()
    }
  })
})

describe('dry run', () => {
  test('runs read-only commands and logs the rest', async () => {
    const logger = recordingLogger()
    const git = await manager({ dryRun: true, logger })

    expect(await git.checkBranchName('task/dry')).toBe(true)
    expect(await git.remoteDefaultBranch()).toBe('main')
    expect(await git.excludeFromStatus('/.worktrees/')).toBe(true)
    await git.pushBranch('main')
    await git.deleteLocalBranch('main', { force: true })
    expect(await git.createCommitWithFile('result.json', '{}', 'Result')).toBe('0'.repeat(40))

    expect(fs.readFileSync(path.join(checkout, '.git', 'info', 'exclude'), 'utf8')).not.toContain(
      '/.worktrees/'
    )
    expect(await git.branchExists('main')).toBe(true)
    expect(logger.lines.filter((line) => line.startsWith('info:'))).toEqual([
      `info: [dry run] would add '/.worktrees/' to ${path.join(checkout, '.git', 'info', 'exclude')}`,
      'info: [dry run] would run: git "push" "origin" "refs/heads/main:refs/heads/main"',
      'info: [dry run] would run: git "config" "branch.main.remote" "origin"',
      'info: [dry run] would run: git "config" "branch.main.merge" "refs/heads/main"',
      'info: [dry run] would run: git "branch" "-D" "--" "main"',
      'info: [dry run] would store result.json (2 characters) in a commit'
    ])
  })
})
