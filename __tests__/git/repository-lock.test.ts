import fs from 'node:fs'
import path from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import {
  GitCommandManager,
  Mutex,
  SharedExclusiveLock,
  isLocalContention
} from '../../src/git/index.js'
import {
  cloneLikeCheckout,
  createBareRemote,
  createGitSandbox,
  remoteBranchHead,
  type GitSandbox
} from '../../test/git/repos.js'

describe('Mutex', () => {
  it('runs work one at a time in order', async () => {
    const mutex = new Mutex()
    const events: string[] = []
    const step = (name: string, ms: number) =>
      mutex.run(async () => {
        events.push(`start ${name}`)
        await delay(ms)
        events.push(`end ${name}`)
        return name
      })
    const results = await Promise.all([step('a', 30), step('b', 5), step('c', 1)])
    expect(results).toEqual(['a', 'b', 'c'])
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c'])
  })

  it('goes on after a failure', async () => {
    const mutex = new Mutex()
    const failed = mutex.run(async () => {
      throw new Error('first failed')
    })
    const next = mutex.run(async () => 'second ran')
    await expect(failed).rejects.toThrow('first failed')
    await expect(next).resolves.toBe('second ran')
  })
})

describe('SharedExclusiveLock', () => {
  /** Runs `kind` work named `name` for `ms`, recording its start and end in `events`. */
  const step =
    (lock: SharedExclusiveLock, events: string[]) =>
    (kind: 'shared' | 'exclusive', name: string, ms: number) =>
      lock[kind](async () => {
        events.push(`start ${name}`)
        await delay(ms)
        events.push(`end ${name}`)
      })

  it('runs shared work together, exclusive alone', async () => {
    const events: string[] = []
    const run = step(new SharedExclusiveLock(), events)
    await Promise.all([
      run('shared', 'add 1', 30),
      run('shared', 'add 2', 10),
      run('exclusive', 'prune', 5),
      run('shared', 'add 3', 5)
    ])
    expect(events).toEqual([
      'start add 1',
      'start add 2',
      'end add 2',
      'end add 1',
      'start prune',
      'end prune',
      'start add 3',
      'end add 3'
    ])
  })

  it('goes on after a failure', async () => {
    const lock = new SharedExclusiveLock()
    const failed = lock.exclusive(async () => {
      throw new Error('prune failed')
    })
    await expect(failed).rejects.toThrow('prune failed')
    await expect(lock.shared(async () => 'add ran')).resolves.toBe('add ran')
    await expect(lock.exclusive(async () => 'prune ran')).resolves.toBe('prune ran')
  })
})

describe('isLocalContention', () => {
  it.each([
    ['error: could not lock config file .git/config: File exists', true],
    ["fatal: Unable to create '/r/.git/shallow.lock': File exists.", true],
    ['fatal: shallow file has changed since we read it', true],
    ['fatal: failed to read .git/worktrees/t19/commondir: Success', true],
    [
      'fatal: bad object worktrees/c17/HEAD\nerror: /tmp/r/remote.git did not send all necessary objects',
      true
    ],
    ['fatal: bad object refs/heads/main', false],
    [
      "error: cannot lock ref 'refs/remotes/origin/main': Unable to create '/r/.git/refs/remotes/origin/main.lock': File exists.",
      true
    ],
    ["error: cannot lock ref 'refs/remotes/origin/main': is at 1a2b but expected 3c4d", true],
    [
      "remote: error: cannot lock ref 'refs/heads/a': Unable to create 'x.lock': File exists",
      false
    ],
    [' ! [remote rejected] a -> a (failed to update ref)', false],
    ["fatal: couldn't find remote ref refs/heads/nope", false],
    ["fatal: 'task/a' is already checked out at '/r/.worktrees/a'", false]
  ])('classifies %j as %s', (stderr, expected) => {
    expect(isLocalContention(stderr)).toBe(expected)
  })
})

describe('git commands of many tasks in one repository at once', () => {
  let sandbox: GitSandbox

  beforeEach(() => {
    sandbox = createGitSandbox()
  })

  afterEach(() => {
    sandbox.cleanup()
  })

  it('pushes branches and sets their upstreams', async () => {
    const remote = createBareRemote(sandbox)
    const checkout = cloneLikeCheckout(sandbox, remote)
    const branches = Array.from({ length: 24 }, (_, index) => `task/t${index}`)
    for (const branch of branches) sandbox.git(checkout, ['branch', branch])
    const managers = await Promise.all(
      branches.map(() => GitCommandManager.create(checkout, { env: sandbox.env }))
    )

    // Each push then writes the upstream into .git/config, and git fails at once on the
    // lock of that file when another write holds it.
    await Promise.all(branches.map((branch, index) => managers[index]!.pushBranch(branch)))

    const head = sandbox.git(checkout, ['rev-parse', 'HEAD'])
    for (const branch of branches) {
      expect(remoteBranchHead(sandbox, remote, branch)).toBe(head)
      expect(sandbox.git(checkout, ['config', `branch.${branch}.remote`])).toBe('origin')
      expect(sandbox.git(checkout, ['config', `branch.${branch}.merge`])).toBe(
        `refs/heads/${branch}`
      )
    }
  })

  it.each([
    ['a shallow clone', 1],
    ['a full clone', 0]
  ])(
    'prepares 20 worktrees at once in %s',
    async (_, depth) => {
      const remote = createBareRemote(sandbox)
      const checkout = cloneLikeCheckout(sandbox, remote, 'checkout', { depth })
      const ids = Array.from({ length: 20 }, (__, index) => `t${index}`)
      // Half the branches exist on the remote, so both fetch paths run: the base and the branch.
      for (const id of ids.slice(0, 10)) {
        sandbox.git(remote.path, ['branch', `task/${id}`, 'main'])
      }
      const prepare = async (id: string) => {
        const git = await GitCommandManager.create(checkout, { env: sandbox.env })
        const worktree = await git.prepareTaskWorktree({
          branch: `task/${id}`,
          worktreePath: `.worktrees/${id}`
        })
        await git.pushBranch(`task/${id}`)
        await git.excludeFromStatus('/.worktrees/')
        return worktree
      }

      const first = await Promise.all(ids.map(prepare))
      expect(first.map((task) => task.reused)).toEqual(ids.map(() => false))
      const again = await Promise.all(ids.map(prepare))
      expect(again.map((task) => task.reused)).toEqual(ids.map(() => true))

      const main = sandbox.git(checkout, ['rev-parse', 'HEAD'])
      const listed = sandbox.git(checkout, ['worktree', 'list', '--porcelain'])
      for (const id of ids) {
        expect(listed).toContain(`branch refs/heads/task/${id}\n`)
        expect(sandbox.git(`${checkout}/.worktrees/${id}`, ['rev-parse', 'HEAD'])).toBe(main)
        expect(sandbox.git(checkout, ['config', `branch.task/${id}.remote`])).toBe('origin')
        expect(remoteBranchHead(sandbox, remote, `task/${id}`)).toBe(main)
      }
      // 40 calls added the line at once, and it is there once.
      const exclude = fs.readFileSync(path.join(checkout, '.git', 'info', 'exclude'), 'utf8')
      expect(exclude.split('\n').filter((line) => line === '/.worktrees/')).toHaveLength(1)
    },
    120_000
  )
})
