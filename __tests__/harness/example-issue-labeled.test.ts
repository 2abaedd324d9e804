/**
 * Runs examples/issue-labeled.yml, the workflow users copy, end to end on GitHub's published
 * issues.labeled payload with the issue body replaced: plan reads the body, one setup leg per
 * task, and collect links the task issues back to the labelled issue. Also reads the body that
 * examples/ISSUE_TEMPLATE/parallel-setup.yml produces.
 */
import fs from 'node:fs'
import path from 'node:path'
import { parse } from 'yaml'
import { parseIssueBody, deriveTaskId } from '../../src/manifest/issue-body.js'
import { GitHubEmulator, type IssueRecord } from '../../test/emulator/index.js'
import {
  cloneLikeCheckout,
  commitFile,
  createBareRemote,
  createGitSandbox,
  remoteBranchHead,
  type BareRemote,
  type GitSandbox
} from '../../test/git/repos.js'
import { describeFailures, runWorkflow, type WorkflowRun } from '../../test/harness/workflow.js'
import { repositoryRoot } from '../../test/harness/workflow-file.js'
import { loadWebhookExample } from '../../test/harness/webhooks.js'

const example = path.join(repositoryRoot, 'examples', 'issue-labeled.yml')
const form = path.join(repositoryRoot, 'examples', 'ISSUE_TEMPLATE', 'parallel-setup.yml')

const DEFAULTS_FILE = [
  'version: 1',
  'defaults:',
  '  labels: [agent-task]',
  '  install: none',
  'tasks: []',
  ''
].join('\n')

const ODD_TITLE = '**Login form** with <b>HTML</b>, ${{ github.token }} and 🚀'

let sandbox: GitSandbox
let remote: BareRemote
let emulator: GitHubEmulator

beforeEach(async () => {
  sandbox = createGitSandbox()
  remote = createBareRemote(sandbox, 'demo', 1)
  emulator = await GitHubEmulator.start({ owner: 'octo-org', repo: 'demo' })
})

afterEach(async () => {
  await emulator?.stop()
  sandbox?.cleanup()
})

function pushDefaultsFile(): void {
  const seed = cloneLikeCheckout(sandbox, remote, 'seed')
  commitFile(sandbox, seed, '.github/parallel-setup.yml', DEFAULTS_FILE, 'Add task defaults')
  sandbox.git(seed, ['push', '--quiet', 'origin', 'main'])
}

/** Runs the example on a labeled event whose payload carries `body`, as GitHub sent it. */
function runLabeled(
  parent: IssueRecord,
  body: string,
  label = 'parallel-setup'
): Promise<WorkflowRun> {
  return runWorkflow(example, {
    event: 'issues',
    eventPayload: loadWebhookExample('issues', 'labeled', {
      issue: { number: parent.number, title: parent.title, body, labels: [label] },
      label
    }),
    remote: remote.path,
    emulator,
    stepTimeoutMs: 180_000
  })
}

/** Finds the one issue that carries the marker of `task` in the parent's manifest. */
function taskIssue(parent: number, task: string): IssueRecord {
  const marker = `<!-- parallel-setup:task=${task} manifest=issue%20%23${parent} -->`
  const found = [...emulator.state.issues.values()].filter((issue) => issue.body?.includes(marker))
  expect([task, found.length]).toEqual([task, 1])
  return found[0]!
}

function labelsOf(issue: IssueRecord): string[] {
  return issue.labelIds.map((id) => emulator.state.labelById(id)!.name).sort()
}

function summaryComments(parent: number): string[] {
  return emulator.state
    .commentsOf(parent)
    .map((comment) => comment.body)
    .filter((body) =>
      body.includes(`<!-- parallel-setup:summary manifest=issue%20%23${parent} -->`)
    )
}

