import path from 'node:path'
import { loadManifest, ManifestError, parseManifest } from '../../src/manifest/index.js'
import { makeTempDir, writeFiles } from '../../test/support/temp.js'

const FILE = '.github/parallel-setup.yml'

function errorOf(text: string): ManifestError {
  try {
    parseManifest(text, FILE)
  } catch (error) {
    if (error instanceof ManifestError) return error
    throw error
  }
  throw new Error('expected the manifest to be rejected')
}

describe('parseManifest', () => {
  it('applies defaults to every task', () => {
    const manifest = parseManifest(
      [
        'version: 1',
        'defaults:',
        '  labels: [agent]',
        '  base: develop',
        '  install: none',
        'tasks:',
        '  - id: a',
        '    title: Task A',
        '  - id: b',
        '    title: Task B',
        '    labels: [docs]',
        '    working-directory: packages/app/',
        '    depends-on: [a]'
      ].join('\n'),
      FILE
    )
    expect(manifest.format).toBe('native')
    expect(manifest.tasks).toEqual([
      {
        id: 'a',
        title: 'Task A',
        body: '',
        labels: ['agent'],
        assignees: [],
        branch: 'task/{id}',
        base: 'develop',
        install: 'none',
        workingDirectory: '.',
        copy: [],
        dependsOn: []
      },
      {
        id: 'b',
        title: 'Task B',
        body: '',
        labels: ['docs'],
        assignees: [],
        branch: 'task/{id}',
        base: 'develop',
        install: 'none',
        workingDirectory: 'packages/app',
        copy: [],
        dependsOn: ['a']
      }
    ])
  })

  it('reads JSON', () => {
    const manifest = parseManifest(
      '{\n\t"version": 1,\n\t"tasks": [{"id": "a", "title": "A", "milestone": 3}]\n}',
      'tasks.json'
    )
    expect(manifest.tasks[0]!.milestone).toBe(3)
  })

  it('keeps awkward titles exactly', () => {
    const titles = [
      'Fix "double" and \'single\' quotes',
      '{{ template }} braces',
      '#42 leading hash',
      'a/b/c slashes',
      'emoji 🚀 ✨',
      '$(whoami) `id` ${{ github.token }}',
      'x'.repeat(300)
    ]
    const yaml = [
      'version: 1',
      'tasks:',
      ...titles.map((title, i) => `  - id: t${i}\n    title: ${JSON.stringify(title)}`)
    ]
    const manifest = parseManifest(yaml.join('\n'), FILE)
    expect(manifest.tasks.map((task) => task.title)).toEqual(titles)
  })

  it.each([
    [
      'invalid YAML',
      'version: 1\ntasks:\n  - id: a\n    title: [unclosed\n',
      5,
      1,
      'invalid YAML or JSON'
    ],
    ['invalid JSON', '{"version": 1, "tasks": [}', 1, 26, 'invalid YAML or JSON'],
    ['truncated file', 'version: 1\ntasks:\n  - id: "a\n', 4, 1, 'invalid YAML or JSON'],
    [
      'a list at the top',
      '- id: a\n',
      1,
      1,
      "the manifest must be a mapping with 'version' and 'tasks', but it is a list"
    ],
    [
      'an empty file',
      '',
      1,
      1,
      "the manifest must be a mapping with 'version' and 'tasks', but it is empty"
    ],
    [
      'a duplicate key',
      'version: 1\nversion: 1\ntasks: []\n',
      2,
      1,
      'invalid YAML or JSON: Map keys must be unique'
    ],
    ['an unsupported version', 'version: 2\ntasks: []\n', 1, 10, 'unsupported manifest version 2'],
    ['a missing version', 'tasks: []\n', 1, 1, "the manifest has no 'version'"],
    [
      'an unknown key',
      'version: 1\ntasks:\n  - id: a\n    title: A\n    lables: [x]\n',
      5,
      5,
      "unknown key 'lables' in task 1 ('a')"
    ],
    [
      'an unknown top-level key',
      'version: 1\ntask: []\n',
      2,
      1,
      "unknown key 'task' in the manifest"
    ],
    [
      'an unknown defaults key',
      'version: 1\ndefaults:\n  title: x\ntasks: []\n',
      3,
      3,
      "unknown key 'title' in 'defaults'"
    ],
    ['a missing id', 'version: 1\ntasks:\n  - title: A\n', 3, 5, "task 1 has no 'id'"],
    ['a missing title', 'version: 1\ntasks:\n  - id: a\n', 3, 5, "task 1 ('a') has no 'title'"],
    [
      'a title read as a mapping',
      'version: 1\ntasks:\n  - id: a\n    title: {x}\n',
      4,
      12,
      "'title' of task 1 ('a') must be a string"
    ],
    [
      'a title of only spaces',
      'version: 1\ntasks:\n  - id: a\n    title: "   "\n',
      4,
      12,
      "'title' of task 1 ('a') has only spaces"
    ],
    [
      'a title of a tab and a newline',
      'version: 1\ntasks:\n  - id: a\n    title: "\\t\\n"\n',
      4,
      12,
      "'title' of task 1 ('a') has only spaces"
    ],
    [
      'a title YAML reads as a number',
      'version: 1\ntasks:\n  - id: a\n    title: 2024\n',
      4,
      12,
      "'title' of task 1 ('a') must be a string, but it is a number"
    ],
    [
      'a title YAML reads as a mapping',
      'version: 1\ntasks:\n  - id: a\n    title: {a: 1}\n',
      4,
      12,
      "'title' of task 1 ('a') must be a string, but it is a mapping"
    ],
    [
      'labels as a string',
      'version: 1\ntasks:\n  - id: a\n    title: A\n    labels: bug\n',
      5,
      13,
      "'labels' of task 1 ('a') must be a list"
    ],
    [
      'a duplicate id',
      'version: 1\ntasks:\n  - id: a\n    title: A\n  - id: a\n    title: B\n',
      5,
      9,
      "duplicate task id 'a': task 1 already uses it"
    ],
    [
      'an id with a slash',
      'version: 1\ntasks:\n  - id: a/b\n    title: A\n',
      3,
      9,
      "the task id 'a/b' in 'id' of task 1 ('a/b') cannot name a git branch: it contains '/'"
    ],
    [
      'an id with ..',
      'version: 1\ntasks:\n  - id: a..b\n    title: A\n',
      3,
      9,
      "the task id 'a..b' cannot name a git branch: it contains '..'"
    ],
    [
      'the id HEAD',
      'version: 1\ntasks:\n  - id: HEAD\n    title: A\n',
      3,
      9,
      "the task id 'HEAD' cannot name a git branch: 'HEAD' is reserved by git"
    ],
    [
      'an id ending in .lock',
      'version: 1\ntasks:\n  - id: x.lock\n    title: A\n',
      3,
      9,
      "the part 'x.lock' ends with '.lock'"
    ],
    [
      'an invalid branch template',
      'version: 1\ntasks:\n  - id: a\n    title: A\n    branch: "task:{id}"\n',
      5,
      13,
      "the branch template 'task:{id}' of task 'a' is invalid"
    ],
    [
      'an unknown placeholder',
      'version: 1\ndefaults:\n  branch: "x/{name}"\ntasks:\n  - id: a\n    title: A\n',
      5,
      5,
      'unknown placeholder {name}'
    ],
    [
      'two tasks on one branch',
      'version: 1\ndefaults:\n  branch: "task/{slug}"\ntasks:\n  - id: a\n    title: Same\n  - id: b\n    title: Same\n',
      7,
      5,
      "tasks 'a' and 'b' would both use the branch 'task/same'"
    ],
    [
      'an unknown dependency',
      'version: 1\ntasks:\n  - id: api\n    title: A\n  - id: b\n    title: B\n    depends-on: [apj]\n',
      7,
      18,
      "task 'b' depends on 'apj', which is not a task id in this manifest. Did you mean 'api'?"
    ],
    [
      'a self dependency',
      'version: 1\ntasks:\n  - id: a\n    title: A\n    depends-on: [a]\n',
      5,
      18,
      "task 'a' depends on itself"
    ],
    [
      'a cycle',
      'version: 1\ntasks:\n  - id: a\n    title: A\n    depends-on: [c]\n  - id: b\n    title: B\n    depends-on: [a]\n  - id: c\n    title: C\n    depends-on: [b]\n',
      5,
      17,
      'a cycle: a -> c -> b -> a'
    ],
    [
      'a working directory outside',
      'version: 1\ntasks:\n  - id: a\n    title: A\n    working-directory: ../up\n',
      5,
      24,
      "the working-directory '../up' of task 'a' leaves the repository through '..'"
    ],
    [
      'an absolute working directory',
      'version: 1\ntasks:\n  - id: a\n    title: A\n    working-directory: /etc\n',
      5,
      24,
      "the working-directory '/etc' of task 'a' is an absolute path"
    ],
    [
      'a copy entry outside',
      'version: 1\ntasks:\n  - id: a\n    title: A\n    copy: [.env, ../../secret]\n',
      5,
      18,
      "the copy entry '../../secret' of task 'a' leaves the repository"
    ],
    [
      'an empty title',
      'version: 1\ntasks:\n  - id: a\n    title: ""\n',
      4,
      12,
      "'title' of task 1 ('a') is empty"
    ]
  ])('rejects %s', (_name, text, line, column, message) => {
    const error = errorOf(text)
    expect(error.message).toContain(message)
    expect(error.position).toEqual({ line, column })
    expect(error.file).toBe(FILE)
    expect(error.message.startsWith(`${FILE}:${line}:${column}: `)).toBe(true)
  })

  it('suggests the nearest key', () => {
    expect(errorOf('version: 1\ntasks:\n  - id: a\n    titel: A\n').message).toBe(
      `${FILE}:4:5: unknown key 'titel' in task 1 ('a'). Did you mean 'title'? The keys allowed there are: id, title, body, labels, assignees, milestone, branch, base, install, working-directory, copy, depends-on`
    )
  })

  it.each([
    ['2024', 'Put it in quotes, such as "2024", so that YAML reads it as text'],
    ['true', 'Put it in quotes, such as "true", so that YAML reads it as text'],
    ['1.5', 'Put it in quotes, such as "1.5", so that YAML reads it as text'],
    ['1.10', 'Put it in quotes, such as "1.10", so that YAML reads it as text'],
    ['0x1F', 'Put it in quotes, such as "0x1F", so that YAML reads it as text'],
    ['1e3', 'Put it in quotes, such as "1e3", so that YAML reads it as text'],
    ['007', 'Put it in quotes, such as "007", so that YAML reads it as text'],
    ['', 'Give it a value; it is required'],
    ['~', 'Give it a value; it is required'],
    ['[a, b]', 'Write it as a string']
  ])('tells how to write the title %j as text', (value, fix) => {
    const error = errorOf(`version: 1\ntasks:\n  - id: a\n    title: ${value}\n`)
    expect(error.fix).toBe(fix)
  })

  it('lets an optional empty value be removed', () => {
    const error = errorOf('version: 1\ntasks:\n  - id: a\n    title: A\n    milestone: ~\n')
    expect(error.fix).toBe('Give it a value, or remove the key')
  })

  it('stops a YAML alias bomb', () => {
    const lines = ['version: 1', 'a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for (let i = 1; i < 9; i++) {
      const previous = String.fromCharCode(96 + i)
      const name = String.fromCharCode(97 + i)
      lines.push(`${name}: &${name} [${Array(10).fill(`*${previous}`).join(',')}]`)
    }
    lines.push('tasks: []')
    const error = errorOf(lines.join('\n'))
    expect(error.message).toContain('Excessive alias count')
  })

  it('accepts a 10 MB body', () => {
    const body = 'y'.repeat(10 * 1024 * 1024)
    const manifest = parseManifest(
      JSON.stringify({ version: 1, tasks: [{ id: 'a', title: 'A', body }] }),
      'big.json'
    )
    expect(manifest.tasks[0]!.body.length).toBe(body.length)
  })
})

