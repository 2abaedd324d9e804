import { execFileSync } from 'node:child_process'
import { runAction, NODE24 } from '../../test/harness/run-action.js'
import { makeTempDir, writeFiles } from '../../test/support/temp.js'

const manifest = [
  'version: 1',
  'defaults:',
  '  labels: [agent]',
  'tasks:',
  '  - id: db',
  '    title: Add the sessions table',
  '  - id: api',
  '    title: "Session API: \\"login\\" and {logout}"',
  '    depends-on: [db]',
  '  - id: ui',
  '    title: Login form',
  '    depends-on: [api]'
].join('\n')

describe('dist/plan under Node 24', () => {
  it('runs on Node 24', () => {
    expect(execFileSync(NODE24, ['--version'], { encoding: 'utf8' })).toMatch(/^v24\./)
  })

  it('sets every output', async () => {
    const workspace = makeTempDir()
    writeFiles(workspace, { '.github/parallel-setup.yml': manifest })
    const run = await runAction('plan', { workspace, inputs: { 'max-jobs': '2' } })
    expect(run.stderr).toBe('')
    expect(run.exitCode).toBe(0)
    expect(JSON.parse(run.outputs.matrix!)).toEqual({
      include: [
        { task: 'db,api', title: 'Add the sessions table (+1 more)', index: 0 },
        { task: 'ui', title: 'Login form', index: 1 }
      ]
    })
    expect(run.outputs.count).toBe('3')
    expect(JSON.parse(run.outputs['task-ids']!)).toEqual(['db', 'api', 'ui'])
    expect(run.outputs['has-tasks']).toBe('true')
    expect(JSON.parse(run.outputs.waves!)).toEqual([['db'], ['api'], ['ui']])
    expect(run.summary).toContain('| `api` | Session API: "login" and {logout} | 0 | 1 | `db` |')
  })

  it('filters with only', async () => {
    const workspace = makeTempDir()
    writeFiles(workspace, { 'plans/tasks.yml': manifest })
    const run = await runAction('plan', {
      workspace,
      inputs: { manifest: 'plans/tasks.yml', only: 'ui\ndb' }
    })
    expect(run.exitCode).toBe(0)
    expect(JSON.parse(run.outputs['task-ids']!)).toEqual(['db', 'ui'])
    expect(JSON.parse(run.outputs.waves!)).toEqual([['db', 'ui']])
  })

  it('guards an empty plan with has-tasks', async () => {
    const workspace = makeTempDir()
    writeFiles(workspace, { '.github/parallel-setup.yml': 'version: 1\ntasks: []\n' })
    const run = await runAction('plan', { workspace })
    expect(run.exitCode).toBe(0)
    expect(run.outputs['has-tasks']).toBe('false')
    expect(run.outputs.count).toBe('0')
    expect(run.outputs.matrix).toBe('{"include":[]}')
  })

  it('annotates an invalid manifest at its line', async () => {
    const workspace = makeTempDir()
    writeFiles(workspace, {
      '.github/parallel-setup.yml': manifest.replace('depends-on: [db]', 'depends-on: [dbb]')
    })
    const run = await runAction('plan', { workspace })
    expect(run.exitCode).toBe(1)
    expect(run.outputs).toEqual({})
    expect(run.annotations).toEqual([
      {
        level: 'error',
        properties: {
          title: 'Invalid task manifest',
          file: '.github/parallel-setup.yml',
          line: '9',
          col: '18'
        },
        message:
          ".github/parallel-setup.yml:9:18: task 'api' depends on 'dbb', which is not a task id in this manifest. Did you mean 'db'?"
      }
    ])
  })

  it.each([
    ['max-jobs', '0', "Invalid input 'max-jobs': '0'. Expected a whole number from 1 to 256."],
    ['max-jobs', '300', "Invalid input 'max-jobs': '300'. Expected a whole number from 1 to 256."],
    [
      'max-jobs',
      'many',
      "Invalid input 'max-jobs': 'many'. Expected a whole number from 1 to 256."
    ],
    [
      'only',
      'nothing-*',
      "The 'only' input 'nothing-*' matches no task id. Known ids: db, api, ui."
    ]
  ])('rejects %s=%s with one error', async (name, value, message) => {
    const workspace = makeTempDir()
    writeFiles(workspace, { '.github/parallel-setup.yml': manifest })
    const run = await runAction('plan', { workspace, inputs: { [name]: value } })
    expect(run.exitCode).toBe(1)
    expect(run.annotations).toHaveLength(1)
    expect(run.annotations[0]!.message).toContain(message)
  })

  it('reports a missing manifest', async () => {
    const run = await runAction('plan', { workspace: makeTempDir() })
    expect(run.exitCode).toBe(1)
    expect(run.annotations[0]!.message).toContain(
      "the manifest '.github/parallel-setup.yml' does not exist. Create it, or set the 'manifest' input to its path"
    )
  })

  it('runs the root action with command=plan', async () => {
    const workspace = makeTempDir()
    writeFiles(workspace, { '.github/parallel-setup.yml': manifest })
    const run = await runAction('main', { workspace, inputs: { command: 'plan' } })
    expect(run.exitCode).toBe(0)
    expect(run.outputs.count).toBe('3')
  })

  it('rejects an unknown command', async () => {
    const run = await runAction('main', { workspace: makeTempDir(), inputs: { command: 'deploy' } })
    expect(run.exitCode).toBe(1)
    expect(run.annotations[0]!.message).toContain(
      "Invalid input 'command': 'deploy'. Expected one of: plan"
    )
  })
})
