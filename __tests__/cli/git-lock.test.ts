import { Mutex, SERIALIZED_GIT_METHODS, serializeRepositoryWrites } from '../../src/cli/git-lock.js'
import { GitCommandManager } from '../../src/git/index.js'
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
        await new Promise((resolve) => setTimeout(resolve, ms))
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

describe('serializeRepositoryWrites', () => {
  let sandbox: GitSandbox

  beforeEach(() => {
    sandbox = createGitSandbox()
  })

  afterEach(() => {
    sandbox.cleanup()
  })

  it('pushes many branches of one checkout at once', async () => {
    const remote = createBareRemote(sandbox)
    const checkout = cloneLikeCheckout(sandbox, remote)
    const branches = Array.from({ length: 24 }, (_, index) => `task/t${index}`)
    for (const branch of branches) sandbox.git(checkout, ['branch', branch])
    const mutex = new Mutex()
    const managers = await Promise.all(
      branches.map(async () =>
        serializeRepositoryWrites(
          await GitCommandManager.create(checkout, { env: sandbox.env }),
          mutex
        )
      )
    )

    // Each push writes the upstream into .git/config. Without the lock, a push whose config
    // write meets another one usually loses its upstream while git still exits with 0.
    await Promise.all(branches.map((branch, index) => managers[index]!.pushBranch(branch)))

    const head = sandbox.git(checkout, ['rev-parse', 'HEAD'])
    for (const branch of branches) {
      expect(remoteBranchHead(sandbox, remote, branch)).toBe(head)
      expect(sandbox.git(checkout, ['config', `branch.${branch}.remote`])).toBe('origin')
    }
  })

  it('never overlaps serialized methods', async () => {
    const remote = createBareRemote(sandbox)
    const checkout = cloneLikeCheckout(sandbox, remote)
    const manager = await GitCommandManager.create(checkout, { env: sandbox.env })
    let running = 0
    let maxRunning = 0
    const slow = async (): Promise<void> => {
      running++
      maxRunning = Math.max(maxRunning, running)
      await new Promise((resolve) => setTimeout(resolve, 20))
      running--
    }
    // Instance properties shadow the class's methods, so the wrapper finds these.
    const methods = manager as unknown as Record<string, () => Promise<void>>
    for (const name of SERIALIZED_GIT_METHODS) methods[name] = slow
    methods.lastCommit = slow
    const mutex = new Mutex()
    const first = serializeRepositoryWrites(manager, mutex) as unknown as typeof methods
    const second = serializeRepositoryWrites(manager, mutex) as unknown as typeof methods

    await Promise.all(
      [...SERIALIZED_GIT_METHODS].flatMap((name) => [first[name]!(), second[name]!()])
    )
    expect(maxRunning).toBe(1)

    maxRunning = 0
    await Promise.all([first.lastCommit!(), second.lastCommit!()])
    expect(maxRunning).toBe(2)
  })

  it('keeps the manager readable through the wrapper', async () => {
    const remote = createBareRemote(sandbox)
    const checkout = cloneLikeCheckout(sandbox, remote)
    const manager = await GitCommandManager.create(checkout, { env: sandbox.env })
    const wrapped = serializeRepositoryWrites(manager, new Mutex())
    expect(wrapped.repoDir).toBe(manager.repoDir)
    expect(wrapped.version).toEqual(manager.version)
    expect(await wrapped.remoteUrl('origin')).toBe(remote.url)
    expect(await wrapped.remoteUrl('upstream')).toBeUndefined()
  })
})
