/**
 * The bad-input catalogue: every input a user or an issue author could get wrong, run through
 * the bundled actions. Each gets one clear error, or a safe result, never a crash or a stack trace.
 */
import fs from 'node:fs'
import path from 'node:path'
import { runAction, type ActionRun } from '../../test/harness/run-action.js'
import { recordFigures } from '../../test/support/figures.js'
import { createScratchProject, type ScratchProject } from '../../test/support/project.js'
import { makeTempDir, writeFiles } from '../../test/support/temp.js'

function expectOneClearError(run: ActionRun, message: string): void {
  expect(run.exitCode).toBe(1)
  const errors = run.annotations.filter((annotation) => annotation.level === 'error')
  expect(errors).toHaveLength(1)
  expect(errors[0]!.message).toContain(message)
  expect(`${run.stdout}\n${run.stderr}`).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/)
}

const aliasBomb = [
  'version: 1',
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...Array.from({ length: 8 }, (_, i) => {
    const name = String.fromCharCode(98 + i)
    const previous = String.fromCharCode(97 + i)
    return `${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]`
  }),
  'tasks: []'
].join('\n')

const manifestCases: Array<[string, string, string]> = [
  ['malformed YAML', 'version: 1\ntasks:\n  - id: a\n   title: x\n', 'invalid YAML or JSON'],
  ['malformed JSON', '{"version": 1, "tasks": [', 'invalid YAML or JSON'],
  [
    'a truncated file',
    'version: 1\ntasks:\n  - id: a\n    title: "Half a ti',
    'invalid YAML or JSON'
  ],
  [
    'a number at the top',
    '42',
    "the manifest must be a mapping with 'version' and 'tasks', but it is a number"
  ],
  ['tasks as a mapping', 'version: 1\ntasks:\n  a: {title: A}\n', "'tasks' must be a list"],
  ['a YAML alias bomb', aliasBomb, 'Excessive alias count'],
  ['binary garbage', '\u0000\u0001\u0002\u00ff', 'the manifest'],
  ['an id with ..', 'version: 1\ntasks:\n  - {id: a..b, title: A}\n', "it contains '..'"],
  ['an id with /', 'version: 1\ntasks:\n  - {id: a/b, title: A}\n', "it contains '/'"],
  ['an id with ~', 'version: 1\ntasks:\n  - {id: a~1, title: A}\n', "it contains '~'"],
  ['an id with ^', 'version: 1\ntasks:\n  - {id: a^, title: A}\n', "it contains '^'"],
  ['an id with :', 'version: 1\ntasks:\n  - {id: "a:b", title: A}\n', "it contains ':'"],
  ['an id with @{', 'version: 1\ntasks:\n  - {id: "a@{1}", title: A}\n', "it contains '@'"],
  ['an id with a space', 'version: 1\ntasks:\n  - {id: "a b", title: A}\n', 'it contains a space'],
  ['the id HEAD', 'version: 1\ntasks:\n  - {id: HEAD, title: A}\n', "'HEAD' is reserved by git"],
  [
    'an id ending in .lock',
    'version: 1\ntasks:\n  - {id: a.lock, title: A}\n',
    "ends with '.lock'"
  ],
  [
    'a working-directory with ..',
    'version: 1\ntasks:\n  - {id: a, title: A, working-directory: ../../etc}\n',
    "leaves the repository through '..'"
  ],
  [
    'an absolute working-directory',
    'version: 1\ntasks:\n  - {id: a, title: A, working-directory: /etc}\n',
    'is an absolute path'
  ],
  [
    'a copy entry outside',
    'version: 1\ntasks:\n  - {id: a, title: A, copy: [../secret.env]}\n',
    "leaves the repository through '..'"
  ],
  [
    'an absolute copy entry',
    'version: 1\ntasks:\n  - {id: a, title: A, copy: [/etc/passwd]}\n',
    'is an absolute path'
  ]
]

