import { notFound, validationFailed } from '../errors.js'
import { paginate } from '../pagination.js'
import type { Route, RouteContext, RouteResult } from '../router.js'
import type { CommentRecord } from '../state.js'
import { bodyObject, checkBodyLength, issueFromPath, sinceParameter } from './common.js'

const ISSUE_COMMENTS = '/repos/{owner}/{repo}/issues/{issue_number}/comments'
const COMMENT = '/repos/{owner}/{repo}/issues/comments/{comment_id}'

function commentFromPath(context: RouteContext): CommentRecord {
  const comment = context.state.comments.get(Number(context.params.comment_id))
  if (!comment) throw notFound()
  return comment
}

function commentText(context: RouteContext): string {
  const text = bodyObject(context).body
  if (typeof text !== 'string' || text.trim() === '') {
    throw validationFailed([{ resource: 'IssueComment', code: 'missing_field', field: 'body' }])
  }
  checkBodyLength('IssueComment', text)
  return text
}

function listComments(context: RouteContext): RouteResult {
  const issue = issueFromPath(context)
  const since = sinceParameter(context)
  const comments = context.state
    .commentsOf(issue.number)
    .filter((comment) => since === null || comment.updatedAt >= since)
  const { state } = context
  const page = paginate(
    comments,
    context,
    `/repos/${state.owner}/${state.repo}/issues/${issue.number}/comments`
  )
  return {
    status: 200,
    body: page.items.map((comment) => context.render.comment(comment)),
    headers: page.headers
  }
}

function createComment(context: RouteContext): RouteResult {
  const issue = issueFromPath(context)
  const comment = context.state.addComment(issue, commentText(context), context.actor)
  const rendered = context.render.comment(comment)
  return { status: 201, body: rendered, headers: { location: String(rendered.url) } }
}

function getComment(context: RouteContext): RouteResult {
  return { status: 200, body: context.render.comment(commentFromPath(context)) }
}

function updateComment(context: RouteContext): RouteResult {
  const comment = commentFromPath(context)
  comment.body = commentText(context)
  comment.updatedAt = context.clock.now()
  return { status: 200, body: context.render.comment(comment) }
}

export const commentRoutes: Route[] = [
  {
    method: 'GET',
    template: ISSUE_COMMENTS,
    permission: 'issues=read',
    resource: 'core',
    handle: listComments
  },
  {
    method: 'POST',
    template: ISSUE_COMMENTS,
    permission: 'issues=write',
    resource: 'core',
    handle: createComment
  },
  {
    method: 'GET',
    template: COMMENT,
    permission: 'issues=read',
    resource: 'core',
    handle: getComment
  },
  {
    method: 'PATCH',
    template: COMMENT,
    permission: 'issues=write',
    resource: 'core',
    handle: updateComment
  }
]
