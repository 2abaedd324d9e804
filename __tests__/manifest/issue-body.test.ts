import {
  deriveTaskId,
  findTaskListItems,
  linkTaskListItems,
  parseIssueBody,
  readManifestDefaults
} from '../../src/manifest/issue-body.js'
import { ManifestError } from '../../src/manifest/index.js'
import { makeTempDir, writeFiles } from '../../test/support/temp.js'

const FILE = 'issue #12'

/** Returns the open items' titles and bodies, the parts that become tasks. */
function openItems(body: string): Array<[string, string]> {
  return findTaskListItems(body)
    .filter((item) => !item.checked && item.reference === undefined)
    .map((item) => [item.title, item.body])
}

function manifestError(run: () => unknown): ManifestError {
  try {
    run()
  } catch (error) {
    if (error instanceof ManifestError) return error
    throw error
  }
  throw new Error('expected a ManifestError')
}

describe('deriveTaskId', () => {
  it.each([
    ['Add the sessions table', 1, 'add-the-sessions-table-e1a4ee9'],
    ['Add the sessions table', 2, 'add-the-sessions-table-e1a4ee9-2'],
    ['Café au lait', 1, 'cafe-au-lait-7c41303'],
    ['🚀🎉', 1, 'task-9bff6ba'],
    [
      'Make the session API return a clear error when the token expired',
      1,
      'make-the-session-api-return-a-clear-7a8fe88'
    ]
  ])('%s (occurrence %d)', (title, occurrence, id) => {
    expect(deriveTaskId(title, occurrence)).toBe(id)
  })

  it.each([
    ['add the SESSIONS table'],
    ['  Add   the sessions\ttable  '],
    ['Ａｄｄ the sessions table']
  ])('ignores case, width and spacing: %j', (title) => {
    expect(deriveTaskId(title).endsWith('-e1a4ee9')).toBe(true)
  })
})

