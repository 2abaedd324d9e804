import { ApiError, notFound, validationFailed } from '../errors.js'
import type { RouteContext } from '../router.js'
import type { IssueRecord } from '../state.js'

/** GitHub's limit for issue and comment bodies, in characters. */
export const MAX_BODY_LENGTH = 65_536

/**
 * Maximum title length. NOTE: older REST API docs stated 256 characters, but GitHub currently
 * accepts titles up to 1,024 characters, so the emulator follows the observed behaviour.
 */
export const MAX_TITLE_LENGTH = 1_024

export function bodyObject(context: RouteContext): Record<string, unknown> {
  const body = context.body
  return body !== null && typeof body === 'object' && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : {}
}

/** Returns the issue named by the `issue_number` path parameter, or raises 404. */
export function issueFromPath(context: RouteContext): IssueRecord {
  const issue = context.state.issue(Number(context.params.issue_number))
  if (!issue) throw notFound()
  return issue
}

/**
 * Raises 422 for a body longer than GitHub allows. GitHub counts characters, which for text
 * outside the Basic Multilingual Plane differs from JavaScript's UTF-16 length.
 */
export function checkBodyLength(resource: 'Issue' | 'IssueComment', body: string | null): void {
  if (body !== null && [...body].length > MAX_BODY_LENGTH) {
    throw validationFailed([
      {
        resource,
        code: 'custom',
        field: 'body',
        message: `body is too long (maximum is ${MAX_BODY_LENGTH} characters)`
      }
    ])
  }
}

export function checkTitle(title: string): void {
  if (title.trim() === '') {
    throw validationFailed([{ resource: 'Issue', code: 'missing_field', field: 'title' }])
  }
  if ([...title].length > MAX_TITLE_LENGTH) {
    throw validationFailed([
      {
        resource: 'Issue',
        code: 'custom',
        field: 'title',
        message: `title is too long (maximum is ${MAX_TITLE_LENGTH} characters)`
      }
    ])
  }
}

/** Converts the `title` field, which GitHub's schema allows as a string or an integer. */
export function titleText(value: unknown): string {
  return typeof value === 'number' ? String(value) : String(value ?? '')
}

/** Returns label names from a list of names or label objects, as the issue endpoints accept. */
export function labelNames(value: unknown): string[] {
  if (!Array.isArray(value)) return []
  const names: string[] = []
  for (const item of value) {
    if (typeof item === 'string') names.push(item)
    else if (
      item !== null &&
      typeof item === 'object' &&
      typeof (item as { name?: unknown }).name === 'string'
    ) {
      names.push((item as { name: string }).name)
    }
  }
  return names
}

/** Raises 422 unless every login may be assigned, and returns the logins as stored. */
export function checkAssignees(context: RouteContext, logins: string[]): string[] {
  const result: string[] = []
  for (const login of logins) {
    const known = context.state.collaborators.find(
      (name) => name.toLowerCase() === login.toLowerCase()
    )
    if (!known) {
      throw validationFailed([
        { resource: 'Issue', code: 'invalid', field: 'assignees', value: login }
      ])
    }
    if (!result.includes(known)) result.push(known)
  }
  return result
}

/** Resolves the `milestone` field (number, numeric string or null) and raises 422 if unknown. */
export function milestoneNumber(context: RouteContext, value: unknown): number | null {
  if (value === null || value === undefined) return null
  const number =
    typeof value === 'number' ? value : /^\d+$/.test(String(value)) ? Number(value) : NaN
  if (!context.state.milestones.has(number)) {
    throw validationFailed([
      {
        resource: 'Issue',
        code: 'invalid',
        field: 'milestone',
        value: typeof value === 'number' ? value : String(value)
      }
    ])
  }
  return number
}

/** Parses a `since` query value. The contract check already rejected malformed ones. */
export function sinceParameter(context: RouteContext): number | null {
  const since = context.query.get('since')
  if (since === null) return null
  const time = Date.parse(since)
  return Number.isNaN(time) ? null : time
}

export function forbidden(message: string, permission: string): ApiError {
  return new ApiError(403, message, { headers: { 'x-accepted-github-permissions': permission } })
}
