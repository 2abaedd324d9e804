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
  pushCommitAsSomeoneElse,
  remoteBranchHead
} from '../../test/git/repos.js'

/** Creates a logger that keeps every message, so tests can check what a user would read. */
function recordingLogger(): GitLogger & { lines: string[] } {
  const lines: string[] = []
  return {
    lines,
    info: (message) => lines.push(`info: ${message}`),
    warning: (message) => lines.push(`warning: ${message}`),
    debug: () => undefined,
    startGroup: (name) => lines.push(`group: ${name}`),
    endGroup: () => undefined
  }
}

/** Records the git commands that a manager runs, which it logs at debug level. */
function commandLogger(): GitLogger & { commands: string[]; count(...args: string[]): number } {
  const commands: string[] = []
  return {
    commands,
    /** Counts the commands that contain `args` in a row, such as 'worktree', 'add'. */
    count: (...args) => {
      const quoted = args.map((arg) => JSON.stringify(arg)).join(' ')
      return commands.filter((command) => command.includes(quoted)).length
    },
    info: () => undefined,
    warning: () => undefined,
    debug: (message) => commands.push(message),
    startGroup: () => undefined,
    endGroup: () => undefined
  }
}

let sandbox: GitSandbox
let remote: BareRemote
let checkout: string
let mainHead: string

beforeEach(() => {
  sandbox = createGitSandbox()
  remote = createBareRemote(sandbox)
  checkout = cloneLikeCheckout(sandbox, remote)
  mainHead = sandbox.git(remote.path, ['rev-parse', 'refs/heads/main'])
})

afterEach(() => sandbox.cleanup())

function manager(dir = checkout, dryRun = false, logger?: GitLogger): Promise<GitCommandManager> {
  return GitCommandManager.create(dir, { env: sandbox.env, dryRun, logger, retryDelaysMs: [] })
}

function headOf(dir: string): string {
  return sandbox.git(dir, ['rev-parse', 'HEAD'])
}

