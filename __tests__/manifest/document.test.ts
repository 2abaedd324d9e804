import { parse } from 'yaml'
import { ManifestError } from '../../src/manifest/errors.js'
import { readSource, SourceDocument } from '../../src/manifest/document.js'

// SourceDocument reads valid text with js-yaml and falls back to the yaml library. Both must
// give the same data, or a manifest would plan differently depending on which one ran.
const SAME_DATA: Array<[string, string]> = [
  ['plain mappings and lists', 'version: 1\ntasks:\n  - id: a\n    title: A\n    labels: [x, y]\n'],
  ['JSON', '{"version": 1, "tasks": [{"id": "a", "title": "A", "milestone": 3}]}'],
  ['quoted scalars', "a: 'it''s'\nb: \"tab\\tnew\\nline \\u00e9\"\nc: '#not a comment'\n"],
  ['block scalars', 'a: |\n  one\n  two\nb: >-\n  folded\n  text\nc: |+\n  kept\n\n'],
  [
    'YAML 1.2 core types',
    'a: 0o17\nb: 0x1F\nc: .inf\nd: ~\ne: yes\nf: on\ng: 2024-01-01\nh: 1_000\ni: -.5e3\n'
  ],
  ['comments and a document marker', '# top\n---\na: 1 # one\nb: [1, 2] # list\n'],
  ['a byte order mark', '\ufeffversion: 1\ntasks: []\n'],
  ['numeric and boolean keys', '1: one\ntrue: yes\n'],
  ['nested flow collections', 'a: {b: [1, {c: d}], e: []}\n'],
  ['unicode text', 'title: "Réparer l\'écran 画面"\nbody: 🚀 launch\n']
]

describe('SourceDocument', () => {
  it.each(SAME_DATA)('reads %s like the yaml library', (_name, text) => {
    expect(SourceDocument.parse(text, 'm.yml').data).toEqual(parse(text))
  })

  it('finds positions after either parser', () => {
    const text = 'version: 1\ntasks:\n  - id: a\n    title: A\n'
    const fast = SourceDocument.parse(text, 'm.yml')
    expect(fast.positionOf('/tasks/0/title')).toEqual({ line: 4, column: 12 })
    expect(fast.positionOf('/tasks/0/title', true)).toEqual({ line: 4, column: 5 })
    expect(fast.positionOf('/tasks/0/missing')).toEqual({ line: 3, column: 5 })

    const withAlias = SourceDocument.parse(
      `x: &t A\n${text.replace('title: A', 'title: *t')}`,
      'm.yml',
      10
    )
    expect(withAlias.data).toEqual({ x: 'A', version: 1, tasks: [{ id: 'a', title: 'A' }] })
    expect(withAlias.positionOf('/tasks/0/title')).toEqual({ line: 15, column: 12 })
  })

  it.each([
    ['a duplicate key', 'a: 1\na: 2\n', 2, 1, 'Map keys must be unique'],
    ['an unclosed flow list', 'a: [1, 2\nb: 3\n', 2, 1, ''],
    ['two documents', 'a: 1\n---\nb: 2\n', 2, 1, 'multiple documents'],
    ['a tab indent', 'a:\n\tb: 1\n', 2, 1, '']
  ])('reports %s with its line', (_name, text, line, column, words) => {
    let caught: unknown
    try {
      SourceDocument.parse(text, 'm.yml')
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(ManifestError)
    const error = caught as ManifestError
    expect(error.message).toMatch(/^m\.yml:\d+:\d+: invalid YAML or JSON: /)
    expect(error.position).toEqual({ line, column })
    expect(error.message).toContain(words)
  })

  it('re-reads rejected data exactly', () => {
    // The two parsers name a null key differently: js-yaml 'null', the yaml library ''.
    const seen: unknown[] = []
    const error = new ManifestError('rejected', 'm.yml')
    expect(() =>
      readSource('null: x\n', 'm.yml', 0, (source) => {
        seen.push([source.exact, source.data])
        throw error
      })
    ).toThrow(error)
    expect(seen).toEqual([
      [false, { null: 'x' }],
      [true, { '': 'x' }]
    ])
    expect(readSource('a: 1\n', 'm.yml', 0, (source) => source.exact)).toBe(false)
  })

  it('reads an empty file as empty data', () => {
    expect(SourceDocument.parse('', 'm.yml').data).toBeNull()
    expect(SourceDocument.parse('# only a comment\n', 'm.yml').data).toBeNull()
  })
})
