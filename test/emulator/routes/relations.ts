import { type ApiError, notFound, validationFailed } from '../errors.js'
import { paginate } from '../pagination.js'
import type { Route, RouteContext, RouteResult } from '../router.js'
import type { EmulatorState, IssueRecord } from '../state.js'
import { bodyObject, issueFromPath } from './common.js'

const SUB_ISSUES = '/repos/{owner}/{repo}/issues/{issue_number}/sub_issues'
const BLOCKED_BY = '/repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by'

/** GitHub's documented limits: 100 sub-issues per parent and 8 levels of nesting. */
export const MAX_SUB_ISSUES = 100
export const MAX_NESTING_LEVELS = 8

/** NOTE: the limit of 50 blocking issues per issue is unverified against GitHub. */
export const MAX_BLOCKED_BY = 50

function relationError(field: string, message: string): ApiError {
  return validationFailed([{ resource: 'Issue', code: 'custom', field, message }])
}

/**
 * Looks up the issue that a body field names by id. NOTE: GitHub's response to an unknown id is
 * not documented, so the emulator sends 404 as for an unknown issue number.
 */
function issueFromId(context: RouteContext, field: string): IssueRecord {
  const id = bodyObject(context)[field]
  const issue = typeof id === 'number' ? context.state.issueById(id) : undefined
  if (!issue) throw notFound()
  return issue
}

function listSubIssues(context: RouteContext): RouteResult {
  const parent = issueFromPath(context)
  const { state } = context
  const subIssues = parent.subIssueNumbers
    .map((number) => state.issue(number))
    .filter((issue): issue is IssueRecord => issue !== undefined)
  const page = paginate(
    subIssues,
    context,
    `/repos/${state.owner}/${state.repo}/issues/${parent.number}/sub_issues`
  )
  return {
    status: 200,
    body: page.items.map((issue) => context.render.issue(issue)),
    headers: page.headers
  }
}

/**
 * Attaches an issue, named by its id, to the parent in the path. NOTE: the messages for the
 * self, cycle, count and depth checks are the emulator's own, and only "Sub issue may only have one
 * parent" is GitHub's observed text. The response is the parent issue.
 */
function addSubIssue(context: RouteContext): RouteResult {
  const parent = issueFromPath(context)
  const child = issueFromId(context, 'sub_issue_id')
  const replaceParent = bodyObject(context).replace_parent === true
  const { state } = context

  if (child.number === parent.number) {
    throw relationError('sub_issue_id', 'Sub issue cannot be the same as the parent issue')
  }
  if (child.parentNumber !== null && !replaceParent) {
    throw relationError('sub_issue_id', 'Sub issue may only have one parent')
  }
  if (ancestorsOf(state, parent).includes(child.number)) {
    throw relationError('sub_issue_id', 'Sub issue cannot be an ancestor of its parent')
  }
  if (parent.subIssueNumbers.length >= MAX_SUB_ISSUES) {
    throw relationError(
      'sub_issue_id',
      `Parent issue cannot have more than ${MAX_SUB_ISSUES} sub-issues`
    )
  }
  const levels = ancestorsOf(state, parent).length + 1 + heightOf(state, child)
  if (levels > MAX_NESTING_LEVELS) {
    throw relationError(
      'sub_issue_id',
      `Sub-issues cannot be nested more than ${MAX_NESTING_LEVELS} levels deep`
    )
  }

  if (child.parentNumber !== null) {
    const previous = state.issue(child.parentNumber)
    if (previous) {
      previous.subIssueNumbers = previous.subIssueNumbers.filter(
        (number) => number !== child.number
      )
      state.touchIssue(previous)
    }
  }
  child.parentNumber = parent.number
  parent.subIssueNumbers.push(child.number)
  state.touchIssue(child)
  state.touchIssue(parent)
  return { status: 201, body: context.render.issue(parent) }
}

/** Issue numbers from the parent of `issue` up to the root. */
function ancestorsOf(state: EmulatorState, issue: IssueRecord): number[] {
  const result: number[] = []
  let current = issue.parentNumber === null ? undefined : state.issue(issue.parentNumber)
  while (current && !result.includes(current.number)) {
    result.push(current.number)
    current = current.parentNumber === null ? undefined : state.issue(current.parentNumber)
  }
  return result
}

/** Levels in the subtree below and including `issue`. */
function heightOf(state: EmulatorState, issue: IssueRecord): number {
  let height = 0
  for (const number of issue.subIssueNumbers) {
    const child = state.issue(number)
    if (child) height = Math.max(height, heightOf(state, child))
  }
  return height + 1
}

function listBlockedBy(context: RouteContext): RouteResult {
  const issue = issueFromPath(context)
  const { state } = context
  const blockers = issue.blockedByNumbers
    .map((number) => state.issue(number))
    .filter((blocker): blocker is IssueRecord => blocker !== undefined)
  const page = paginate(
    blockers,
    context,
    `/repos/${state.owner}/${state.repo}/issues/${issue.number}/dependencies/blocked_by`
  )
  return {
    status: 200,
    body: page.items.map((blocker) => context.render.issue(blocker)),
    headers: page.headers
  }
}

/**
 * Records that the issue in the path is blocked by the issue named by `issue_id`. NOTE: the
 * 422 messages are the emulator's own. The response is the blocked issue.
 */
function addBlockedBy(context: RouteContext): RouteResult {
  const issue = issueFromPath(context)
  const blocker = issueFromId(context, 'issue_id')
  if (blocker.number === issue.number) {
    throw relationError('issue_id', 'An issue cannot be blocked by itself')
  }
  if (issue.blockedByNumbers.includes(blocker.number)) {
    throw relationError('issue_id', 'The issue is already blocked by this issue')
  }
  if (issue.blockedByNumbers.length >= MAX_BLOCKED_BY) {
    throw relationError(
      'issue_id',
      `An issue cannot be blocked by more than ${MAX_BLOCKED_BY} issues`
    )
  }
  issue.blockedByNumbers.push(blocker.number)
  context.state.touchIssue(issue)
  return { status: 201, body: context.render.issue(issue) }
}

export const relationRoutes: Route[] = [
  {
    method: 'GET',
    template: SUB_ISSUES,
    permission: 'issues=read',
    resource: 'core',
    handle: listSubIssues
  },
  {
    method: 'POST',
    template: SUB_ISSUES,
    permission: 'issues=write',
    resource: 'core',
    needsPush: true,
    handle: addSubIssue
  },
  {
    method: 'GET',
    template: BLOCKED_BY,
    permission: 'issues=read',
    resource: 'core',
    handle: listBlockedBy
  },
  {
    method: 'POST',
    template: BLOCKED_BY,
    permission: 'issues=write',
    resource: 'core',
    needsPush: true,
    handle: addBlockedBy
  }
]