describe('prepareTaskWorktree', () => {
  test('fresh branch starts from the default branch', async () => {
    const git = await manager()
    const result = await git.prepareTaskWorktree({
      branch: 'task/one',
      worktreePath: '.worktrees/one'
    })

    expect(result).toEqual({
      branch: 'task/one',
      created: true,
      worktree: path.join(checkout, '.worktrees/one'),
      startPoint: mainHead,
      baseBranch: 'main',
      reused: false
    })
    expect(headOf(result.worktree)).toBe(mainHead)
    expect(sandbox.git(result.worktree, ['symbolic-ref', 'HEAD'])).toBe('refs/heads/task/one')
    // A new branch must not track the base, or a plain `git push` would target main.
    expect(() => sandbox.git(checkout, ['config', 'branch.task/one.merge'])).toThrow()
    expect(fs.readFileSync(path.join(result.worktree, 'file-3.txt'), 'utf8')).toBe('content 3\n')
  })

  test('fresh branch from a given base', async () => {
    const developHead = pushCommitAsSomeoneElse(sandbox, remote, 'develop', 'develop.txt', 'dev\n')
    const git = await manager()
    const result = await git.prepareTaskWorktree({
      branch: 'task/two',
      base: 'develop',
      worktreePath: '.worktrees/two'
    })

    expect(result.created).toBe(true)
    expect(result.baseBranch).toBe('develop')
    expect(result.startPoint).toBe(developHead)
    expect(headOf(result.worktree)).toBe(developHead)
  })

  test('current base is not fetched again', async () => {
    const logger = commandLogger()
    const git = await manager(checkout, false, logger)
    const result = await git.prepareTaskWorktree({
      branch: 'task/current',
      worktreePath: '.worktrees/current'
    })

    expect(result.startPoint).toBe(mainHead)
    // The clone's origin/main already is the remote's main, so no fetch is needed.
    expect(logger.count('worktree', 'add')).toBeGreaterThan(0)
    expect(logger.count('fetch')).toBe(0)
    // One ls-remote reads the default branch, its commit and the task branch.
    expect(logger.count('ls-remote')).toBe(1)
  })

  test('given base needs one ls-remote', async () => {
    const developHead = pushCommitAsSomeoneElse(sandbox, remote, 'develop', 'dev.txt', 'dev\n')
    const logger = commandLogger()
    const git = await manager(checkout, false, logger)
    const result = await git.prepareTaskWorktree({
      branch: 'task/on-develop',
      base: 'develop',
      worktreePath: '.worktrees/on-develop'
    })

    expect(result.startPoint).toBe(developHead)
    expect(logger.count('ls-remote')).toBe(1)
  })

  test('stale base is fetched first', async () => {
    const newHead = pushCommitAsSomeoneElse(sandbox, remote, 'main', 'newer.txt', 'newer\n')
    const logger = commandLogger()
    const git = await manager(checkout, false, logger)
    const result = await git.prepareTaskWorktree({
      branch: 'task/stale',
      worktreePath: '.worktrees/stale'
    })

    expect(result.startPoint).toBe(newHead)
    expect(headOf(result.worktree)).toBe(newHead)
    expect(logger.count('fetch')).toBe(1)
  })

  test('branch with someone else commit is reused', async () => {
    // The checkout fetched only main, so it has never seen this branch or its commit.
    const theirCommit = pushCommitAsSomeoneElse(
      sandbox,
      remote,
      'task/shared',
      'theirs.txt',
      'theirs\n'
    )
    expect(() => sandbox.git(checkout, ['cat-file', '-e', theirCommit])).toThrow()

    const git = await manager()
    const result = await git.prepareTaskWorktree({
      branch: 'task/shared',
      worktreePath: '.worktrees/shared'
    })

    expect(result.created).toBe(false)
    expect(result.startPoint).toBe(theirCommit)
    expect(headOf(result.worktree)).toBe(theirCommit)
    expect(fs.readFileSync(path.join(result.worktree, 'theirs.txt'), 'utf8')).toBe('theirs\n')
    expect(sandbox.git(checkout, ['config', 'branch.task/shared.merge'])).toBe(
      'refs/heads/task/shared'
    )

    const ourCommit = commitFile(sandbox, result.worktree, 'ours.txt', 'ours\n', 'Our commit')
    await git.pushBranch('task/shared')

    expect(remoteBranchHead(sandbox, remote, 'task/shared')).toBe(ourCommit)
    expect(sandbox.git(remote.path, ['rev-parse', `${ourCommit}^`])).toBe(theirCommit)
  })

  test('shallow clone made by git clone --depth 1', async () => {
    const shallow = path.join(sandbox.root, 'shallow')
    sandbox.git(sandbox.root, ['clone', '--quiet', '--depth', '1', remote.url, shallow])
    expect(sandbox.git(shallow, ['rev-parse', '--is-shallow-repository'])).toBe('true')
    const developHead = pushCommitAsSomeoneElse(sandbox, remote, 'develop', 'develop.txt', 'dev\n')

    const git = await manager(shallow)
    const fresh = await git.prepareTaskWorktree({
      branch: 'task/fresh',
      base: 'develop',
      worktreePath: '.worktrees/fresh'
    })
    expect(fresh.created).toBe(true)
    expect(headOf(fresh.worktree)).toBe(developHead)
    const pushed = commitFile(sandbox, fresh.worktree, 'task.txt', 'task\n', 'Task commit')
    await git.pushBranch('task/fresh')
    expect(remoteBranchHead(sandbox, remote, 'task/fresh')).toBe(pushed)
    expect(sandbox.git(shallow, ['rev-parse', '--is-shallow-repository'])).toBe('true')

    const theirCommit = pushCommitAsSomeoneElse(sandbox, remote, 'task/theirs', 'x.txt', 'x\n')
    const existing = await git.prepareTaskWorktree({
      branch: 'task/theirs',
      worktreePath: '.worktrees/theirs'
    })
    expect(existing.created).toBe(false)
    expect(headOf(existing.worktree)).toBe(theirCommit)
  })

  test('re-run reuses the worktree as it is', async () => {
    const git = await manager()
    const first = await git.prepareTaskWorktree({
      branch: 'task/rerun',
      worktreePath: '.worktrees/rerun'
    })
    fs.writeFileSync(path.join(first.worktree, 'work-in-progress.txt'), 'unsaved\n')
    const localCommit = commitFile(sandbox, first.worktree, 'done.txt', 'done\n', 'Local work')

    const logger = recordingLogger()
    const again = await manager(checkout, false, logger)
    const second = await again.prepareTaskWorktree({
      branch: 'task/rerun',
      worktreePath: '.worktrees/rerun'
    })

    expect(second).toEqual({ ...first, startPoint: localCommit, reused: true })
    expect(fs.readFileSync(path.join(first.worktree, 'work-in-progress.txt'), 'utf8')).toBe(
      'unsaved\n'
    )
    expect(logger.lines).toContain(
      `info: Reusing worktree ${first.worktree} on branch 'task/rerun' from an earlier run.`
    )
  })

  test('re-run fast-forwards a reused worktree', async () => {
    const git = await manager()
    const first = await git.prepareTaskWorktree({
      branch: 'task/ff',
      worktreePath: '.worktrees/ff'
    })
    await git.pushBranch('task/ff')
    const theirCommit = pushCommitAsSomeoneElse(sandbox, remote, 'task/ff', 'later.txt', 'later\n')

    const second = await git.prepareTaskWorktree({
      branch: 'task/ff',
      worktreePath: '.worktrees/ff'
    })

    expect(second.reused).toBe(true)
    expect(second.created).toBe(false)
    expect(second.startPoint).toBe(theirCommit)
    expect(headOf(first.worktree)).toBe(theirCommit)
  })

  test('local branch behind the remote is fast-forwarded', async () => {
    sandbox.git(checkout, ['branch', 'task/behind', 'main'])
    const theirCommit = pushCommitAsSomeoneElse(sandbox, remote, 'task/behind', 'a.txt', 'a\n')

    const git = await manager()
    const result = await git.prepareTaskWorktree({
      branch: 'task/behind',
      worktreePath: '.worktrees/behind'
    })

    expect(result.created).toBe(false)
    expect(result.startPoint).toBe(theirCommit)
    expect(sandbox.git(checkout, ['rev-parse', 'refs/heads/task/behind'])).toBe(theirCommit)
  })

  test('local branch ahead of the remote is kept', async () => {
    const theirCommit = pushCommitAsSomeoneElse(sandbox, remote, 'task/ahead', 'a.txt', 'a\n')
    sandbox.git(checkout, ['fetch', '--quiet', 'origin', 'task/ahead'])
    sandbox.git(checkout, ['branch', 'task/ahead', theirCommit])
    const scratch = path.join(sandbox.root, 'scratch')
    sandbox.git(checkout, ['worktree', 'add', '--quiet', scratch, 'task/ahead'])
    const localCommit = commitFile(sandbox, scratch, 'b.txt', 'b\n', 'Unpushed local work')
    sandbox.git(checkout, ['worktree', 'remove', scratch])

    const git = await manager()
    const result = await git.prepareTaskWorktree({
      branch: 'task/ahead',
      worktreePath: '.worktrees/ahead'
    })

    expect(result.created).toBe(false)
    expect(result.startPoint).toBe(localCommit)
    expect(headOf(result.worktree)).toBe(localCommit)
  })

  test('diverged branches fail without changes', async () => {
    sandbox.git(checkout, ['branch', 'task/split', 'main'])
    const scratch = path.join(sandbox.root, 'scratch')
    sandbox.git(checkout, ['worktree', 'add', '--quiet', scratch, 'task/split'])
    const localCommit = commitFile(sandbox, scratch, 'mine.txt', 'mine\n', 'Local only')
    sandbox.git(checkout, ['worktree', 'remove', scratch])
    const theirCommit = pushCommitAsSomeoneElse(
      sandbox,
      remote,
      'task/split',
      'theirs.txt',
      'theirs\n'
    )

    const git = await manager()
    await expect(
      git.prepareTaskWorktree({ branch: 'task/split', worktreePath: '.worktrees/split' })
    ).rejects.toThrow(
      "Local branch 'task/split' and origin/task/split have diverged: each has commits the other lacks"
    )
    expect(sandbox.git(checkout, ['rev-parse', 'refs/heads/task/split'])).toBe(localCommit)
    expect(remoteBranchHead(sandbox, remote, 'task/split')).toBe(theirCommit)
    expect(fs.existsSync(path.join(checkout, '.worktrees/split'))).toBe(false)
  })

  test('local branch from a crashed run is reused', async () => {
    sandbox.git(checkout, ['branch', 'task/crashed', 'main'])
    const git = await manager()
    const result = await git.prepareTaskWorktree({
      branch: 'task/crashed',
      worktreePath: '.worktrees/crashed'
    })

    expect(result.created).toBe(true)
    expect(result.reused).toBe(false)
    expect(result.startPoint).toBe(mainHead)
    expect(sandbox.git(result.worktree, ['symbolic-ref', 'HEAD'])).toBe('refs/heads/task/crashed')
  })

  test('missing base branch names the fix', async () => {
    const git = await manager()
    await expect(
      git.prepareTaskWorktree({ branch: 'task/x', base: 'release', worktreePath: '.worktrees/x' })
    ).rejects.toThrow(
      "Base branch 'release' was not found on remote 'origin'. Set the `base` input or the " +
        "manifest's `base` to a branch that exists on the remote, or push 'release' first."
    )
    expect(fs.existsSync(path.join(checkout, '.worktrees/x'))).toBe(false)
  })

  test('invalid branch names are rejected', async () => {
    const git = await manager()
    for (const branch of ['has space', 'a..b', 'ends.lock', '-dash', 'x@{-1}', 'a:b', '']) {
      await expect(
        git.prepareTaskWorktree({ branch, worktreePath: '.worktrees/bad' })
      ).rejects.toThrow(
        `Invalid task branch name '${branch}': git check-ref-format --branch rejects it.`
      )
    }
    await expect(
      git.prepareTaskWorktree({ branch: 'ok', base: 'bad~base', worktreePath: '.worktrees/bad' })
    ).rejects.toThrow("Invalid base branch name 'bad~base'")
  })

  test('branch checked out elsewhere is reported', async () => {
    const git = await manager()
    await git.prepareTaskWorktree({ branch: 'task/busy', worktreePath: '.worktrees/first' })
    await expect(
      git.prepareTaskWorktree({ branch: 'task/busy', worktreePath: '.worktrees/second' })
    ).rejects.toThrow(
      `Branch 'task/busy' is already checked out in ${path.join(checkout, '.worktrees/first')}`
    )
  })
})

