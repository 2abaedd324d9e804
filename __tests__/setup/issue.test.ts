import type { IssueStore, IssueSummary, NewIssue, TaskKey } from '../../src/github/index.js'
import type { ClaimGit } from '../../src/setup/claim.js'
import { ensureTaskIssue, type EnsureIssueOptions } from '../../src/setup/issue.js'

/** An in-memory stand-in for the issue API: `listed` is what the lagging list endpoint shows. */
class FakeIssueStore {
  issues: IssueSummary[] = []
  listed: IssueSummary[] = []
  created = 0
  closed: Array<[number, number]> = []

  async findTaskIssues(): Promise<IssueSummary[]> {
    return [...this.listed]
  }

  async createTaskIssue(_key: TaskKey, _issue: NewIssue): Promise<IssueSummary> {
    this.created++
    const number = this.issues.length + 1
    const issue: IssueSummary = {
      id: 1000 + number,
      number,
      url: `http://127.0.0.1/issues/${number}`,
      state: 'open',
      labels: []
    }
    this.issues.push(issue)
    return issue
  }

  async getIssue(number: number): Promise<IssueSummary> {
    return this.issues.find((issue) => issue.number === number)!
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
  private next = 0

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
    const [sha, ref] = refspecs[0]!.split(':') as [string, string]
    const current = this.refs.get(ref)
    if (options?.forceWithLease) {
      if (current !== options.forceWithLease.expectedSha) return false
    } else if (current !== undefined) {
      return false
    }
    this.refs.set(ref, sha)
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
    claim: git
      ? { git, ref: 'refs/parallel-setup/claims/m/a', runId: '1', runAttempt: 1 }
      : undefined,
    waitForTurn: async () => {},
    sleep: async () => {},
    timeScale: 1,
    log: () => {},
    ...overrides
  }
}

describe('ensureTaskIssue', () => {
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
        options(store, git, { claim: { git, ref: 'refs/c', runId: '1', runAttempt: attempt } })
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
        claim: { git, ref: 'refs/c', runId: '1', runAttempt: 1 },
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
        claim: { git, ref: 'refs/c', runId: '1', runAttempt: 1 },
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
})