describe('bad input catalogue: plan', () => {
  it.each(manifestCases)('rejects %s with one clear error', async (_name, text, message) => {
    const workspace = makeTempDir()
    writeFiles(workspace, { '.github/parallel-setup.yml': text })
    expectOneClearError(await runAction('plan', { workspace }), message)
  })

  it('plans 10 MB bodies without putting them in the matrix', async () => {
    const workspace = makeTempDir()
    const body = 'b'.repeat(10 * 1024 * 1024)
    writeFiles(workspace, {
      '.github/parallel-setup.yml': JSON.stringify({
        version: 1,
        tasks: [{ id: 'a', title: 'A', body }]
      })
    })
    const run = await runAction('plan', { workspace })
    expect(run.exitCode).toBe(0)
    expect(run.outputs.matrix).toBe('{"include":[{"task":"a","title":"A","index":0}]}')
  })

  it('records the catalogue size', () => {
    recordFigures('bad-input', {
      manifestCases: manifestCases.length,
      setupCases: setupCases.length + 2
    })
  })
})

const setupCases: Array<[string, Record<string, string>, string]> = [
  [
    'worktree-root with ..',
    { 'worktree-root': '../outside' },
    "Invalid input 'worktree-root': '../outside' leaves the repository through '..'"
  ],
  [
    'an absolute worktree-root',
    { 'worktree-root': '/tmp/elsewhere' },
    "Invalid input 'worktree-root': '/tmp/elsewhere' is an absolute path"
  ],
  ['a bad boolean', { push: 'maybe' }, "Invalid input 'push': 'maybe'. Expected true or false."],
  ['an empty task', { task: ' , ' }, "Invalid input 'task': it is empty"]
]

describe('bad input catalogue: setup', () => {
  let project: ScratchProject
  const hostile = [
    '$(touch /tmp/parallel-setup-pwned) `touch /tmp/parallel-setup-pwned`',
    '${{ github.token }} ${{ secrets.GITHUB_TOKEN }}',
    'line one\nline two\r\n\ttabbed',
    '"; rm -rf / #'
  ]

  beforeAll(async () => {
    const tasks = hostile.map((text, i) => ({
      id: `h${i}`,
      title: text.replace(/\s+/g, ' '),
      body: `${text}\n\n${text}`,
      install: 'none',
      copy: ['link.env']
    }))
    project = await createScratchProject({
      '.github/parallel-setup.yml': JSON.stringify({ version: 1, tasks })
    })
  })

  afterAll(async () => {
    project.emulator.assertContract()
    await project.stop()
  })

  it.each(setupCases)('rejects %s with one clear error', async (_name, inputs, message) => {
    const run = await project.run('setup', project.checkout(), { task: 'h0', ...inputs })
    expectOneClearError(run, message)
  })

  it('keeps hostile titles and bodies as data', async () => {
    fs.rmSync('/tmp/parallel-setup-pwned', { force: true })
    const run = await project.run('setup', project.checkout(), {
      task: hostile.map((_, i) => `h${i}`).join(',')
    })
    expect(run.exitCode).toBe(0)
    expect(fs.existsSync('/tmp/parallel-setup-pwned')).toBe(false)
    const issues = [...project.emulator.state.issues.values()].sort((a, b) => a.number - b.number)
    expect(issues.map((issue) => issue.title)).toEqual(
      hostile.map((text) => text.replace(/\s+/g, ' '))
    )
    for (const [index, issue] of issues.entries()) {
      expect(issue.body!.startsWith(`${hostile[index]}\n\n${hostile[index]}`)).toBe(true)
    }
  })

  it('rejects a copy entry that links outside the checkout', async () => {
    const workspace = project.checkout()
    const outside = path.join(makeTempDir(), 'secret.env')
    fs.writeFileSync(outside, 'TOKEN=do-not-copy\n')
    fs.symlinkSync(outside, path.join(workspace, 'link.env'))
    const run = await project.run('setup', workspace, { task: 'h0', 'create-issue': 'false' })
    expectOneClearError(run, "The copy entry 'link.env' resolves to")
    expect(fs.existsSync(path.join(workspace, '.worktrees', 'h0', 'link.env'))).toBe(false)
  })
})