describe('prepareTaskWorktree recovery', () => {
  test('worktree killed while initializing', async () => {
    const git = await manager()
    const first = await git.prepareTaskWorktree({
      branch: 'task/killed',
      worktreePath: '.worktrees/killed'
    })
    // `git worktree add` writes this lock first and deletes it last; a kill in between leaves it,
    // with a half-written index and a partial checkout.
    const adminDir = path.join(checkout, '.git', 'worktrees', 'killed')
    fs.writeFileSync(path.join(adminDir, 'locked'), 'initializing\n')
    fs.writeFileSync(path.join(adminDir, 'index.lock'), '')
    fs.rmSync(path.join(first.worktree, 'file-2.txt'))

    const logger = recordingLogger()
    const again = await manager(checkout, false, logger)
    const second = await again.prepareTaskWorktree({
      branch: 'task/killed',
      worktreePath: '.worktrees/killed'
    })

    expect(second.reused).toBe(false)
    expect(second.created).toBe(true)
    expect(fs.readFileSync(path.join(second.worktree, 'file-2.txt'), 'utf8')).toBe('content 2\n')
    expect(sandbox.git(second.worktree, ['status', '--porcelain'])).toBe('')
    expect(logger.lines.filter((line) => line.startsWith('warning:'))).toEqual([
      `warning: Worktree ${second.worktree} is incomplete, probably because an earlier run ` +
        'stopped while creating it. Removing it to create it again.'
    ])
  })

  test('unregistered folder with a .git file', async () => {
    const leftover = path.join(checkout, '.worktrees', 'orphan')
    fs.mkdirSync(leftover, { recursive: true })
    fs.writeFileSync(path.join(leftover, '.git'), 'gitdir: /nowhere/.git/worktrees/orphan\n')
    fs.writeFileSync(path.join(leftover, 'half.txt'), 'half\n')

    const git = await manager()
    const result = await git.prepareTaskWorktree({
      branch: 'task/orphan',
      worktreePath: '.worktrees/orphan'
    })

    expect(result.created).toBe(true)
    expect(fs.existsSync(path.join(leftover, 'half.txt'))).toBe(false)
    expect(headOf(leftover)).toBe(mainHead)
  })

  test('registered worktree whose folder is gone', async () => {
    const git = await manager()
    const first = await git.prepareTaskWorktree({
      branch: 'task/gone',
      worktreePath: '.worktrees/gone'
    })
    fs.rmSync(first.worktree, { recursive: true, force: true })

    const second = await git.prepareTaskWorktree({
      branch: 'task/gone',
      worktreePath: '.worktrees/gone'
    })

    expect(second.reused).toBe(false)
    expect(headOf(second.worktree)).toBe(mainHead)
  })

  test('registered worktree with a broken .git file', async () => {
    const git = await manager()
    const first = await git.prepareTaskWorktree({
      branch: 'task/broken',
      worktreePath: '.worktrees/broken'
    })
    fs.writeFileSync(path.join(first.worktree, '.git'), 'not a gitdir line\n')

    const second = await git.prepareTaskWorktree({
      branch: 'task/broken',
      worktreePath: '.worktrees/broken'
    })

    expect(second.reused).toBe(false)
    expect(headOf(second.worktree)).toBe(mainHead)
    expect(sandbox.git(second.worktree, ['symbolic-ref', 'HEAD'])).toBe('refs/heads/task/broken')
  })

  test('leftover index.lock in a healthy worktree', async () => {
    const git = await manager()
    const first = await git.prepareTaskWorktree({
      branch: 'task/lock',
      worktreePath: '.worktrees/lock'
    })
    const indexLock = path.join(checkout, '.git', 'worktrees', 'lock', 'index.lock')
    fs.writeFileSync(indexLock, '')

    const second = await git.prepareTaskWorktree({
      branch: 'task/lock',
      worktreePath: '.worktrees/lock'
    })

    expect(second.reused).toBe(true)
    expect(fs.existsSync(indexLock)).toBe(false)
    fs.writeFileSync(path.join(first.worktree, 'new.txt'), 'new\n')
    sandbox.git(first.worktree, ['add', 'new.txt'])
    expect(sandbox.git(first.worktree, ['status', '--porcelain'])).toBe('A  new.txt')
  })

  test('folder that is not a worktree is kept', async () => {
    const folder = path.join(checkout, '.worktrees', 'mine')
    fs.mkdirSync(folder, { recursive: true })
    fs.writeFileSync(path.join(folder, 'notes.txt'), 'keep me\n')

    const git = await manager()
    await expect(
      git.prepareTaskWorktree({ branch: 'task/mine', worktreePath: '.worktrees/mine' })
    ).rejects.toThrow(`Folder ${folder} exists and is not a git worktree.`)
    expect(fs.readFileSync(path.join(folder, 'notes.txt'), 'utf8')).toBe('keep me\n')
  })

  test('worktree locked by a person is reported', async () => {
    const git = await manager()
    const first = await git.prepareTaskWorktree({
      branch: 'task/held',
      worktreePath: '.worktrees/held'
    })
    sandbox.git(checkout, ['worktree', 'lock', '--reason', 'on a USB disk', first.worktree])

    await expect(
      git.prepareTaskWorktree({ branch: 'task/held', worktreePath: '.worktrees/held' })
    ).rejects.toThrow(`Worktree ${first.worktree} is locked (on a USB disk).`)
  })
})

