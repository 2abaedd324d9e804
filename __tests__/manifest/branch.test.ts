import { execFileSync } from 'node:child_process'
import { expandBranch, findBranchTemplateProblem, slugify } from '../../src/manifest/branch.js'

describe('slugify', () => {
  it.each([
    ['Add login form', 'add-login-form'],
    ['Fix "quoted" and \'single\' titles', 'fix-quoted-and-single-titles'],
    ['Use {{ template }} braces', 'use-template-braces'],
    ['src/api/client: retry', 'src-api-client-retry'],
    ['#12 Leading hash', '12-leading-hash'],
    ['Café déjà vu', 'cafe-deja-vu'],
    ['🚀🔥', ''],
    ['Ship 🚀 it', 'ship-it'],
    ['x'.repeat(300), 'x'.repeat(48)],
    ['word '.repeat(20), 'word-word-word-word-word-word-word-word-word'],
    ['Ab '.repeat(30), 'ab-'.repeat(15) + 'ab']
  ])('%j becomes %j', (title, slug) => {
    expect(slugify(title)).toBe(slug)
  })
})

describe('expandBranch', () => {
  it('fills every placeholder', () => {
    expect(expandBranch('agents/{id}-{slug}/{issue}', { id: 'a', title: 'Task A', issue: 7 })).toBe(
      'agents/a-task-a/7'
    )
  })

  it('uses the id when the title has no letters', () => {
    expect(expandBranch('task/{slug}', { id: 'rocket', title: '🚀' })).toBe('task/rocket')
  })

  it('rejects {issue} before the issue exists', () => {
    expect(() => expandBranch('task/{issue}', { id: 'a', title: 'A' })).toThrow(
      "the branch template 'task/{issue}' uses {issue}, but no issue number is known"
    )
  })

  it.each([
    'Fix "quoted" titles',
    "it's {weird}",
    '#1 / slashes / here',
    '🚀 launch ✨',
    'x'.repeat(300),
    '..lock.',
    '$(rm -rf /) `id`'
  ])('makes a name git accepts from %j', (title) => {
    const name = expandBranch('task/{id}-{slug}', { id: 'a', title })
    expect(() =>
      execFileSync('git', ['check-ref-format', '--branch', name], { stdio: 'ignore' })
    ).not.toThrow()
  })
})

describe('findBranchTemplateProblem', () => {
  it('accepts the default template', () => {
    expect(findBranchTemplateProblem('task/{id}', { id: 'a', title: 'A' })).toBeUndefined()
  })

  it('rejects an unknown placeholder', () => {
    expect(findBranchTemplateProblem('task/{name}', { id: 'a', title: 'A' })).toBe(
      'it uses the unknown placeholder {name}; the known ones are {id}, {slug} and {issue}'
    )
  })

  it('rejects a template git cannot use', () => {
    expect(findBranchTemplateProblem('task..{id}', { id: 'a', title: 'A' })).toBe(
      "it expands to 'task..a', which is not a valid branch name: it contains '..'"
    )
  })
})
