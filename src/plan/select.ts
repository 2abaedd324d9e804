import type { Task } from '../manifest/index.js'

/** Splits an `only` input into ids and globs: comma- or newline-separated, blanks ignored. */
export function parseOnly(only: string): string[] {
  return only
    .split(/[,\n]/)
    .map((part) => part.trim())
    .filter((part) => part !== '')
}

/**
 * Keeps the tasks whose id matches one of the patterns, in manifest order. `*` matches any
 * run of characters and `?` one character. Throws when a pattern matches no task, because a
 * typo would otherwise run a smaller plan than the user meant.
 */
export function selectTasks(tasks: Task[], patterns: string[]): Task[] {
  if (patterns.length === 0) return tasks
  const matchers = patterns.map((pattern) => ({ pattern, regex: globToRegExp(pattern) }))
  const unmatched = matchers.filter(({ regex }) => !tasks.some((task) => regex.test(task.id)))
  if (unmatched.length > 0) {
    const names = unmatched.map(({ pattern }) => `'${pattern}'`).join(', ')
    const known = tasks.map((task) => task.id)
    throw new Error(
      `The 'only' input ${names} matches no task id. Known ids: ${summarizeIds(known)}. Use ids or globs such as 'api-*'.`
    )
  }
  return tasks.filter((task) => matchers.some(({ regex }) => regex.test(task.id)))
}

function globToRegExp(pattern: string): RegExp {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.')
  return new RegExp(`^${source}$`)
}

/** Lists ids for an error message, shortened when there are many. */
export function summarizeIds(ids: string[], limit = 20): string {
  if (ids.length === 0) return '(none)'
  const shown = ids.slice(0, limit).join(', ')
  return ids.length > limit ? `${shown} and ${ids.length - limit} more` : shown
}