describe('prepareTaskWorktree dry run', () => {
  test('dry run changes nothing', async () => {
    pushCommitAsSomeoneElse(sandbox, remote, 'task/existing', 'e.txt', 'e\n')
    const refsBefore = sandbox.git(checkout, ['for-each-ref', '--format=%(refname) %(objectname)'])
    const logger = recordingLogger()
    const git = await manager(checkout, true, logger)

    const fresh = await git.prepareTaskWorktree({
      branch: 'task/new',
      worktreePath: '.worktrees/new'
    })
    const existing = await git.prepareTaskWorktree({
      branch: 'task/existing',
      worktreePath: '.worktrees/e'
    })

    expect(fresh.created).toBe(true)
    expect(fresh.startPoint).toBe(mainHead)
    expect(existing.created).toBe(false)
    expect(existing.startPoint).toBe(remoteBranchHead(sandbox, remote, 'task/existing'))
    expect(fs.existsSync(path.join(checkout, '.worktrees'))).toBe(false)
    expect(sandbox.git(checkout, ['for-each-ref', '--format=%(refname) %(objectname)'])).toBe(
      refsBefore
    )
    expect(sandbox.git(checkout, ['worktree', 'list', '--porcelain']).split('\n\n')).toHaveLength(1)
    expect(logger.lines).toContain(
      'info: [dry run] would run: git "worktree" "add" "--no-track" "-b" "task/new" ' +
        `${JSON.stringify(path.join(checkout, '.worktrees/new'))} "refs/remotes/origin/main"`
    )
    expect(logger.lines).toContain(
      'info: [dry run] would run: git "fetch" "--no-tags" "--no-recurse-submodules" "--depth=1" ' +
        '"origin" "+refs/heads/task/existing:refs/remotes/origin/task/existing"'
    )
  })
})
