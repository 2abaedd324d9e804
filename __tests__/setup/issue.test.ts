import { PushRejectedError } from '../../src/git/index.js'
import {
  PermissionDeniedError,
  type IssueProbe,
  type IssueStore,
  type IssueSummary,
  type NewIssue,
  type TaskKey
} from '../../src/github/index.js'
import type { ClaimGit } from '../../src/setup/claim.js'
import { ensureTaskIssue, type EnsureIssueOptions } from '../../src/setup/issue.js'

/**
 * An in-memory stand-in for the issue API: `listed` is what the lagging list endpoint shows,
 * other tasks' issues and pull requests included.
 */
class FakeIssueStore {
  issues: IssueSummary[] = []
  listed: IssueSummary[] = []
  created = 0
  closed: Array<[number, number]> = []
  /** Every call that would be a REST request, in order. */
  requests: string[] = []
  /** Issue numbers that GET reports as gone (deleted, transferred, or without the marker). */
  gone = new Set<number>()
  labels = ['parallel-setup']
  createFailure: unknown
  /** Thrown after the issue is stored, as when the response is lost. */
  failureAfterCreate: unknown
  /** Numbers that GET returns with 410, and numbers that are pull requests or other tasks' issues. */
  deleted = new Set<number>()
  others = new Set<number>()
  /** Creation times in ms by number; issues default to the time they were created here. */
  createdAt = new Map<number, number>()
  probeFailure: unknown

  async findTaskIssues(): Promise<IssueSummary[]> {
    this.requests.push('list')
    return this.listed.filter((issue) => !this.others.has(issue.number))
  }

  async findNewestNumber(): Promise<number | undefined> {
    this.requests.push('newest')
    return this.listed.at(-1)?.number
  }

  async probeIssue(number: number): Promise<IssueProbe> {
    this.requests.push(`get ${number}`)
    if (this.probeFailure) throw this.probeFailure
    if (this.deleted.has(number)) return { kind: 'deleted' }
    const createdAt = this.createdAt.get(number) ?? Date.now()
    if (this.others.has(number)) return { kind: 'other', createdAt }
    const issue = this.issues.find((candidate) => candidate.number === number)
    return issue ? { kind: 'task', createdAt, issue } : { kind: 'missing' }
  }

  async createTaskIssue(
    _key: TaskKey,
    _issue: NewIssue,
    _label?: string,
    beforeSend?: () => Promise<void>
  ): Promise<IssueSummary> {
    await beforeSend?.()
    this.requests.push('create')
    if (this.createFailure) throw this.createFailure
    this.created++
    const number =
      Math.max(0, ...this.issues.map((known) => known.number), ...this.deleted, ...this.others) + 1
    this.createdAt.set(number, Date.now())
    const issue: IssueSummary = {
      id: 1000 + number,
      number,
      url: `http://127.0.0.1/issues/${number}`,
      state: 'open',
      labels: [...this.labels]
    }
    this.issues.push(issue)
    if (this.failureAfterCreate) throw this.failureAfterCreate
    return issue
  }

  async getTaskIssue(number: number): Promise<IssueSummary | undefined> {
    this.requests.push(`get ${number}`)
    if (this.gone.has(number)) return undefined
    return this.issues.find((issue) => issue.number === number)
  }

  async closeDuplicate(duplicate: IssueSummary, survivor: IssueSummary): Promise<void> {
    this.closed.push([duplicate.number, survivor.number])
    duplicate.state = 'closed'
  }
}

/** An in-memory remote for claim refs: a push that creates an existing ref is rejected. */
class FakeClaimGit implements ClaimGit {
  refs = new Map<string, string>()
  blobs = new Map<string, string>()
  /** When set, every push fails the way a token without `contents: write` makes it fail. */
  denyPush = false
  /** Pushes sent, accepted or not. */
  pushes = 0
  private next = 0

