/**
 * Git's rules for ref names, as `git check-ref-format --branch` applies them
 * (git 2.39, Documentation/git-check-ref-format.txt). Returns the first rule the name
 * breaks, or undefined when git accepts it.
 */
export function findBranchNameProblem(name: string): string | undefined {
  if (name === '') return 'it is empty'
  if (name === 'HEAD') return "'HEAD' is reserved by git"
  if (name === '@') return "'@' alone is reserved by git"
  if (name.startsWith('-')) return "it starts with '-', which git would read as an option"
  if (name.startsWith('/') || name.endsWith('/')) return "it starts or ends with '/'"
  if (name.includes('//')) return "it contains '//'"
  if (name.endsWith('.')) return "it ends with '.'"
  if (name.includes('..')) return "it contains '..'"
  if (name.includes('@{')) return "it contains '@{'"
  // eslint-disable-next-line no-control-regex
  const forbidden = /[\x00-\x20\x7f~^:?*[\\]/.exec(name)
  if (forbidden) return `it contains ${describeCharacter(forbidden[0])}, which git does not allow`
  for (const component of name.split('/')) {
    if (component.startsWith('.')) return `the part '${component}' starts with '.'`
    if (component.endsWith('.lock')) return `the part '${component}' ends with '.lock'`
  }
  return undefined
}

/**
 * Checks that a task id can be one ref component and a folder name: git's rules, plus no
 * '/', because the id also names the task's worktree folder.
 */
export function findTaskIdProblem(id: string): string | undefined {
  if (id.includes('/')) return "it contains '/', which would split it into several folders"
  if (id === 'HEAD') return "'HEAD' is reserved by git"
  if (!/^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(id)) {
    const bad = /^[.-]/.test(id) ? id[0]! : [...id].find((c) => !/[A-Za-z0-9._-]/.test(c))
    if (bad === undefined) return 'it is empty'
    return /^[.-]/.test(id) && bad === id[0]
      ? `it starts with ${describeCharacter(bad)}`
      : `it contains ${describeCharacter(bad)}`
  }
  return findBranchNameProblem(id)
}

function describeCharacter(character: string): string {
  if (character === ' ') return 'a space'
  const code = character.codePointAt(0)!
  if (code < 0x20 || code === 0x7f)
    return `the control character U+${code.toString(16).padStart(4, '0').toUpperCase()}`
  return `'${character}'`
}
