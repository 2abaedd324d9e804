/**
 * dist/plan reading its tasks from the issue in the event payload, run the way the runner
 * runs it, on GitHub's published issues payloads and against the emulator.
 */
import fs from 'node:fs'
import path from 'node:path'
import { deriveTaskId } from '../../src/manifest/issue-body.js'
import { loadWebhookExample, type PayloadOverrides } from '../../test/harness/webhooks.js'
import type { ActionRun } from '../../test/harness/run-action.js'
import { createScratchProject, type ScratchProject } from '../../test/support/project.js'
import { makeTempDir } from '../../test/support/temp.js'

const HELP = (issue: number): string =>
  [
    `Issue #${issue} lists no tasks, so there is nothing to set up.`,
    'Write each task as an unchecked task-list item on its own line. Indented lines under an item become its issue body:',
    '',
    '```markdown',
    '- [ ] Add the sessions table',
    '  Store a user id, a token hash and an expiry time.',
    '- [ ] Document the login flow',
    '```',
    '',
    'Or put a task manifest, written like .github/parallel-setup.yml, in a fenced `yaml` code block.',
    "Then remove the 'parallel-setup' label and add it again to start a new run."
  ].join('\n')

let project: ScratchProject

beforeEach(async () => {
  project = await createScratchProject({})
})

afterEach(async () => {
  project.emulator.assertContract()
  await project.stop()
})

/** Opens the parent issue in the emulator and runs dist/plan on an issues event for it. */
async function planIssue(
  body: string,
  options: {
    action?: string
    label?: string
    labels?: string[]
    inputs?: Record<string, string>
    workspace?: string
  } = {}
): Promise<{ run: ActionRun; parent: number }> {
  const parent = project.emulator.state.addIssue({ title: 'Parent', body })
  const overrides: PayloadOverrides = {
    repository: { owner: project.owner, name: project.repo },
    apiUrl: project.emulator.url,
    issue: { number: parent.number, body, labels: options.labels ?? ['parallel-setup'] }
  }
  const action = options.action ?? 'labeled'
  if (action === 'labeled') overrides.label = options.label ?? 'parallel-setup'
  const eventPath = path.join(makeTempDir(), 'event.json')
  fs.writeFileSync(eventPath, JSON.stringify(loadWebhookExample('issues', action, overrides)))
  const run = await project.run(
    'plan',
    options.workspace ?? project.checkout(),
    options.inputs ?? {},
    { GITHUB_EVENT_NAME: 'issues', GITHUB_EVENT_PATH: eventPath }
  )
  return { run, parent: parent.number }
}

function commentsOn(issue: number): string[] {
  return project.emulator.state.commentsOf(issue).map((comment) => comment.body)
}