  /** Returns the claim record that `ref` points to, or undefined when there is none. */
  recordAt(ref: string): Record<string, unknown> | undefined {
    const sha = this.refs.get(ref)
    return sha === undefined ? undefined : JSON.parse(this.blobs.get(sha)!)
  }

  async createCommitWithFile(_name: string, content: string): Promise<string> {
    const sha = String(++this.next).padStart(40, '0')
    this.blobs.set(sha, content)
    return sha
  }

  async tryPushRefspecs(
    _remote: string,
    refspecs: string[],
    options?: { forceWithLease?: { ref: string; expectedSha: string } }
  ): Promise<boolean> {
    this.pushes++
    if (this.denyPush) {
      throw new PushRejectedError('denied', 'permission', 'remote: Permission denied')
    }
    const [sha, ref] = refspecs[0]!.split(':') as [string, string]
    const current = this.refs.get(ref)
    if (options?.forceWithLease) {
      if (current !== options.forceWithLease.expectedSha) return false
    } else if (current !== undefined) {
      return false
    }
    if (sha === '') this.refs.delete(ref)
    else this.refs.set(ref, sha)
    return true
  }

  async fetchRefs(_remote: string, pattern: string): Promise<Map<string, string>> {
    const sha = this.refs.get(pattern)
    return sha === undefined ? new Map() : new Map([[pattern, sha]])
  }

  async readFileAtCommit(sha: string): Promise<string> {
    return this.blobs.get(sha)!
  }
}

const key = { task: 'a', manifest: '.github/parallel-setup.yml' }
const newIssue: NewIssue = { title: 'A', body: '', labels: [], assignees: [] }

function options(
  store: FakeIssueStore,
  git: FakeClaimGit | undefined,
  overrides: Partial<EnsureIssueOptions> = {}
): EnsureIssueOptions {
  return {
    store: store as unknown as IssueStore,
    key,
    issue: newIssue,
    trackingLabel: 'parallel-setup',
    claim: git ? { git, ref: 'refs/c', runId: '1', runAttempt: 1, required: true } : undefined,
    waitForTurn: async () => {},
    sleep: async () => {},
    timeScale: 1,
    log: () => {},
    warn: () => {},
    ...overrides
  }
}

