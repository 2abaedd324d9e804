/**
 * dist/collect linking the task issues of a manifest file to a parent issue: sub-issues,
 * blocked-by links from depends-on, and one warning for links it leaves alone.
 */
import { DEFAULT_TOKEN } from '../../test/emulator/index.js'
import { createScratchProject, type ScratchProject } from '../../test/support/project.js'

const MANIFEST = [
  'version: 1',
  'defaults:',
  '  install: none',
  'tasks:',
  '  - id: a',
  '    title: Task A',
  '  - id: b',
  '    title: Task B',
  '  - id: c',
  '    title: Task C',
  '    depends-on: [a, b]',
  ''
].join('\n')

let project: ScratchProject

beforeEach(async () => {
  project = await createScratchProject({ '.github/parallel-setup.yml': MANIFEST })
})

afterEach(async () => {
  project.emulator.assertContract()
  await project.stop()
})

function issueOf(task: string): number {
  const marker = `<!-- parallel-setup:task=${task} manifest=.github%2Fparallel-setup.yml -->`
  const issue = [...project.emulator.state.issues.values()].find((candidate) =>
    candidate.body?.includes(marker)
  )
  if (!issue) throw new Error(`No issue carries the marker of task '${task}'.`)
  return issue.number
}

describe('dist/collect links', () => {
  it('links sub-issues and dependencies of a file', async () => {
    const { state } = project.emulator
    const parent = state.addIssue({ title: 'Parent' })
    const elsewhere = state.addIssue({ title: 'Another parent' })
    for (const task of ['a', 'b', 'c']) {
      const setup = await project.run('setup', project.checkout(), { task })
      expect(setup.exitCode).toBe(0)
    }
    const [a, b, c] = ['a', 'b', 'c'].map(issueOf) as [number, number, number]
    // Someone already filed b under another issue; collect leaves it there.
    state.issue(b)!.parentNumber = elsewhere.number
    state.issue(elsewhere.number)!.subIssueNumbers.push(b)

    const collect = await project.run('collect', project.checkout(), {
      'parent-issue': String(parent.number)
    })
    expect(collect.exitCode).toBe(0)
    expect(state.issue(parent.number)!.subIssueNumbers).toEqual([a, c])
    expect(state.issue(b)!.parentNumber).toBe(elsewhere.number)
    expect(state.issue(c)!.blockedByNumbers).toEqual([a, b])
    expect(collect.annotations).toEqual([
      {
        level: 'warning',
        properties: {},
        message: `Not linked as sub-issues: #${b}, because it is already a sub-issue of #${elsewhere.number}, and is left there.`
      }
    ])

    // A second collect finds every link in place and sends no write for them.
    const writesBefore = project.emulator.log
      .entries()
      .filter((entry) => entry.method === 'POST' && /sub_issues|blocked_by/.test(entry.path)).length
    const again = await project.run('collect', project.checkout(), {
      'parent-issue': String(parent.number)
    })
    expect(again.exitCode).toBe(0)
    const writesAfter = project.emulator.log
      .entries()
      .filter((entry) => entry.method === 'POST' && /sub_issues|blocked_by/.test(entry.path)).length
    expect(writesAfter).toBe(writesBefore)
    expect(state.issue(c)!.blockedByNumbers).toEqual([a, b])
  })

  it('fails once when the token cannot link', async () => {
    const { state } = project.emulator
    const parent = state.addIssue({ title: 'Parent' })
    for (const task of ['a', 'c']) await project.run('setup', project.checkout(), { task })
    // A token without push access may comment, but not add sub-issues or dependencies.
    project.emulator.faults.tokenAccess[DEFAULT_TOKEN] = 'no-push'
    const collect = await project.run('collect', project.checkout(), {
      tasks: 'a,c',
      'parent-issue': String(parent.number)
    })
    expect(collect.exitCode).toBe(1)
    expect(state.commentsOf(parent.number)).toHaveLength(1)
    expect(state.issue(parent.number)!.subIssueNumbers).toEqual([])
    const messages = collect.annotations.map((annotation) => annotation.message)
    expect(messages).toHaveLength(3)
    expect(messages[0]).toMatch(
      /^Adding the sub-issues failed: The workflow's token cannot add sub-issues: /
    )
    expect(messages[1]).toMatch(
      /^Adding the blocked-by links failed: The workflow's token cannot add issue dependencies: /
    )
    expect(messages[2]).toMatch(
      new RegExp(
        `^Linking the task issues to issue #${parent.number} failed: adding the sub-issues failed: `
      )
    )
    expect(messages[2]).toContain('; adding the blocked-by links failed: ')
    expect(messages[2]).toMatch(
      /Fix the cause and re-run the collect job, or set link-issues: false to skip linking\.$/
    )
  })

  it('links nothing with link-issues: false', async () => {
    const parent = project.emulator.state.addIssue({ title: 'Parent' })
    await project.run('setup', project.checkout(), { task: 'a' })
    const collect = await project.run('collect', project.checkout(), {
      tasks: 'a',
      'parent-issue': String(parent.number),
      'link-issues': 'false'
    })
    expect(collect.exitCode).toBe(0)
    expect(project.emulator.state.issue(parent.number)!.subIssueNumbers).toEqual([])
    expect(project.emulator.state.commentsOf(parent.number)).toHaveLength(1)
  })
})
