/**
 * The issue list's record of earlier creates, against the emulator over HTTP. Pacing moves a
 * leg's turn from it, so the times and GitHub's clock must come from GitHub's own responses.
 */
import { createGitHubClient, IssueStore } from '../../src/github/index.js'
import { DEFAULT_TOKEN, GitHubEmulator } from '../../test/emulator/index.js'

const logger = { info: () => undefined, warning: () => undefined, debug: () => undefined }
const LABEL = 'parallel-setup'

let emulator: GitHubEmulator

beforeEach(async () => {
  emulator = await GitHubEmulator.start()
})

afterEach(async () => {
  emulator.assertContract()
  await emulator.stop()
})

function store(): IssueStore {
  const octokit = createGitHubClient(DEFAULT_TOKEN, {
    baseUrl: emulator.url,
    logger,
    timeScale: 50
  })
  const { owner, repo } = emulator.state
  return new IssueStore(octokit, { owner, repo })
}

const newIssue = (title: string) => ({ title, body: '', labels: [], assignees: [] })

describe('IssueStore.createHistory', () => {
  it('is undefined before a list', () => {
    expect(store().createHistory()).toBeUndefined()
  })

  it('records the creates of the same manifest with GitHub’s clock', async () => {
    const issues = store()
    // The emulator's clock runs 90 s ahead of this machine's.
    emulator.clock.advance(90_000)
    await issues.createTaskIssue({ task: 'a', manifest: 'plan.yml' }, newIssue('A'), LABEL)
    emulator.clock.advance(5_000)
    await issues.createTaskIssue({ task: 'b', manifest: 'plan.yml' }, newIssue('B'), LABEL)
    await issues.createTaskIssue({ task: 'a', manifest: 'other.yml' }, newIssue('C'), LABEL)

    const found = await issues.findTaskIssues({ task: 'z', manifest: 'plan.yml' }, LABEL)
    expect(found).toEqual([])
    const history = issues.createHistory()!
    const stored = [...emulator.state.issues.values()]
      .filter((issue) => issue.title !== 'C')
      .map((issue) => Math.floor(issue.createdAt / 1000) * 1000)
    expect(history.createdAtMs).toEqual(stored)
    // The date header has whole seconds.
    const ahead = history.serverNowMs - history.localNowMs
    expect(ahead).toBeGreaterThan(95_000 - 1_500)
    expect(ahead).toBeLessThan(95_000 + 1_500)
  })

  it('reads the newest creates again in one request', async () => {
    const issues = store()
    for (const task of ['a', 'b', 'c']) {
      await issues.createTaskIssue({ task, manifest: 'plan.yml' }, newIssue(task), LABEL)
    }
    await issues.createTaskIssue({ task: 'a', manifest: 'other.yml' }, newIssue('other'), LABEL)
    const before = emulator.log.count()

    await issues.refreshCreateHistory('plan.yml', LABEL)

    expect(emulator.log.count() - before).toBe(1)
    const stored = [...emulator.state.issues.values()]
      .filter((issue) => issue.title !== 'other')
      .map((issue) => Math.floor(issue.createdAt / 1000) * 1000)
    expect(issues.createHistory()!.createdAtMs).toEqual(stored.reverse())
  })
})
