import { execFileSync } from 'node:child_process'
import { findBranchNameProblem, findTaskIdProblem } from '../../src/manifest/refname.js'

function gitAccepts(name: string): boolean {
  try {
    execFileSync('git', ['check-ref-format', '--branch', name], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

const samples = [
  'task/a',
  'task/login-form',
  'feature/x.y',
  'a..b',
  'a/.hidden',
  'a.lock',
  'a/b.lock/c',
  'ends.',
  'ends/',
  '/starts',
  'a//b',
  'has space',
  'tilde~1',
  'caret^',
  'colon:x',
  'question?',
  'star*',
  'bracket[',
  'back\\slash',
  'at@{x}',
  'at@sign',
  '-dash',
  'HEAD',
  'x\u0001y',
  'x\u007fy',
  'émoji-🚀',
  'tab\tname',
  'a.b',
  '.a'
]

describe('findBranchNameProblem', () => {
  it.each(samples)('agrees with git check-ref-format on %j', (name) => {
    expect(findBranchNameProblem(name) === undefined).toBe(gitAccepts(name))
  })

  it('names the broken rule', () => {
    expect(findBranchNameProblem('a..b')).toBe("it contains '..'")
    expect(findBranchNameProblem('x.lock')).toBe("the part 'x.lock' ends with '.lock'")
    expect(findBranchNameProblem('has space')).toBe('it contains a space, which git does not allow')
    expect(findBranchNameProblem('@')).toBe("'@' alone is reserved by git")
  })
})

describe('findTaskIdProblem', () => {
  it.each([
    ['login-form', undefined],
    ['v1.2_fix', undefined],
    ['_private', undefined],
    ['a/b', "it contains '/', which would split it into several folders"],
    ['a..b', "it contains '..'"],
    ['a~1', "it contains '~'"],
    ['a^', "it contains '^'"],
    ['a:b', "it contains ':'"],
    ['a@{1}', "it contains '@'"],
    ['has space', 'it contains a space'],
    ['HEAD', "'HEAD' is reserved by git"],
    ['task.lock', "the part 'task.lock' ends with '.lock'"],
    ['.hidden', "it starts with '.'"],
    ['-x', "it starts with '-'"],
    ['trailing.', "it ends with '.'"],
    ['émoji', "it contains 'é'"]
  ])('%j gives %j', (id, expected) => {
    expect(findTaskIdProblem(id)).toBe(expected)
  })
})