describe('examples/issue-labeled.yml', () => {
  it('sets up a task list, then only new tasks, then nothing', async () => {
    pushDefaultsFile()
    const old = emulator.state.addIssue({ title: 'Old work' })
    const labelled = [
      'We need the login work split up.',
      '',
      '- [ ] Add the sessions table',
      '  Store a user id, a token hash and an expiry time.',
      '  - [ ] Write the migration',
      '- [x] Pick a session library',
      `- [ ] #${old.number} Old work`,
      '- Frontend',
      `  - [ ] ${ODD_TITLE}`,
      '',
      '```md',
      '- [ ] An example, not a task',
      '```'
    ].join('\r\n')
    // Someone edits the issue after labelling it, while the run is under way: the run reads
    // the payload's body, and collect must keep the edit.
    const edited = `${labelled}\r\nEdited while the run was under way.`
    const parent = emulator.state.addIssue({ title: 'Login work', body: edited })
    const table = deriveTaskId('Add the sessions table')
    const loginForm = deriveTaskId(ODD_TITLE)

    const first = await runLabeled(parent, labelled)
    expect(describeFailures(first)).toBe('')
    expect(first.conclusion).toBe('success')
    expect(first.jobs.plan!.outputs['task-ids']).toBe(JSON.stringify([table, loginForm]))
    expect(first.jobs.setup!.legs.map((leg) => leg.name)).toEqual([
      'setup Add the sessions table',
      `setup ${ODD_TITLE}`
    ])

    const tableIssue = taskIssue(parent.number, table)
    const formIssue = taskIssue(parent.number, loginForm)
    expect(tableIssue.title).toBe('Add the sessions table')
    expect(formIssue.title).toBe(ODD_TITLE)
    expect(tableIssue.body).toBe(
      'Store a user id, a token hash and an expiry time.\n- [ ] Write the migration\n\n' +
        `<!-- parallel-setup:task=${table} manifest=issue%20%23${parent.number} -->`
    )
    expect(labelsOf(tableIssue)).toEqual(['agent-task', 'parallel-setup'])
    expect(remoteBranchHead(sandbox, remote, `task/${table}`)).toMatch(/^[0-9a-f]{40}$/)
    expect(remoteBranchHead(sandbox, remote, `task/${loginForm}`)).toMatch(/^[0-9a-f]{40}$/)

    expect(emulator.state.issue(parent.number)!.body).toBe(
      [
        'We need the login work split up.',
        '',
        `- [ ] #${tableIssue.number} Add the sessions table`,
        '  Store a user id, a token hash and an expiry time.',
        '  - [ ] Write the migration',
        '- [x] Pick a session library',
        `- [ ] #${old.number} Old work`,
        '- Frontend',
        `  - [ ] #${formIssue.number} ${ODD_TITLE}`,
        '',
        '```md',
        '- [ ] An example, not a task',
        '```',
        'Edited while the run was under way.'
      ].join('\r\n')
    )
    expect(emulator.state.issue(parent.number)!.subIssueNumbers).toEqual([
      tableIssue.number,
      formIssue.number
    ])
    expect(summaryComments(parent.number)).toHaveLength(1)
    expect(summaryComments(parent.number)[0]).toContain(
      '## Parallel setup: 2 ready, 0 failed, 0 missing'
    )

    // A second label adds a new item: only it is planned, and only its line changes.
    const withNewItem = `${emulator.state.issue(parent.number)!.body}\r\n- [ ] Write the release notes`
    emulator.state.updateIssue(emulator.state.issue(parent.number)!, { body: withNewItem })
    const notes = deriveTaskId('Write the release notes')
    const second = await runLabeled(parent, withNewItem)
    expect(describeFailures(second)).toBe('')
    expect(second.jobs.plan!.outputs['task-ids']).toBe(JSON.stringify([notes]))
    const notesIssue = taskIssue(parent.number, notes)
    expect(emulator.state.issue(parent.number)!.body).toBe(
      withNewItem.replace(
        '- [ ] Write the release notes',
        `- [ ] #${notesIssue.number} Write the release notes`
      )
    )
    expect(emulator.state.issue(parent.number)!.subIssueNumbers).toEqual([
      tableIssue.number,
      formIssue.number,
      notesIssue.number
    ])

    // A third label finds nothing new and changes nothing.
    const settled = emulator.state.issue(parent.number)!.body!
    const issueCount = emulator.state.issues.size
    const comments = emulator.state.commentsOf(parent.number).map((comment) => comment.body)
    const third = await runLabeled(parent, settled)
    expect(describeFailures(third)).toBe('')
    expect(third.jobs.plan!.outputs['has-tasks']).toBe('false')
    expect(third.jobs.plan!.legs[0]!.annotations.map((annotation) => annotation.message)).toEqual([
      `Every task-list item of issue #${parent.number} is checked or already links an issue, so no task is planned.`
    ])
    expect(third.jobs.setup!.result).toBe('skipped')
    expect(third.jobs.collect!.result).toBe('skipped')
    expect(emulator.state.issue(parent.number)!.body).toBe(settled)
    expect(emulator.state.issues.size).toBe(issueCount)
    expect(emulator.state.commentsOf(parent.number).map((comment) => comment.body)).toEqual(
      comments
    )
    expect(emulator.state.issue(parent.number)!.subIssueNumbers).toHaveLength(3)
    emulator.assertContract()
  }, 600_000)

  it('links the dependencies of a manifest block', async () => {
    const body = [
      'Set up the session work.',
      '',
      '```yaml',
      'version: 1',
      'defaults:',
      '  install: none',
      'tasks:',
      '  - id: sessions-table',
      '    title: Add the sessions table',
      '  - id: session-api',
      "    title: 'Session API: login and logout'",
      '    depends-on: [sessions-table]',
      '  - id: login-form',
      '    title: Login form',
      '    depends-on: [sessions-table, session-api]',
      '```',
      '',
      '- [ ] Not read, because the block wins'
    ].join('\n')
    const parent = emulator.state.addIssue({ title: 'Session work', body })

    const run = await runLabeled(parent, body)
    expect(describeFailures(run)).toBe('')
    expect(run.jobs.plan!.outputs['task-ids']).toBe(
      JSON.stringify(['sessions-table', 'session-api', 'login-form'])
    )

    const table = taskIssue(parent.number, 'sessions-table')
    const api = taskIssue(parent.number, 'session-api')
    const formIssue = taskIssue(parent.number, 'login-form')
    expect(emulator.state.issue(api.number)!.blockedByNumbers).toEqual([table.number])
    expect(emulator.state.issue(formIssue.number)!.blockedByNumbers).toEqual([
      table.number,
      api.number
    ])
    expect(emulator.state.issue(table.number)!.blockedByNumbers).toEqual([])
    expect(emulator.state.issue(parent.number)!.subIssueNumbers).toEqual([
      table.number,
      api.number,
      formIssue.number
    ])
    // A block has no task-list lines to link, so the body stays as written.
    expect(emulator.state.issue(parent.number)!.body).toBe(body)

    // A re-run of the same label finds every issue and link in place.
    const again = await runLabeled(parent, body)
    expect(describeFailures(again)).toBe('')
    expect(emulator.state.issues.size).toBe(4)
    expect(emulator.state.issue(formIssue.number)!.blockedByNumbers).toEqual([
      table.number,
      api.number
    ])
    expect(emulator.state.issue(parent.number)!.subIssueNumbers).toHaveLength(3)
    emulator.assertContract()
  }, 300_000)

  it('skips a labeled event for another label', async () => {
    const parent = emulator.state.addIssue({ title: 'Bug', body: '- [ ] A task' })
    const run = await runLabeled(parent, '- [ ] A task', 'bug')
    expect(run.conclusion).toBe('success')
    expect(run.jobs.plan!.result).toBe('skipped')
    expect(run.jobs.setup!.result).toBe('skipped')
    expect(run.jobs.collect!.result).toBe('skipped')
    expect(emulator.state.issues.size).toBe(1)
    expect(emulator.state.commentsOf(parent.number)).toEqual([])
  })

  it('fails without tasks and says how to write them', async () => {
    const body = 'Please split the login work up.'
    const parent = emulator.state.addIssue({ title: 'Login work', body })
    const run = await runLabeled(parent, body)
    expect(run.conclusion).toBe('failure')
    expect(run.jobs.plan!.result).toBe('failure')
    expect(run.jobs.setup!.result).toBe('skipped')
    expect(run.jobs.collect!.result).toBe('skipped')
    const failure = run.jobs.plan!.legs[0]!.annotations.find(
      (annotation) => annotation.level === 'error'
    )!.message
    expect(failure.split('\n')[0]).toBe(
      `Issue #${parent.number} lists no tasks, so there is nothing to set up.`
    )
    expect(emulator.state.commentsOf(parent.number).map((comment) => comment.body)).toEqual([
      `${failure}\n<!-- parallel-setup:plan-problem -->`
    ])
    emulator.assertContract()
  }, 120_000)
})