describe('findTaskListItems', () => {
  it.each<[string, string, Array<[string, string]>]>([
    ['one item', '- [ ] Add the sessions table', [['Add the sessions table', '']]],
    [
      'other bullets and ordered lists',
      '* [ ] Star\n+ [ ] Plus\n1. [ ] First\n2) [ ] Second',
      [
        ['Star', ''],
        ['Plus', ''],
        ['First', ''],
        ['Second', '']
      ]
    ],
    [
      'indented lines as the body',
      '- [ ] Title\n  First line\n\n  Second paragraph\nAfter',
      [['Title', 'First line\n\nSecond paragraph']]
    ],
    [
      'sub-items as body text',
      '- [ ] Parent\n  - [ ] Child one\n    - [x] Grandchild\n  - Plain child\n- [ ] Sibling',
      [
        ['Parent', '- [ ] Child one\n  - [x] Grandchild\n- Plain child'],
        ['Sibling', '']
      ]
    ],
    [
      'items grouped under plain bullets',
      '- Backend\n  - [ ] Add the table\n  - [ ] Add the API\n- Frontend\n  - [ ] Login form',
      [
        ['Add the table', ''],
        ['Add the API', ''],
        ['Login form', '']
      ]
    ],
    [
      'a one-space indent as a sibling',
      '- [ ] First\n - [ ] Second',
      [
        ['First', ''],
        ['Second', '']
      ]
    ],
    [
      'fenced code blocks',
      '```\n- [ ] Not a task\n```\n~~~~md\n- [ ] Not either\n~~~~\n- [ ] Real',
      [['Real', '']]
    ],
    ['a longer closing fence only', '````\n```\n- [ ] Inside\n````\n- [ ] After', [['After', '']]],
    ['an unclosed fence', '- [ ] Before\n\n```\n- [ ] Inside', [['Before', '']]],
    [
      'a code block in an item body',
      '- [ ] Title\n  ```sh\n  - [ ] literal\n  ```\n- [ ] Next',
      [
        ['Title', '```sh\n- [ ] literal\n```'],
        ['Next', '']
      ]
    ],
    ['an indented code block', 'Text\n\n    - [ ] Code\n- [ ] Real', [['Real', '']]],
    [
      'HTML comments',
      '<!--\n- [ ] Template example\n-->\n<!-- - [ ] inline -->\n- [ ] Real',
      [['Real', '']]
    ],
    ['block quotes', '> - [ ] Quoted\n- [ ] Real', [['Real', '']]],
    ['an empty checkbox', '- [ ]\n- [ ]   \n- [ ] Real', [['Real', '']]],
    ['a box without a space', '- [ ]Title\n-[ ] Title', []],
    ['checked items', '- [x] Done\n- [X] Also done\n- [ ] Open', [['Open', '']]],
    [
      'items that link an issue',
      '- [ ] #123 Linked\n- [ ] octo/repo#7 Other repo\n- [ ] https://github.com/o/r/issues/9\n- [ ] #12abc Not a reference',
      [['#12abc Not a reference', '']]
    ],
    [
      'CRLF line endings',
      '- [ ] First\r\n  Body line\r\n- [ ] Second\r\n',
      [
        ['First', 'Body line'],
        ['Second', '']
      ]
    ],
    ['tab indentation', '- [ ] Title\n\tTabbed body', [['Title', 'Tabbed body']]],
    [
      'titles kept as data',
      '- [ ] **Bold** <b>html</b> ${{ secrets.TOKEN }} 🚀 `code`',
      [['**Bold** <b>html</b> ${{ secrets.TOKEN }} 🚀 `code`', '']]
    ],
    [
      'an issue form body',
      '### Tasks\n\n- [ ] One\n- [ ] Two\n\n### Manifest (optional)\n\n_No response_',
      [
        ['One', ''],
        ['Two', '']
      ]
    ]
  ])('reads %s', (_name, body, expected) => {
    expect(openItems(body)).toEqual(expected)
  })

  it('records lines, states and references', () => {
    const items = findTaskListItems('Intro\n\n- [x] Done\n- [ ] #5 Linked\n- [ ] Open')
    expect(items).toEqual([
      { line: 3, id: 'done-a4c3ed0', title: 'Done', body: '', checked: true },
      {
        line: 4,
        id: 'linked-2272bea',
        title: 'Linked',
        body: '',
        checked: false,
        reference: '#5'
      },
      { line: 5, id: 'open-2348f99', title: 'Open', body: '', checked: false }
    ])
  })

  it('keeps ids when lines are inserted and reordered', () => {
    const before = findTaskListItems('- [ ] Alpha\n- [ ] Beta\n- [ ] Gamma')
    const after = findTaskListItems(
      'New intro\n\n- [ ] Gamma\n- [ ] Inserted\n- [x] Beta\n\n- Group\n  - [ ] Alpha'
    )
    const idOf = (items: typeof before, title: string): string | undefined =>
      items.find((item) => item.title === title)?.id
    for (const title of ['Alpha', 'Beta', 'Gamma']) {
      expect([title, idOf(after, title)]).toEqual([title, idOf(before, title)])
    }
    expect(idOf(after, 'Inserted')).toBe(deriveTaskId('Inserted'))
  })

  it('numbers duplicate titles in body order', () => {
    const items = findTaskListItems('- [ ] Fix it\n- [x] fix  IT\n- [ ] #4 Fix it\n- [ ] Fix it')
    expect(items.map((item) => item.id)).toEqual([
      'fix-it-ab0d130',
      'fix-it-ab0d130-2',
      'fix-it-ab0d130-3',
      'fix-it-ab0d130-4'
    ])
  })

  it('keeps a duplicate id after the first copy is linked', () => {
    const first = findTaskListItems('- [ ] Fix it\n- [ ] Fix it')
    const linked = findTaskListItems('- [ ] #8 Fix it\n- [ ] Fix it')
    expect(linked[1]!.id).toBe(first[1]!.id)
  })
})

