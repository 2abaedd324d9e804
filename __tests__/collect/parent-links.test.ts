/**
 * The links collect makes on the parent issue, against the emulator over HTTP: sub-issues,
 * blocked-by links, and the compare-and-retry update of the parent's body while a person
 * edits it too.
 */
import { createGitHubClient, type Octokit } from '../../src/github/index.js'
import { updateIssueBody } from '../../src/github/parent.js'
import { IssueRelations, MAX_SUB_ISSUES } from '../../src/github/relations.js'
import { DEFAULT_TOKEN, GitHubEmulator, type IssueRecord } from '../../test/emulator/index.js'

let emulator: GitHubEmulator
let octokit: Octokit
let messages: string[]

const repository = (): { owner: string; repo: string } => ({
  owner: emulator.state.owner,
  repo: emulator.state.repo
})

beforeEach(async () => {
  emulator = await GitHubEmulator.start()
  messages = []
  const logger = {
    info: (message: string) => messages.push(message),
    warning: (message: string) => messages.push(message),
    debug: () => undefined
  }
  // Retries wait 1/100 of their real time.
  octokit = createGitHubClient(DEFAULT_TOKEN, { baseUrl: emulator.url, logger, timeScale: 100 })
})

afterEach(async () => {
  emulator.assertContract()
  await emulator.stop()
})

function addIssues(count: number, prefix = 'Task'): IssueRecord[] {
  return Array.from({ length: count }, (_, index) =>
    emulator.state.addIssue({ title: `${prefix} ${index + 1}` })
  )
}

describe('IssueRelations.addSubIssues', () => {
  it('adds new ones and keeps existing ones', async () => {
    const parent = emulator.state.addIssue({ title: 'Parent' })
    const [a, b, c] = addIssues(3)
    await octokit.rest.issues.addSubIssue({
      ...repository(),
      issue_number: parent.number,
      sub_issue_id: a!.id
    })

    const relations = new IssueRelations(octokit, repository())
    const report = await relations.addSubIssues(parent.number, [a!.number, b!.number, c!.number])

    expect(report).toEqual({ added: [b!.number, c!.number], existing: [a!.number], skipped: [] })
    expect(emulator.state.issue(parent.number)!.subIssueNumbers).toEqual([
      a!.number,
      b!.number,
      c!.number
    ])
    const again = await relations.addSubIssues(parent.number, [a!.number, b!.number, c!.number])
    expect(again).toEqual({ added: [], existing: [a!.number, b!.number, c!.number], skipped: [] })
  })

  it('leaves an issue under another parent', async () => {
    const parent = emulator.state.addIssue({ title: 'Parent' })
    const other = emulator.state.addIssue({ title: 'Other parent' })
    const [task] = addIssues(1)
    await octokit.rest.issues.addSubIssue({
      ...repository(),
      issue_number: other.number,
      sub_issue_id: task!.id
    })

    const report = await new IssueRelations(octokit, repository()).addSubIssues(parent.number, [
      task!.number,
      parent.number
    ])

    expect(report.added).toEqual([])
    expect(report.skipped).toEqual([
      {
        link: task!.number,
        reason: `it is already a sub-issue of #${other.number}, and is left there`
      },
      { link: parent.number, reason: 'it is the parent issue itself' }
    ])
    expect(emulator.state.issue(task!.number)!.parentNumber).toBe(other.number)
  })

  it('stops at the limit of 100', async () => {
    const parent = emulator.state.addIssue({ title: 'Parent' })
    // Linked through the state, because the client sends at most one write a second.
    for (const child of addIssues(MAX_SUB_ISSUES - 1, 'Linked')) {
      child.parentNumber = parent.number
      parent.subIssueNumbers.push(child.number)
    }
    const tasks = addIssues(3)
    const report = await new IssueRelations(octokit, repository()).addSubIssues(
      parent.number,
      tasks.map((task) => task.number)
    )
    expect(report.added).toEqual([tasks[0]!.number])
    expect(report.skipped).toEqual(
      tasks.slice(1).map((task) => ({
        link: task.number,
        reason: `issue #${parent.number} already has 100 sub-issues, the most GitHub allows`
      }))
    )
    expect(emulator.state.issue(parent.number)!.subIssueNumbers).toHaveLength(MAX_SUB_ISSUES)
  })

  it('counts a retried request that already linked', async () => {
    const parent = emulator.state.addIssue({ title: 'Parent' })
    const [task] = addIssues(1)
    // Request 1 lists the sub-issues, 2 reads the task, 3 is the link: it is stored, then 502.
    emulator.faults.serverErrors = {
      probability: 0,
      onRequests: [emulator.log.nextSeq + 2],
      statuses: [502],
      afterHandler: true
    }
    const report = await new IssueRelations(octokit, repository()).addSubIssues(parent.number, [
      task!.number
    ])
    expect(report).toEqual({ added: [task!.number], existing: [], skipped: [] })
    expect(emulator.state.issue(parent.number)!.subIssueNumbers).toEqual([task!.number])
  })

  it('turns a missing permission into advice', async () => {
    const parent = emulator.state.addIssue({ title: 'Parent' })
    const [task] = addIssues(1)
    emulator.faults.tokenAccess[DEFAULT_TOKEN] = 'read-only'
    await expect(
      new IssueRelations(octokit, repository()).addSubIssues(parent.number, [task!.number])
    ).rejects.toThrow(
      'The workflow\'s token cannot add sub-issues: GitHub answered "Resource not accessible by integration"'
    )
  })
})

