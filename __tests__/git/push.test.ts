import * as fs from 'node:fs'
import * as path from 'node:path'

import { GitCommandManager, PushRejectedError, resultRefspec } from '../../src/git/index.js'
import {
  type BareRemote,
  type GitSandbox,
  cloneLikeCheckout,
  commitFile,
  createBareRemote,
  createGitSandbox,
  pushCommitAsSomeoneElse,
  remoteBranchHead
} from '../../test/git/repos.js'
import { startStatusServer } from '../../test/git/status-server.js'

let sandbox: GitSandbox
let remote: BareRemote
let checkout: string

beforeEach(() => {
  sandbox = createGitSandbox()
  remote = createBareRemote(sandbox)
  checkout = cloneLikeCheckout(sandbox, remote)
})

afterEach(() => sandbox.cleanup())

function manager(dir = checkout): Promise<GitCommandManager> {
  return GitCommandManager.create(dir, { env: sandbox.env, retryDelaysMs: [] })
}

async function taskWithCommit(git: GitCommandManager, branch: string): Promise<string> {
  const task = await git.prepareTaskWorktree({ branch, worktreePath: `.worktrees/${branch}` })
  commitFile(sandbox, task.worktree, 'work.txt', `${branch}\n`, `Work on ${branch}`)
  return task.worktree
}