describe('parseIssueBody with a task list', () => {
  it('turns open items into tasks with defaults', () => {
    const manifest = parseIssueBody('- [ ] Add the sessions table\n  Use UUIDs.\n- [x] Done', {
      file: FILE,
      defaults: { labels: ['agent'], install: 'none' }
    })
    expect(manifest.path).toBe(FILE)
    expect(manifest.format).toBe('issue-body')
    expect(manifest.taskFormat).toBe('task-list')
    expect(manifest.items).toHaveLength(2)
    expect(manifest.tasks).toEqual([
      {
        id: 'add-the-sessions-table-e1a4ee9',
        title: 'Add the sessions table',
        body: 'Use UUIDs.',
        labels: ['agent'],
        assignees: [],
        branch: 'task/{id}',
        install: 'none',
        workingDirectory: '.',
        copy: [],
        dependsOn: []
      }
    ])
  })

  it('keeps a 300-character title whole', () => {
    const title = `${'a'.repeat(150)} ${'b'.repeat(149)}`
    const manifest = parseIssueBody(`- [ ] ${title}`, { file: FILE })
    expect(manifest.tasks[0]!.title).toBe(title)
    expect(manifest.tasks[0]!.title).toHaveLength(300)
  })

  it('reports a too long title at its line', () => {
    const error = manifestError(() =>
      parseIssueBody(`Intro\n\n- [ ] Short\n- [ ] ${'x'.repeat(1025)}`, { file: FILE })
    )
    expect(error.position).toEqual({ line: 4, column: 7 })
    expect(error.message).toBe(
      `issue #12:4:7: 'title' of task 2 ('${deriveTaskId('x'.repeat(1025))}') is longer than 1024 characters. Shorten it`
    )
  })

  it('reports colliding branches at the second item', () => {
    const error = manifestError(() =>
      parseIssueBody('- [ ] Fix it\n- [ ] Fix it!', {
        file: FILE,
        defaults: { branch: 'fix/{slug}' }
      })
    )
    expect(error.position).toEqual({ line: 2, column: 7 })
    expect(error.problem).toBe(
      "tasks 'fix-it-ab0d130' and 'fix-it-2ebf25e' would both use the branch 'fix/fix-it'"
    )
  })

  it('returns no tasks for a body without items', () => {
    const manifest = parseIssueBody('Just a description.\n\n- a plain bullet', { file: FILE })
    expect(manifest.tasks).toEqual([])
    expect(manifest.items).toEqual([])
  })

  it('reads a null body as empty', () => {
    expect(parseIssueBody(null, { file: FILE }).tasks).toEqual([])
  })
})

describe('parseIssueBody with a manifest block', () => {
  const block = [
    'Set these up:',
    '',
    '- [ ] Ignored, because the block wins',
    '',
    '```yaml',
    'version: 1',
    'defaults:',
    '  labels: [from-block]',
    'tasks:',
    '  - id: db',
    '    title: Add the table',
    '  - id: api',
    '    title: Add the API',
    '    depends-on: [db]',
    '```'
  ].join('\n')

  it('reads the block instead of the task list', () => {
    const manifest = parseIssueBody(block, {
      file: FILE,
      defaults: { labels: ['from-file'], install: 'none' }
    })
    expect(manifest.taskFormat).toBe('manifest-block')
    expect(manifest.items).toEqual([])
    expect(
      manifest.tasks.map((task) => [task.id, task.labels, task.install, task.dependsOn])
    ).toEqual([
      ['db', ['from-block'], 'none', []],
      ['api', ['from-block'], 'none', ['db']]
    ])
  })

  it('reads a json block', () => {
    const manifest = parseIssueBody(
      '```json\n{"version": 1, "tasks": [{"id": "a", "title": "A"}]}\n```',
      { file: FILE }
    )
    expect(manifest.tasks.map((task) => task.id)).toEqual(['a'])
  })

  it('reads a block with CRLF line endings', () => {
    const manifest = parseIssueBody(block.replace(/\n/g, '\r\n'), { file: FILE })
    expect(manifest.tasks.map((task) => task.id)).toEqual(['db', 'api'])
  })

  it('ignores yaml blocks that are not manifests', () => {
    const manifest = parseIssueBody('```yaml\nname: ci\non: push\n```\n- [ ] Task', {
      file: FILE
    })
    expect(manifest.taskFormat).toBe('task-list')
    expect(manifest.tasks.map((task) => task.title)).toEqual(['Task'])
  })

  it('names the body line and the block line of a YAML error', () => {
    const broken = block.replace('    title: Add the API', '    title: [Add the API')
    const error = manifestError(() => parseIssueBody(broken, { file: FILE }))
    expect(error.position).toEqual({ line: 14, column: 5 })
    expect(error.message).toBe(
      'issue #12:14:5: invalid YAML or JSON: Flow sequence in block collection must be sufficiently indented and end with a ] (line 9 of the yaml block). Fix the syntax at that line; a YAML linter or your editor can show the exact spot'
    )
  })

  it('names the line of a schema error', () => {
    const misspelt = block.replace('    title: Add the table', '    titel: Add the table')
    const error = manifestError(() => parseIssueBody(misspelt, { file: FILE }))
    expect(error.position).toEqual({ line: 11, column: 5 })
    expect(error.problem).toBe("unknown key 'titel' in task 1 ('db') (line 6 of the yaml block)")
  })

  it.each([
    [
      'a task',
      block.replace('    title: Add the API', '    title: Add the API\n    install: make setup'),
      14,
      14
    ],
    ['defaults', block.replace('  labels: [from-block]', '  install: make setup'), 8, 12]
  ])('rejects an install command in %s', (_where, body, line, column) => {
    const error = manifestError(() => parseIssueBody(body, { file: FILE }))
    expect(error.position).toEqual({ line, column })
    expect(error.problem).toBe(
      `the install command 'make setup' is not allowed in an issue body, because anyone who can edit the issue could change it (line ${line - 5} of the yaml block)`
    )
  })

  it('allows an install command from the file', () => {
    const manifest = parseIssueBody(block.replace('defaults:\n  labels: [from-block]\n', ''), {
      file: FILE,
      defaults: { install: 'make setup' }
    })
    expect(manifest.tasks.map((task) => task.install)).toEqual(['make setup', 'make setup'])
  })

  it('rejects two manifest blocks', () => {
    const error = manifestError(() =>
      parseIssueBody(`${block}\n\n\`\`\`yml\nversion: 1\ntasks: []\n\`\`\``, { file: FILE })
    )
    expect(error.position).toEqual({ line: 17, column: 1 })
    expect(error.problem).toBe('the issue body has 2 manifest blocks, on lines 5, 17')
  })
})