describe('examples/ISSUE_TEMPLATE/parallel-setup.yml', () => {
  interface FormField {
    type: string
    id?: string
    attributes: { label?: string; value?: string; render?: string }
  }
  const fields = (parse(fs.readFileSync(form, 'utf8')) as { body: FormField[] }).body

  /**
   * Renders a submitted form the way GitHub writes it into the issue body: a "### <label>"
   * heading per field and "_No response_" for an empty one, as the README of issue-ops/parser
   * shows. NOTE: the yaml fence around a field with `render` follows GitHub's description of
   * `render` and was not compared with a live issue.
   */
  function renderForm(values: Record<string, string>): string {
    return fields
      .filter((field) => field.type !== 'markdown')
      .map((field) => {
        const value = values[field.id!] ?? ''
        const text =
          value === ''
            ? '_No response_'
            : field.attributes.render
              ? `\`\`\`${field.attributes.render}\n${value}\n\`\`\``
              : value
        return `### ${field.attributes.label}\n\n${text}`
      })
      .join('\n\n')
  }

  it('gives a task list the plan reads', () => {
    const body = renderForm({
      tasks: '- [ ] Add the sessions table\n  Store a token hash.\n- [ ] Document the login flow'
    })
    const manifest = parseIssueBody(body, { file: 'issue #5' })
    expect(manifest.taskFormat).toBe('task-list')
    expect(manifest.tasks.map((task) => [task.title, task.body])).toEqual([
      ['Add the sessions table', 'Store a token hash.'],
      ['Document the login flow', '']
    ])
  })

  it('gives no task for the untouched form', () => {
    const tasks = fields.find((field) => field.id === 'tasks')!
    const body = renderForm({ tasks: tasks.attributes.value!.trimEnd() })
    expect(parseIssueBody(body, { file: 'issue #5' }).tasks).toEqual([])
  })

  it('gives a manifest block that wins', () => {
    const body = renderForm({
      tasks: '- [ ] Ignored',
      manifest: 'version: 1\ntasks:\n  - id: db\n    title: Add the table'
    })
    const manifest = parseIssueBody(body, { file: 'issue #5' })
    expect(manifest.taskFormat).toBe('manifest-block')
    expect(manifest.tasks.map((task) => task.id)).toEqual(['db'])
  })
})