/** Catches the error that `promise` rejects with, failing the test if it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<PushRejectedError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(PushRejectedError)
    return error as PushRejectedError
  }
  throw new Error('expected the push to be rejected')
}

describe('pushBranch', () => {
  test('pushes and sets the upstream', async () => {
    const git = await manager()
    const worktree = await taskWithCommit(git, 'task-push')
    await git.pushBranch('task-push')

    expect(remoteBranchHead(sandbox, remote, 'task-push')).toBe(
      sandbox.git(worktree, ['rev-parse', 'HEAD'])
    )
    expect(sandbox.git(worktree, ['rev-parse', '--abbrev-ref', '@{upstream}'])).toBe(
      'origin/task-push'
    )
  })

  test('pushes a result ref in the same push', async () => {
    const git = await manager()
    await taskWithCommit(git, 'task-result')
    const resultSha = await git.createCommitWithFile(
      'result.json',
      '{"status":"ready"}\n',
      'Result'
    )
    const ref = 'refs/parallel-setup/results/run-1/task-result'

    await git.pushBranch('task-result', 'origin', [resultRefspec(resultSha, ref)])
    expect(sandbox.git(remote.path, ['rev-parse', ref])).toBe(resultSha)

    // A second result replaces the first: only the result ref is forced.
    const secondSha = await git.createCommitWithFile('result.json', '{"status":"done"}\n', 'Result')
    await git.pushBranch('task-result', 'origin', [resultRefspec(secondSha, ref)])
    expect(sandbox.git(remote.path, ['rev-parse', ref])).toBe(secondSha)
  })

  test('non-fast-forward rejection explains the fix', async () => {
    const git = await manager()
    await taskWithCommit(git, 'task-race')
    await git.pushBranch('task-race')
    const worktree = path.join(checkout, '.worktrees', 'task-race')
    commitFile(sandbox, worktree, 'mine.txt', 'mine\n', 'Mine')
    const theirs = pushCommitAsSomeoneElse(sandbox, remote, 'task-race', 'theirs.txt', 'theirs\n')

    const error = await rejectionOf(git.pushBranch('task-race'))
    expect(error.reason).toBe('non-fast-forward')
    expect(error.message).toContain(
      "Push of branch 'task-race' to 'origin' was rejected because the remote branch has commits " +
        'that the local branch does not contain (someone pushed to it meanwhile).'
    )
    expect(error.message).toContain('The branch is never force-pushed.')
    expect(remoteBranchHead(sandbox, remote, 'task-race')).toBe(theirs)
  })

  test('protected branch rejection explains the fix', async () => {
    const hook = path.join(remote.path, 'hooks', 'pre-receive')
    fs.writeFileSync(
      hook,
      '#!/bin/sh\necho "error: GH006: Protected branch update failed for refs/heads/task-guarded." >&2\nexit 1\n',
      { mode: 0o755 }
    )
    const git = await manager()
    await taskWithCommit(git, 'task-guarded')

    const error = await rejectionOf(git.pushBranch('task-guarded'))
    expect(error.reason).toBe('protected-branch')
    expect(error.message).toContain(
      "Push of branch 'task-guarded' to 'origin' was rejected by a branch protection rule or " +
        'ruleset. Use a branch name that the rules do not cover'
    )
    expect(remoteBranchHead(sandbox, remote, 'task-guarded')).toBeUndefined()
  })

  test('403 names the contents write permission', async () => {
    const server = await startStatusServer(
      403,
      'Permission to owner/repo.git denied to github-actions[bot].'
    )
    try {
      sandbox.git(checkout, ['remote', 'add', 'denied', server.repositoryUrl])
      const git = await manager()
      await taskWithCommit(git, 'task-denied')

      const error = await rejectionOf(git.pushBranch('task-denied', 'denied'))
      expect(error.reason).toBe('permission')
      expect(error.message).toContain(
        "Push of branch 'task-denied' to 'denied' was denied (HTTP 403): the token has no write " +
          'access to the repository. Give the job `permissions: contents: write`'
      )
      expect(server.requests).toEqual(['GET /owner/repo.git/info/refs?service=git-receive-pack'])
    } finally {
      await server.close()
    }
  })

  test('unreachable remote fails after the retries', async () => {
    const server = await startStatusServer(502, 'Bad Gateway')
    try {
      sandbox.git(checkout, ['remote', 'add', 'down', server.repositoryUrl])
      const git = await GitCommandManager.create(checkout, {
        env: sandbox.env,
        retryDelaysMs: [5, 5, 5]
      })
      await taskWithCommit(git, 'task-down')

      const error = await rejectionOf(git.pushBranch('task-down', 'down'))
      expect(error.reason).toBe('network')
      expect(error.message).toContain(
        "Push of branch 'task-down' to 'down' failed on the network after every retry."
      )
      expect(server.requests).toHaveLength(4)
    } finally {
      await server.close()
    }
  })

  test('resultRefspec rejects branch refs', () => {
    const sha = 'a'.repeat(40)
    expect(resultRefspec(sha, 'refs/parallel-setup/results/k/t')).toBe(
      `+${sha}:refs/parallel-setup/results/k/t`
    )
    expect(() => resultRefspec(sha, 'refs/heads/main')).toThrow(
      "Invalid result ref 'refs/heads/main': use a ref under refs/ outside refs/heads/."
    )
    expect(() => resultRefspec('HEAD', 'refs/x/y')).toThrow(
      "Invalid commit sha 'HEAD' for a result ref."
    )
  })
})

describe('result commits', () => {
  test('round trip through a custom ref', async () => {
    const git = await manager()
    const content = JSON.stringify({ task: 'login', status: 'success', installMs: 1234 }, null, 2)
    const sha = await git.createCommitWithFile('result.json', content, 'Result of task login')

    expect(sandbox.git(checkout, ['rev-list', '--parents', '-n', '1', sha])).toBe(sha)
    expect(sandbox.git(checkout, ['ls-tree', '--name-only', sha])).toBe('result.json')
    expect(sandbox.git(checkout, ['log', '-1', '--format=%an <%ae>|%s', sha])).toBe(
      'github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>|Result of task login'
    )
    expect(sandbox.git(checkout, ['status', '--porcelain'])).toBe('')

    await git.pushBranch('main', 'origin', [
      resultRefspec(sha, 'refs/parallel-setup/results/run-7/login')
    ])
    const otherSha = await git.createCommitWithFile(
      'result.json',
      '{"task":"logout"}',
      'Result of logout'
    )
    await git.pushBranch('main', 'origin', [
      resultRefspec(otherSha, 'refs/parallel-setup/results/run-7/logout')
    ])
    await git.pushBranch('main', 'origin', [
      resultRefspec(otherSha, 'refs/parallel-setup/results/run-8/logout')
    ])

    // A separate shallow checkout, like the job that collects the results.
    const collector = cloneLikeCheckout(sandbox, remote, 'collector')
    const reader = await manager(collector)
    const refs = await reader.fetchRefs('origin', 'refs/parallel-setup/results/run-7/*')
    expect(refs).toEqual(
      new Map([
        ['refs/parallel-setup/results/run-7/login', sha],
        ['refs/parallel-setup/results/run-7/logout', otherSha]
      ])
    )
    expect(await reader.readFileAtCommit(sha, 'result.json')).toBe(content)

    sandbox.git(remote.path, ['update-ref', '-d', 'refs/parallel-setup/results/run-7/logout'])
    expect(await reader.fetchRefs('origin', 'refs/parallel-setup/results/run-7/*')).toEqual(
      new Map([['refs/parallel-setup/results/run-7/login', sha]])
    )
    expect(await reader.fetchRefs('origin', 'refs/parallel-setup/results/run-9/*')).toEqual(
      new Map()
    )
  })

  test('readFileAtCommit names a missing file', async () => {
    const git = await manager()
    const sha = await git.createCommitWithFile('result.json', '{}', 'Result')
    await expect(git.readFileAtCommit(sha, 'other.json')).rejects.toThrow(
      `File 'other.json' not found in commit ${sha}`
    )
  })

  test('invalid inputs are rejected', async () => {
    const git = await manager()
    await expect(git.createCommitWithFile('dir/result.json', '{}', 'Result')).rejects.toThrow(
      "Invalid file name 'dir/result.json' for a result commit"
    )
    await expect(git.fetchRefs('origin', 'results/*')).rejects.toThrow(
      "Invalid ref pattern 'results/*': use a ref under refs/, optionally ending in '/*'."
    )
  })

  test('dry run lists result refs without fetching', async () => {
    const git = await manager()
    const sha = await git.createCommitWithFile('result.json', '{}', 'Result')
    await git.pushBranch('main', 'origin', [resultRefspec(sha, 'refs/parallel-setup/results/k/a')])

    const collector = cloneLikeCheckout(sandbox, remote, 'collector')
    const dry = await GitCommandManager.create(collector, { env: sandbox.env, dryRun: true })
    expect(await dry.fetchRefs('origin', 'refs/parallel-setup/results/k/*')).toEqual(
      new Map([['refs/parallel-setup/results/k/a', sha]])
    )
    expect(sandbox.git(collector, ['for-each-ref', 'refs/parallel-setup'])).toBe('')
  })
})