describe('ensureTaskIssue', () => {
  it('records the pending create with a new claim', async () => {
    const store = new FakeIssueStore()
    const git = new FakeClaimGit()
    let duringWait: Record<string, unknown> | undefined
    const outcome = await ensureTaskIssue(
      options(store, git, {
        waitForTurn: async () => {
          duringWait = git.recordAt('refs/c')
        }
      })
    )

    expect(outcome.created).toBe(true)
    // The claim names a pending create before the create, so a crash leaves a trace.
    expect(duringWait).toMatchObject({ creating: {} })
    expect(duringWait!.issue).toBeUndefined()
    // One push takes the claim, one records the issue: none in between.
    expect(git.pushes).toBe(2)
    expect(git.recordAt('refs/c')).toMatchObject({ issue: outcome.issue.number })
    expect(git.recordAt('refs/c')!.creating).toBeUndefined()
  })

  it('checks the claim when attempts overlap', async () => {
    const store = new FakeIssueStore()
    const git = new FakeClaimGit()
    const outcome = await ensureTaskIssue(
      options(store, git, {
        claim: {
          git,
          ref: 'refs/c',
          runId: '1',
          runAttempt: 1,
          required: true,
          attemptsMayOverlap: true
        }
      })
    )

    expect(outcome.created).toBe(true)
    expect(git.pushes).toBe(3)
  })

  it('loses to an overlapping later attempt', async () => {
    const store = new FakeIssueStore()
    const git = new FakeClaimGit()
    const claim = { git, ref: 'refs/c', runId: '1', required: true, attemptsMayOverlap: true }
    let takenOver = false
    const first = ensureTaskIssue(
      options(store, git, {
        claim: { ...claim, runAttempt: 1 },
        // While the first attempt waits for its turn, a later attempt takes the claim over.
        waitForTurn: async () => {
          if (takenOver) return
          takenOver = true
          await ensureTaskIssue(options(store, git, { claim: { ...claim, runAttempt: 2 } }))
        }
      })
    )

    const outcome = await first
    expect(store.created).toBe(1)
    expect(outcome).toEqual({ issue: store.issues[0], created: false })
  })

  it('checks an old claim again before the create', async () => {
    const store = new FakeIssueStore()
    const git = new FakeClaimGit()
    // At this scale the trusted minute is 0.06 ms, so a wait of 5 ms makes the claim old.
    const outcome = await ensureTaskIssue(
      options(store, git, {
        timeScale: 1_000_000,
        waitForTurn: () => new Promise((resolve) => setTimeout(resolve, 5))
      })
    )

    expect(outcome.created).toBe(true)
    expect(git.pushes).toBe(3)
  })

  it('reuses a listed issue', async () => {
    const store = new FakeIssueStore()
    await store.createTaskIssue(key, newIssue)
    store.listed = [...store.issues]
    const outcome = await ensureTaskIssue(options(store, new FakeClaimGit()))
    expect(outcome).toEqual({ issue: store.issues[0], created: false })
    expect(store.created).toBe(1)
  })

  it('opens one issue for racing legs while the list lags', async () => {
    const store = new FakeIssueStore()
    const git = new FakeClaimGit()
    const outcomes = await Promise.all(
      [1, 2, 3, 4, 5].map(() => ensureTaskIssue(options(store, git)))
    )
    expect(store.created).toBe(1)
    expect(outcomes.map((outcome) => outcome.issue.number)).toEqual([1, 1, 1, 1, 1])
    expect(outcomes.filter((outcome) => outcome.created)).toHaveLength(1)
  })

  it('closes younger duplicates and keeps the oldest open one', async () => {
    const store = new FakeIssueStore()
    for (let i = 0; i < 3; i++) await store.createTaskIssue(key, newIssue)
    store.issues[0]!.state = 'closed'
    store.listed = [...store.issues]
    const outcome = await ensureTaskIssue(options(store, undefined))
    expect(outcome.issue.number).toBe(2)
    expect(store.closed).toEqual([[3, 2]])
  })

  it('takes over the claim of a dead earlier attempt', async () => {
    const store = new FakeIssueStore()
    const git = new FakeClaimGit()
    const claimOf = (attempt: number) =>
      ensureTaskIssue(
        options(store, git, {
          claim: { git, ref: 'refs/c', runId: '1', runAttempt: attempt, required: true }
        })
      )
    // Attempt 1 claimed and died before it opened the issue.
    const sha = await git.createCommitWithFile(
      'claim.json',
      JSON.stringify({ task: 'a', runId: '1', runAttempt: 1, claimedAt: new Date().toISOString() })
    )
    git.refs.set('refs/c', sha)
    const outcome = await claimOf(2)
    expect(outcome.created).toBe(true)
    expect(JSON.parse(git.blobs.get(git.refs.get('refs/c')!)!).issue).toBe(1)
  })

  it('waits for a live claim, then takes it over once stale', async () => {
    const store = new FakeIssueStore()
    const git = new FakeClaimGit()
    const sha = await git.createCommitWithFile(
      'claim.json',
      JSON.stringify({ task: 'a', runId: '9', runAttempt: 1, claimedAt: new Date().toISOString() })
    )
    git.refs.set('refs/c', sha)
    let slept = 0
    const outcome = await ensureTaskIssue(
      options(store, git, {
        claim: { git, ref: 'refs/c', runId: '1', runAttempt: 1, required: true },
        // The scale shrinks the eight minutes after which a claim counts as abandoned to 5 ms.
        timeScale: 96_000,
        sleep: async () => {
          slept++
          await new Promise((resolve) => setTimeout(resolve, 2))
        }
      })
    )
    expect(slept).toBeGreaterThan(0)
    expect(outcome.created).toBe(true)
    expect(store.created).toBe(1)
  })

  it('uses the issue another leg records while this one waits', async () => {
    const store = new FakeIssueStore()
    const git = new FakeClaimGit()
    const claimed = { task: 'a', runId: '9', runAttempt: 1, claimedAt: new Date().toISOString() }
    git.refs.set('refs/c', await git.createCommitWithFile('claim.json', JSON.stringify(claimed)))
    const waiting = ensureTaskIssue(
      options(store, git, {
        claim: { git, ref: 'refs/c', runId: '1', runAttempt: 1, required: true },
        sleep: () => new Promise((resolve) => setTimeout(resolve, 2))
      })
    )
    await new Promise((resolve) => setTimeout(resolve, 20))
    const opened = await store.createTaskIssue(key, newIssue)
    git.refs.set(
      'refs/c',
      await git.createCommitWithFile(
        'claim.json',
        JSON.stringify({ ...claimed, issue: opened.number })
      )
    )
    expect(await waiting).toEqual({ issue: opened, created: false })
    expect(store.created).toBe(1)
  })

  it('paces the create only when one is needed', async () => {
    const store = new FakeIssueStore()
    let waited = 0
    await ensureTaskIssue(options(store, undefined, { waitForTurn: async () => void waited++ }))
    store.listed = [...store.issues]
    await ensureTaskIssue(options(store, undefined, { waitForTurn: async () => void waited++ }))
    expect(waited).toBe(1)
  })
  it('reads the claim first on a re-run', async () => {
    const store = new FakeIssueStore()
    const git = new FakeClaimGit()
    const first = await ensureTaskIssue(options(store, git, { branchFor: (n) => `task/a-${n}` }))
    expect(store.requests).toEqual(['list', 'create'])
    expect(git.recordAt('refs/c')).toMatchObject({ issue: 1, branch: 'task/a-1' })

    store.requests = []
    const again = await ensureTaskIssue(options(store, git, { branchFor: (n) => `task/a-${n}` }))
    expect(store.requests).toEqual(['get 1'])
    expect(again).toEqual({ issue: first.issue, created: false })
  })

  it.each([
    ['deleted', 2],
    ['transferred', 5]
  ])('replaces a recorded issue that was %s', async (_how, number) => {
    const store = new FakeIssueStore()
    const git = new FakeClaimGit()
    for (let i = 0; i < number; i++) await store.createTaskIssue(key, newIssue)
    const record = {
      task: 'a',
      runId: '7',
      runAttempt: 1,
      claimedAt: new Date().toISOString(),
      issue: number
    }
    git.refs.set('refs/c', await git.createCommitWithFile('claim.json', JSON.stringify(record)))
    store.gone.add(number)
    store.requests = []
    const logs: string[] = []
    const outcome = await ensureTaskIssue(options(store, git, { log: (line) => logs.push(line) }))
    expect(store.requests).toEqual([`get ${number}`, 'list', 'create'])
    expect(outcome.created).toBe(true)
    expect(outcome.issue.number).toBe(number + 1)
    expect(git.recordAt('refs/c')).toMatchObject({ issue: number + 1, runId: '1' })
    expect(logs).toContain(
      `Task 'a': its claim names issue #${number}, but that issue was deleted, transferred or no longer carries the task's marker. ` +
        'Taking the claim over to find or open the issue again.'
    )
  })

  it('keeps a closed recorded issue', async () => {
    const store = new FakeIssueStore()
    const git = new FakeClaimGit()
    await ensureTaskIssue(options(store, git))
    store.issues[0]!.state = 'closed'
    const outcome = await ensureTaskIssue(options(store, git))
    expect(outcome.issue.number).toBe(1)
    expect(outcome.created).toBe(false)
    expect(store.created).toBe(1)
  })

  it('records a new branch and reports the old one', async () => {
    const store = new FakeIssueStore()
    const git = new FakeClaimGit()
    await ensureTaskIssue(options(store, git, { branchFor: () => 'task/a' }))
    const renamed = await ensureTaskIssue(options(store, git, { branchFor: () => 'feature/a' }))
    expect(renamed.previousBranch).toBe('task/a')
    expect(git.recordAt('refs/c')).toMatchObject({ issue: 1, branch: 'feature/a' })
    const same = await ensureTaskIssue(options(store, git, { branchFor: () => 'feature/a' }))
    expect(same.previousBranch).toBeUndefined()
  })

  it('logs the claim owner while waiting', async () => {
    const store = new FakeIssueStore()
    const git = new FakeClaimGit()
    const claimedAt = new Date().toISOString()
    const held = { task: 'a', runId: '9', runAttempt: 3, claimedAt }
    git.refs.set('refs/c', await git.createCommitWithFile('claim.json', JSON.stringify(held)))
    const logs: string[] = []
    let polls = 0
    const outcome = await ensureTaskIssue(
      options(store, git, {
        // One real millisecond stands for 4.8 s, so the claim is stale after 100 ms and the
        // wait is logged about every 6 ms.
        timeScale: 4_800,
        log: (line) => logs.push(line),
        sleep: async () => {
          polls++
          await new Promise((resolve) => setTimeout(resolve, 2))
        }
      })
    )
    expect(outcome.created).toBe(true)
    const waits = logs.filter((line) => line.includes('waiting for run 9'))
    expect(waits.length).toBeGreaterThan(1)
    expect(waits.length).toBeLessThan(polls + 1)
    expect(waits[0]).toMatch(
      new RegExp(
        `^Task 'a': waiting for run 9 attempt 3, which claimed it at ${claimedAt.replace(/\./g, '\\.')} ` +
          '\\(0 s ago\\), to open its issue\\. If it has not done so in 0 s, this leg takes the claim over\\.$'
      )
    )
    const takeover = logs.filter((line) =>
      line.startsWith(
        `Task 'a': taking over the claim of run 9 attempt 3, which claimed the task at ${claimedAt} and opened no issue in `
      )
    )
    expect(takeover).toHaveLength(1)
  })

  it.each([
    ['a rejected create', { status: 422 }, false],
    ['a missing permission', new PermissionDeniedError('denied', 'issues: write'), false],
    ['a 502 after the write may have happened', { status: 502 }, true]
  ])('after %s, the claim is kept only when an issue may exist', async (_case, failure, kept) => {
    const store = new FakeIssueStore()
    const git = new FakeClaimGit()
    store.createFailure = failure
    await expect(ensureTaskIssue(options(store, git))).rejects.toBe(failure)
    expect(git.refs.has('refs/c')).toBe(kept)
  })

  it('names contents: write when the claim push is denied', async () => {
    const store = new FakeIssueStore()
    const git = new FakeClaimGit()
    git.denyPush = true
    const failure = ensureTaskIssue(options(store, git))
    await expect(failure).rejects.toBeInstanceOf(PermissionDeniedError)
    await expect(failure).rejects.toThrow(
      "The workflow's token cannot push the claim ref 'refs/c', which keeps two runs from opening the same issue: " +
        "the remote denied the push, because the token lacks 'contents: write'. Give the job these permissions:\n" +
        'permissions:\n  contents: write\n  issues: write\n'
    )
    expect(store.requests).toEqual([])
  })

  it('opens without a claim when push is off and denied', async () => {
    const store = new FakeIssueStore()
    const git = new FakeClaimGit()
    git.denyPush = true
    const warnings: string[] = []
    const outcome = await ensureTaskIssue(
      options(store, git, {
        claim: { git, ref: 'refs/c', runId: '1', runAttempt: 1, required: false },
        warn: (line) => warnings.push(line)
      })
    )
    expect(outcome.created).toBe(true)
    expect(store.requests).toEqual(['list', 'create'])
    expect(warnings).toEqual([
      "Could not use the claim ref 'refs/c' (the token lacks 'contents: write'), so this leg opens the issue without it. " +
        'Two runs that set up this task at the same moment may then each open an issue. ' +
        'To guard against that, give the job these permissions, even with push: false:\n' +
        'permissions:\n  contents: write\n  issues: write'
    ])
  })

  it('warns when GitHub drops the tracking label', async () => {
    const store = new FakeIssueStore()
    store.labels = []
    const warnings: string[] = []
    await ensureTaskIssue(
      options(store, new FakeClaimGit(), {
        issue: { ...newIssue, labels: ['agent'] },
        warn: (line) => warnings.push(line)
      })
    )
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toBe(
      "Issue #1 of task 'a' was opened without the label(s) 'parallel-setup', 'agent': GitHub drops labels silently when the token may not set them. " +
        "Runs that cannot use the claim ref find a task's issue by the label 'parallel-setup', so they would open a second issue. " +
        'Add the label to #1 by hand, and give the job these permissions:\npermissions:\n  contents: write\n  issues: write'
    )
  })
  it('closes a duplicate that an older release marked for a recheck', async () => {
    const store = new FakeIssueStore()
    const git = new FakeClaimGit()
    // An older release opened #2 after taking over a claim whose holder had opened #1.
    for (let i = 0; i < 2; i++) await store.createTaskIssue(key, newIssue)
    const marked = {
      task: 'a',
      runId: '1',
      runAttempt: 2,
      claimedAt: new Date(Date.now() - 6 * 60_000).toISOString(),
      issue: 2,
      recheck: true
    }
    git.refs.set('refs/c', await git.createCommitWithFile('claim.json', JSON.stringify(marked)))
    store.listed = [...store.issues]
    store.requests = []
    const later = await ensureTaskIssue(options(store, git))
    expect(store.requests).toEqual(['get 2', 'list'])
    expect(later.issue.number).toBe(1)
    expect(store.closed).toEqual([[2, 1]])
    expect(git.recordAt('refs/c')).toMatchObject({ issue: 1 })
    expect(git.recordAt('refs/c')!.recheck).toBeUndefined()
  })
})