describe('IssueRelations.addBlockedBy', () => {
  it('adds new links and skips existing ones', async () => {
    const [db, api, ui] = addIssues(3)
    await octokit.rest.issues.addBlockedByDependency({
      ...repository(),
      issue_number: ui!.number,
      issue_id: api!.id
    })
    const report = await new IssueRelations(octokit, repository()).addBlockedBy([
      { blocked: api!.number, blocker: db!.number },
      { blocked: ui!.number, blocker: api!.number },
      { blocked: ui!.number, blocker: db!.number },
      { blocked: db!.number, blocker: db!.number }
    ])
    expect(report).toEqual({
      added: [
        { blocked: api!.number, blocker: db!.number },
        { blocked: ui!.number, blocker: db!.number }
      ],
      existing: [{ blocked: ui!.number, blocker: api!.number }],
      skipped: [
        {
          link: { blocked: db!.number, blocker: db!.number },
          reason: 'an issue cannot block itself'
        }
      ]
    })
    expect(emulator.state.issue(api!.number)!.blockedByNumbers).toEqual([db!.number])
    expect(emulator.state.issue(ui!.number)!.blockedByNumbers).toEqual([api!.number, db!.number])
  })
})

describe('updateIssueBody', () => {
  const addLine = (body: string): string =>
    body.includes('- [ ] #9 Task') ? body : body.replace('- [ ] Task', '- [ ] #9 Task')

  it('writes the edit once', async () => {
    const parent = emulator.state.addIssue({ title: 'Parent', body: 'Intro\r\n- [ ] Task\r\n' })
    const update = await updateIssueBody(octokit, repository(), parent.number, addLine, {
      log: (message) => messages.push(message)
    })
    expect(update).toEqual({ changed: true, attempts: 1, body: 'Intro\r\n- [ ] #9 Task\r\n' })
    expect(emulator.state.issue(parent.number)!.body).toBe('Intro\r\n- [ ] #9 Task\r\n')
  })

  it('sends no write when nothing changes', async () => {
    const parent = emulator.state.addIssue({ title: 'Parent', body: '- [ ] #9 Task' })
    const update = await updateIssueBody(octokit, repository(), parent.number, addLine, {
      log: (message) => messages.push(message)
    })
    expect(update).toEqual({ changed: false, attempts: 1, body: '- [ ] #9 Task' })
    expect(emulator.log.entries().filter((entry) => entry.method === 'PATCH')).toHaveLength(0)
  })

  it('keeps an edit saved during the update', async () => {
    const parent = emulator.state.addIssue({ title: 'Parent', body: 'Intro\n- [ ] Task\n' })
    let edited = false
    // A person saves from a tab opened before the update: their text lacks the reference.
    octokit.hook.after('request', (_response, options) => {
      if (options.method === 'PATCH' && !edited) {
        edited = true
        emulator.state.updateIssue(emulator.state.issue(parent.number)!, {
          body: 'Intro, edited\n- [ ] Task\n- [ ] Added by hand\n'
        })
      }
    })
    const update = await updateIssueBody(octokit, repository(), parent.number, addLine, {
      log: (message) => messages.push(message)
    })
    expect(update).toEqual({
      changed: true,
      attempts: 2,
      body: 'Intro, edited\n- [ ] #9 Task\n- [ ] Added by hand\n'
    })
    expect(emulator.state.issue(parent.number)!.body).toBe(
      'Intro, edited\n- [ ] #9 Task\n- [ ] Added by hand\n'
    )
    expect(messages).toContain(
      `The body of issue #${parent.number} changed while it was being updated (round 1 of 5); applying the edit to the new version.`
    )
  })

  it('gives up when the body keeps changing', async () => {
    const parent = emulator.state.addIssue({ title: 'Parent', body: '- [ ] Task' })
    let round = 0
    octokit.hook.after('request', (_response, options) => {
      if (options.method === 'PATCH') {
        round += 1
        emulator.state.updateIssue(emulator.state.issue(parent.number)!, {
          body: `- [ ] Task\nEdit ${round}`
        })
      }
    })
    await expect(
      updateIssueBody(octokit, repository(), parent.number, addLine, {
        log: (message) => messages.push(message),
        maxAttempts: 3
      })
    ).rejects.toThrow(
      `The body of issue #${parent.number} kept changing during 3 rounds of updates, so the issue links were not saved.`
    )
    expect(round).toBe(3)
  })

  it('refuses a body past the limit', async () => {
    const parent = emulator.state.addIssue({ title: 'Parent', body: 'short' })
    await expect(
      updateIssueBody(octokit, repository(), parent.number, () => 'x'.repeat(65_537), {
        log: (message) => messages.push(message)
      })
    ).rejects.toThrow(
      `The edited body of issue #${parent.number} would be longer than GitHub's 65,536 characters, so it was not saved.`
    )
    expect(emulator.state.issue(parent.number)!.body).toBe('short')
  })
})