describe('loadManifest', () => {
  it('reports a missing file with the fix', () => {
    const root = makeTempDir()
    expect(() => loadManifest('.github/parallel-setup.yml', root)).toThrow(
      ".github/parallel-setup.yml: the manifest '.github/parallel-setup.yml' does not exist. Create it, or set the 'manifest' input to its path"
    )
  })

  it('reads a Promptune plan by its content', () => {
    const root = makeTempDir()
    writeFiles(root, {
      '.parallel/plans/plan.yaml': [
        'name: Auth work',
        'tasks:',
        '  - id: task-0',
        '    name: Add session store',
        '    file: tasks/task-0.md',
        '    priority: blocker',
        '    dependencies: []',
        '  - id: task-1',
        '    name: Login form',
        '    file: tasks/task-1.md',
        '    priority: high',
        '    dependencies: [task-0]',
        '  - id: task-2',
        '    name: Old work',
        '    file: tasks/task-2.md',
        '    priority: low',
        '    dependencies: []'
      ].join('\n'),
      '.parallel/plans/tasks/task-0.md':
        '---\nid: task-0\npriority: blocker\nstatus: pending\ndependencies: []\nlabels: [backend]\n---\n\n# Add session store\n\nStore sessions in Redis.\n',
      '.parallel/plans/tasks/task-1.md':
        '---\nid: task-1\npriority: high\nstatus: pending\ndependencies: [task-0]\n---\n\n# Login form\n\nA form.\n',
      '.parallel/plans/tasks/task-2.md':
        '---\nid: task-2\nstatus: completed\n---\n\nDone already.\n'
    })
    const manifest = loadManifest('.parallel/plans/plan.yaml', root)
    expect(manifest.format).toBe('promptune')
    expect(
      manifest.tasks.map((task) => [task.id, task.title, task.dependsOn, task.labels])
    ).toEqual([
      ['task-0', 'Add session store', [], ['backend']],
      ['task-1', 'Login form', ['task-0'], []]
    ])
    expect(manifest.tasks[0]!.body).toBe('# Add session store\n\nStore sessions in Redis.')
  })

  it('rejects a Promptune task file outside the repository', () => {
    const root = makeTempDir()
    writeFiles(root, {
      'plan.yaml': 'tasks:\n  - id: a\n    name: A\n    file: ../../etc/passwd\n'
    })
    expect(() => loadManifest(path.join('plan.yaml'), root)).toThrow(
      "plan.yaml:4:11: the task file '../../etc/passwd' leaves the repository through '..'"
    )
  })
  it('rejects a Promptune task whose name has only spaces', () => {
    const root = makeTempDir()
    writeFiles(root, {
      'plan.yaml': 'tasks:\n  - id: a\n    name: "  "\n    file: a.md\n',
      'a.md': '---\nid: a\n---\n\nBody.\n'
    })
    expect(() => loadManifest('plan.yaml', root)).toThrow(
      "plan.yaml:3:11: task 'a' of the Promptune plan has no name"
    )
  })
})