describe('ensureTaskIssue after a holder died during its create', () => {
  /** Runs attempt 1, which opens issue #1 and fails before it records the number in its claim. */
  async function killAfterCreate(store: FakeIssueStore, git: FakeClaimGit): Promise<void> {
    store.failureAfterCreate = { status: 502 }
    await expect(ensureTaskIssue(options(store, git))).rejects.toEqual({ status: 502 })
    store.failureAfterCreate = undefined
    expect(git.recordAt('refs/c')).toMatchObject({ runAttempt: 1, creating: {} })
    expect(git.recordAt('refs/c')!.issue).toBeUndefined()
  }

  /** Options of attempt 2 of the same run, with waits scaled away unless `timeScale` is given. */
  function retryOptions(
    store: FakeIssueStore,
    git: FakeClaimGit,
    overrides: Partial<EnsureIssueOptions> = {}
  ): EnsureIssueOptions {
    return options(store, git, {
      claim: { git, ref: 'refs/c', runId: '1', runAttempt: 2, required: true },
      timeScale: 1_000_000,
      ...overrides
    })
  }

  it('reuses the issue the list does not show', async () => {
    const store = new FakeIssueStore()
    const git = new FakeClaimGit()
    await killAfterCreate(store, git)
    store.requests = []
    const logs: string[] = []
    const outcome = await ensureTaskIssue(
      retryOptions(store, git, { log: (line) => logs.push(line) })
    )
    expect(outcome).toEqual({ issue: store.issues[0], created: false })
    expect(store.created).toBe(1)
    expect(store.requests).toEqual(['list', 'newest', 'get 1', 'get 2', 'get 3', 'get 4'])
    expect(git.recordAt('refs/c')).toMatchObject({ issue: 1, runAttempt: 2 })
    expect(git.recordAt('refs/c')!.creating).toBeUndefined()
    expect(logs).toContainEqual(
      expect.stringMatching(
        /^Task 'a': run 1 attempt 1 started to open the issue at \S+ and recorded no number\. Read issues #1 to #1 by number \(4 requests\): found #1\.$/
      )
    )
  })

  it('reads by number only issues since the create', async () => {
    const store = new FakeIssueStore()
    const git = new FakeClaimGit()
    const hourAgo = Date.now() - 60 * 60_000
    // #1 to #3 are old and listed; #4 is a pull request and #5 a deleted issue, both newer.
    for (let number = 1; number <= 3; number++) {
      store.others.add(number)
      store.createdAt.set(number, hourAgo)
    }
    store.listed = [1, 2, 3].map(summary)
    store.others.add(4)
    store.deleted.add(5)
    await killAfterCreate(store, git)
    expect(store.issues.map((issue) => issue.number)).toEqual([6])
    store.requests = []
    const outcome = await ensureTaskIssue(retryOptions(store, git))
    expect(outcome.issue.number).toBe(6)
    expect(outcome.created).toBe(false)
    expect(store.requests).toEqual([
      'list',
      'newest',
      'get 4',
      'get 5',
      'get 6',
      'get 7',
      'get 8',
      'get 9',
      'get 3'
    ])
  })

  it('opens the issue when the create opened none', async () => {
    const store = new FakeIssueStore()
    const git = new FakeClaimGit()
    store.createFailure = { status: 502 }
    await expect(ensureTaskIssue(options(store, git))).rejects.toEqual({ status: 502 })
    store.createFailure = undefined
    expect(git.recordAt('refs/c')).toMatchObject({ creating: {} })
    store.requests = []
    const outcome = await ensureTaskIssue(retryOptions(store, git))
    expect(outcome.created).toBe(true)
    expect(store.created).toBe(1)
    expect(store.requests).toEqual(['list', 'newest', 'get 1', 'get 2', 'get 3', 'create'])
    expect(git.recordAt('refs/c')).toMatchObject({ issue: 1, runAttempt: 2 })
  })

  it('waits for a create still in flight', async () => {
    const store = new FakeIssueStore()
    const git = new FakeClaimGit()
    await killAfterCreate(store, git)
    const waits: number[] = []
    const outcome = await ensureTaskIssue(
      retryOptions(store, git, { timeScale: 1, sleep: async (ms) => void waits.push(ms) })
    )
    expect(outcome.issue.number).toBe(1)
    expect(waits).toHaveLength(1)
    expect(waits[0]).toBeGreaterThan(29_000)
    expect(waits[0]).toBeLessThanOrEqual(30_000)
  })

  it('relies on the list for an old create', async () => {
    const store = new FakeIssueStore()
    const git = new FakeClaimGit()
    await killAfterCreate(store, git)
    const record = git.recordAt('refs/c')!
    const startedAt = new Date(Date.now() - 11 * 60_000).toISOString()
    const aged = { ...record, creating: { startedAt } }
    git.refs.set('refs/c', await git.createCommitWithFile('claim.json', JSON.stringify(aged)))
    store.listed = [...store.issues]
    store.requests = []
    const outcome = await ensureTaskIssue(retryOptions(store, git))
    expect(outcome.issue.number).toBe(1)
    expect(store.requests).toEqual(['list'])
  })

  it('keeps the pending create when the scan fails', async () => {
    const store = new FakeIssueStore()
    const git = new FakeClaimGit()
    await killAfterCreate(store, git)
    store.probeFailure = { status: 403 }
    await expect(ensureTaskIssue(retryOptions(store, git))).rejects.toEqual({ status: 403 })
    expect(git.recordAt('refs/c')).toMatchObject({ runAttempt: 2, creating: {} })

    store.probeFailure = undefined
    const outcome = await ensureTaskIssue(
      retryOptions(store, git, {
        claim: { git, ref: 'refs/c', runId: '1', runAttempt: 3, required: true }
      })
    )
    expect(outcome.issue.number).toBe(1)
    expect(store.created).toBe(1)
  })
})

function summary(number: number): IssueSummary {
  return {
    id: 1000 + number,
    number,
    url: `http://127.0.0.1/issues/${number}`,
    state: 'open',
    labels: ['parallel-setup']
  }
}
