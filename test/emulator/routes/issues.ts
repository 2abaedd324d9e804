import { paginate } from '../pagination.js'
import type { Route, RouteContext, RouteResult } from '../router.js'
import type { IssueFields, IssueRecord, StateReason } from '../state.js'
import {
  bodyObject,
  checkAssignees,
  checkBodyLength,
  checkTitle,
  issueFromPath,
  labelNames,
  milestoneNumber,
  sinceParameter,
  titleText
} from './common.js'

const ISSUES = '/repos/{owner}/{repo}/issues'
const ISSUE = '/repos/{owner}/{repo}/issues/{issue_number}'

function listIssues(context: RouteContext): RouteResult {
  const { state, query, faults } = context
  const wantedState = query.get('state') ?? 'open'
  const wantedLabels = (query.get('labels') ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '')
  const creator = query.get('creator')?.toLowerCase()
  const assignee = query.get('assignee')
  const milestone = query.get('milestone')
  const since = sinceParameter(context)

  const matching: Array<{ issue: IssueRecord; fields: IssueFields }> = []
  for (const issue of state.issues.values()) {
    const fields = state.issueVersionFor(issue, faults.listLagMs)
    if (!fields) continue
    if (wantedState !== 'all' && fields.state !== wantedState) continue
    const names = fields.labelIds
      .map((id) => state.labelById(id)?.name.toLowerCase())
      .filter((name): name is string => name !== undefined)
    if (!wantedLabels.every((name) => names.includes(name))) continue
    if (creator !== undefined && issue.author.toLowerCase() !== creator) continue
    if (!matchesAssignee(fields.assignees, assignee)) continue
    if (!matchesMilestone(fields.milestoneNumber, milestone)) continue
    if (since !== null && fields.updatedAt < since) continue
    matching.push({ issue, fields })
  }

  const sort = query.get('sort') ?? 'created'
  const descending = (query.get('direction') ?? 'desc') === 'desc'
  const key = (entry: { issue: IssueRecord; fields: IssueFields }): number => {
    if (sort === 'updated') return entry.fields.updatedAt
    if (sort === 'comments') return state.commentsOf(entry.issue.number).length
    return entry.issue.createdAt
  }
  matching.sort((a, b) => {
    const order = key(a) - key(b) || a.issue.number - b.issue.number
    return descending ? -order : order
  })

  const page = paginate(matching, context, `/repos/${state.owner}/${state.repo}/issues`)
  return {
    status: 200,
    body: page.items.map(({ issue, fields }) => context.render.issue(issue, fields)),
    headers: page.headers
  }
}

function matchesAssignee(assignees: string[], filter: string | null): boolean {
  if (filter === null) return true
  if (filter === '*') return assignees.length > 0
  if (filter === 'none') return assignees.length === 0
  return assignees.some((login) => login.toLowerCase() === filter.toLowerCase())
}

function matchesMilestone(number: number | null, filter: string | null): boolean {
  if (filter === null) return true
  if (filter === '*') return number !== null
  if (filter === 'none') return number === null
  return number === Number(filter)
}

/**
 * Reads labels, assignees and milestone from a create or update body. Without push access GitHub
 * drops these fields silently, so they are returned as undefined.
 */
function privilegedFields(
  context: RouteContext,
  body: Record<string, unknown>
): { labels?: string[]; assignees?: string[]; milestone?: number | null } {
  if (context.access !== 'write') return {}
  const result: { labels?: string[]; assignees?: string[]; milestone?: number | null } = {}
  if ('assignees' in body || 'assignee' in body) {
    const logins: string[] = []
    if (typeof body.assignee === 'string') logins.push(body.assignee)
    if (Array.isArray(body.assignees)) {
      for (const item of body.assignees) {
        if (typeof item === 'string') logins.push(item)
        else if (item !== null && typeof item === 'object' && typeof item.login === 'string') {
          logins.push(item.login)
        }
      }
    }
    result.assignees = checkAssignees(context, logins)
  }
  if ('milestone' in body) result.milestone = milestoneNumber(context, body.milestone)
  if ('labels' in body) result.labels = labelNames(body.labels)
  return result
}

function createIssue(context: RouteContext): RouteResult {
  const body = bodyObject(context)
  const title = titleText(body.title)
  const text = typeof body.body === 'string' ? body.body : null
  checkTitle(title)
  checkBodyLength('Issue', text)
  const privileged = privilegedFields(context, body)

  const issue = context.state.createIssue(
    {
      title,
      body: text,
      labels: privileged.labels ?? [],
      assignees: privileged.assignees ?? [],
      milestone: privileged.milestone ?? null
    },
    context.actor
  )
  const rendered = context.render.issue(issue)
  return { status: 201, body: rendered, headers: { location: String(rendered.url) } }
}

function getIssue(context: RouteContext): RouteResult {
  return { status: 200, body: context.render.issue(issueFromPath(context)) }
}

function updateIssue(context: RouteContext): RouteResult {
  const issue = issueFromPath(context)
  const body = bodyObject(context)
  const changes: Partial<IssueFields> = {}

  if (body.title !== undefined && body.title !== null) {
    const title = titleText(body.title)
    checkTitle(title)
    changes.title = title
  }
  if ('body' in body) {
    const text = typeof body.body === 'string' ? body.body : null
    checkBodyLength('Issue', text)
    changes.body = text
  }

  const privileged = privilegedFields(context, body)
  if (privileged.assignees) changes.assignees = privileged.assignees
  if (privileged.milestone !== undefined) changes.milestoneNumber = privileged.milestone
  if (privileged.labels) {
    changes.labelIds = privileged.labels.map((name) => context.state.ensureLabel(name).id)
  }

  applyStateChange(context, issue, body, changes)

  if (Object.keys(changes).length > 0) context.state.updateIssue(issue, changes)
  return { status: 200, body: context.render.issue(issue) }
}

/** Applies `state` and `state_reason` as GitHub does when closing or reopening. */
function applyStateChange(
  context: RouteContext,
  issue: IssueRecord,
  body: Record<string, unknown>,
  changes: Partial<IssueFields>
): void {
  const requestedReason = body.state_reason as StateReason | null | undefined
  const newState = body.state as 'open' | 'closed' | undefined
  const now = context.clock.now()

  if (newState === 'closed' && issue.state !== 'closed') {
    changes.state = 'closed'
    changes.stateReason = requestedReason ?? 'completed'
    changes.closedAt = now
    changes.closedBy = context.actor
  } else if (newState === 'open' && issue.state !== 'open') {
    changes.state = 'open'
    changes.stateReason = 'reopened'
    changes.closedAt = null
    changes.closedBy = null
  } else if (requestedReason !== undefined && issue.state === 'closed') {
    changes.stateReason = requestedReason
  }
}

export const issueRoutes: Route[] = [
  {
    method: 'GET',
    template: ISSUES,
    permission: 'issues=read',
    resource: 'core',
    handle: listIssues
  },
  {
    method: 'POST',
    template: ISSUES,
    permission: 'issues=write',
    resource: 'core',
    handle: createIssue
  },
  { method: 'GET', template: ISSUE, permission: 'issues=read', resource: 'core', handle: getIssue },
  {
    method: 'PATCH',
    template: ISSUE,
    permission: 'issues=write',
    resource: 'core',
    handle: updateIssue
  }
]