describe('dist/plan with an issue source', () => {
  it('plans the open items of a labelled issue', async () => {
    const { run } = await planIssue(
      '- [ ] Add the sessions table\r\n  Use UUIDs.\r\n- [x] Done\r\n- [ ] #4 Linked\r\n- [ ] Document the login flow\r\n'
    )
    expect(run.stderr).toBe('')
    expect(run.exitCode).toBe(0)
    const ids = ['add-the-sessions-table-e1a4ee9', 'document-the-login-flow-7b329d8']
    expect(run.outputs).toEqual({
      matrix: JSON.stringify({
        include: [
          { task: ids[0], title: 'Add the sessions table', index: 0 },
          { task: ids[1], title: 'Document the login flow', index: 1 }
        ]
      }),
      count: '2',
      'task-ids': JSON.stringify(ids),
      'has-tasks': 'true',
      waves: JSON.stringify([ids]),
      'planned-at': expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    })
    expect(run.summary).toContain('Manifest `issue #1` (issue-body), 2 matrix legs, 1 wave.')
  })

  it('plans nothing for another label', async () => {
    const { run, parent } = await planIssue('- [ ] Task', { label: 'bug', inputs: { only: 'a*' } })
    expect(run.exitCode).toBe(0)
    expect(run.outputs['has-tasks']).toBe('false')
    expect(run.outputs.matrix).toBe('{"include":[]}')
    expect(run.annotations).toEqual([
      {
        level: 'notice',
        properties: {},
        message: `The label 'bug' was added to issue #${parent}, not the trigger label 'parallel-setup', so no task is planned.`
      }
    ])
    expect(commentsOn(parent)).toEqual([])
  })

  it('honours another trigger label', async () => {
    const { run } = await planIssue('- [ ] Task', {
      label: 'Agents',
      labels: ['Agents'],
      inputs: { 'trigger-label': 'agents' }
    })
    expect(run.exitCode).toBe(0)
    expect(run.outputs['task-ids']).toBe(JSON.stringify([deriveTaskId('Task')]))
  })

  it('reads an issue without the label only when it carries it', async () => {
    const { run, parent } = await planIssue('- [ ] Task', {
      action: 'edited',
      labels: ['bug'],
      inputs: { source: 'issue' }
    })
    expect(run.exitCode).toBe(0)
    expect(run.outputs['has-tasks']).toBe('false')
    expect(run.annotations.map((annotation) => annotation.message)).toEqual([
      `Issue #${parent} does not carry the trigger label 'parallel-setup', so its tasks are not read. Add the label to start a run.`
    ])
  })

  it('skips an issue that parallel-setup opened', async () => {
    const { run, parent } = await planIssue(
      '- [ ] Sub-step\n\n<!-- parallel-setup:task=a manifest=issue%20%231 -->'
    )
    expect(run.exitCode).toBe(0)
    expect(run.outputs['has-tasks']).toBe('false')
    expect(run.annotations.map((annotation) => annotation.message)).toEqual([
      `Issue #${parent} is a task issue that parallel-setup opened, so its body is not read as a list of tasks.`
    ])
  })

  it('plans nothing when every item is done or linked', async () => {
    const { run, parent } = await planIssue('- [x] Done\n- [ ] #7 Linked')
    expect(run.exitCode).toBe(0)
    expect(run.outputs['has-tasks']).toBe('false')
    expect(run.annotations.map((annotation) => annotation.message)).toEqual([
      `Every task-list item of issue #${parent} is checked or already links an issue, so no task is planned.`
    ])
    expect(commentsOn(parent)).toEqual([])
  })

  it('comments and fails without tasks', async () => {
    const body = 'Please set up the login work.\n\n```md\n- [ ] only an example\n```'
    const { run, parent } = await planIssue(body)
    expect(run.exitCode).toBe(1)
    expect(run.outputs).toEqual({})
    expect(run.annotations).toEqual([{ level: 'error', properties: {}, message: HELP(parent) }])
    expect(commentsOn(parent)).toEqual([`${HELP(parent)}\n<!-- parallel-setup:plan-problem -->`])
  })

  it('updates its one comment on a second failure', async () => {
    const first = await planIssue('Nothing here.')
    expect(first.run.exitCode).toBe(1)
    const second = await project.run(
      'plan',
      project.checkout(),
      {},
      {
        GITHUB_EVENT_NAME: 'issues',
        GITHUB_EVENT_PATH: writePayload(first.parent, 'Still nothing.')
      }
    )
    expect(second.exitCode).toBe(1)
    expect(commentsOn(first.parent)).toHaveLength(1)
  })

  it('comments and fails on a broken yaml block', async () => {
    const body = [
      'Tasks:',
      '',
      '```yaml',
      'version: 1',
      'tasks:',
      '  - id: a',
      '    title: [unclosed',
      '```'
    ].join('\n')
    const { run, parent } = await planIssue(body)
    expect(run.exitCode).toBe(1)
    const message =
      'issue #1:7:21: invalid YAML or JSON: Flow sequence in block collection must be sufficiently indented and end with a ] (line 4 of the yaml block). ' +
      'Fix the syntax at that line; a YAML linter or your editor can show the exact spot'
    expect(run.annotations).toEqual([
      {
        level: 'error',
        properties: {
          title: 'Invalid task manifest',
          file: 'issue #1',
          line: '7',
          col: '21'
        },
        message
      }
    ])
    expect(commentsOn(parent)).toEqual([
      [
        `The tasks of issue #${parent} could not be read:`,
        '',
        `> ${message}`,
        '',
        "Fix the issue body, then remove the 'parallel-setup' label and add it again to start a new run.",
        '<!-- parallel-setup:plan-problem -->'
      ].join('\n')
    ])
  })

  it('groups more than 256 tasks into 256 legs', async () => {
    const titles = Array.from({ length: 300 }, (_, index) => `Task number ${index + 1}`)
    const { run } = await planIssue(titles.map((title) => `- [ ] ${title}`).join('\n'))
    expect(run.exitCode).toBe(0)
    expect(run.outputs.count).toBe('300')
    const legs = (JSON.parse(run.outputs.matrix!) as { include: Array<{ task: string }> }).include
    expect(legs).toHaveLength(256)
    expect(legs.map((leg) => leg.task.split(',').length)).toEqual([
      ...Array<number>(44).fill(2),
      ...Array<number>(212).fill(1)
    ])
    expect(legs.flatMap((leg) => leg.task.split(','))).toEqual(
      titles.map((title) => deriveTaskId(title))
    )
  })

  it('keeps titles as data', async () => {
    const titles = [
      '**Bold** and `code` and [a link](https://example.com)',
      '<img src=x onerror=alert(1)> <b>html</b>',
      '${{ secrets.GITHUB_TOKEN }} and $(whoami) and `rm -rf /`',
      'Emoji 🚀🎉 and accents: Café',
      'L'.repeat(300)
    ]
    const { run } = await planIssue(titles.map((title) => `- [ ] ${title}`).join('\n'))
    expect(run.exitCode).toBe(0)
    const legs = (JSON.parse(run.outputs.matrix!) as { include: Array<{ title: string }> }).include
    expect(legs.map((leg) => leg.title)).toEqual(titles)
  })

  it('reads the manifest file with source: file', async () => {
    const workspace = project.checkout()
    fs.mkdirSync(path.join(workspace, '.github'))
    fs.writeFileSync(
      path.join(workspace, '.github', 'parallel-setup.yml'),
      'version: 1\ntasks:\n  - id: from-file\n    title: From the file\n'
    )
    const { run } = await planIssue('- [ ] From the issue', {
      workspace,
      inputs: { source: 'file' }
    })
    expect(run.exitCode).toBe(0)
    expect(run.outputs['task-ids']).toBe('["from-file"]')
  })

  it('reports an invalid defaults file at its line', async () => {
    const workspace = project.checkout()
    fs.mkdirSync(path.join(workspace, '.github'))
    fs.writeFileSync(
      path.join(workspace, '.github', 'parallel-setup.yml'),
      'version: 1\ndefaults:\n  lables: [agent]\ntasks: []\n'
    )
    const { run, parent } = await planIssue('- [ ] Task', { workspace })
    expect(run.exitCode).toBe(1)
    expect(run.annotations[0]!.properties).toEqual({
      title: 'Invalid task manifest',
      file: '.github/parallel-setup.yml',
      line: '3',
      col: '3'
    })
    // The issue's text is fine, so the issue gets no comment.
    expect(commentsOn(parent)).toEqual([])
  })

  it('rejects source: issue without an issue', async () => {
    const eventPath = path.join(makeTempDir(), 'event.json')
    fs.writeFileSync(eventPath, JSON.stringify(loadWebhookExample('workflow_dispatch')))
    const run = await project.run(
      'plan',
      project.checkout(),
      { source: 'issue' },
      {
        GITHUB_EVENT_PATH: eventPath
      }
    )
    expect(run.exitCode).toBe(1)
    expect(run.annotations.map((annotation) => annotation.message)).toEqual([
      "Input 'source' is 'issue', but the 'workflow_dispatch' event that started this run is not about an issue. " +
        "Run the workflow on 'issues' events (types: [labeled]), or set source: file to read the manifest file."
    ])
  })
})

function writePayload(issue: number, body: string): string {
  const eventPath = path.join(makeTempDir(), 'event.json')
  const payload = loadWebhookExample('issues', 'labeled', {
    repository: { owner: project.owner, name: project.repo },
    issue: { number: issue, body, labels: ['parallel-setup'] },
    label: 'parallel-setup'
  })
  fs.writeFileSync(eventPath, JSON.stringify(payload))
  return eventPath
}