describe('linkTaskListItems', () => {
  const body = [
    'Please set these up.',
    '',
    '- [ ] Alpha',
    '  Details of alpha.',
    '  - [ ] Sub-item stays',
    '- [x] Beta',
    '- [ ] #3 Gamma',
    '```',
    '- [ ] Alpha',
    '```',
    '- [ ] Delta',
    ''
  ].join('\r\n')
  const links = new Map([
    [deriveTaskId('Alpha'), 21],
    [deriveTaskId('Beta'), 22],
    [deriveTaskId('Gamma'), 23],
    [deriveTaskId('Delta'), 24]
  ])

  it('adds the reference to open unlinked items only', () => {
    expect(linkTaskListItems(body, links)).toBe(
      [
        'Please set these up.',
        '',
        '- [ ] #21 Alpha',
        '  Details of alpha.',
        '  - [ ] Sub-item stays',
        '- [x] Beta',
        '- [ ] #3 Gamma',
        '```',
        '- [ ] Alpha',
        '```',
        '- [ ] #24 Delta',
        ''
      ].join('\r\n')
    )
  })

  it('changes nothing a second time', () => {
    const once = linkTaskListItems(body, links)
    expect(linkTaskListItems(once, links)).toBe(once)
  })

  it('keeps mixed line endings and odd spacing', () => {
    expect(linkTaskListItems('x\r\n*   [ ]  Alpha\nend\r', links)).toBe(
      'x\r\n*   [ ]  #21 Alpha\nend\r'
    )
  })

  it('links a moved item under its new position', () => {
    expect(linkTaskListItems('- [ ] New\n- Group\n  - [ ] Delta', links)).toBe(
      '- [ ] New\n- Group\n  - [ ] #24 Delta'
    )
  })
})

describe('readManifestDefaults', () => {
  it('returns {} without a file', () => {
    expect(readManifestDefaults('.github/parallel-setup.yml', makeTempDir())).toEqual({})
  })

  it('returns the defaults of a valid file', () => {
    const root = makeTempDir()
    writeFiles(root, {
      '.github/parallel-setup.yml':
        'version: 1\ndefaults:\n  labels: [agent]\n  install: none\ntasks: []\n'
    })
    expect(readManifestDefaults('.github/parallel-setup.yml', root)).toEqual({
      labels: ['agent'],
      install: 'none'
    })
  })

  it('rejects an invalid file', () => {
    const root = makeTempDir()
    writeFiles(root, { 'm.yml': 'version: 1\ndefaults:\n  lables: [agent]\ntasks: []\n' })
    const error = manifestError(() => readManifestDefaults('m.yml', root))
    expect(error.file).toBe('m.yml')
    expect(error.position).toEqual({ line: 3, column: 3 })
  })
})
