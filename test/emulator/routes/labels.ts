import { notFound, validationFailed } from '../errors.js'
import { paginate } from '../pagination.js'
import type { Route, RouteContext, RouteResult } from '../router.js'
import { bodyObject, issueFromPath, labelNames } from './common.js'

const LABELS = '/repos/{owner}/{repo}/labels'
const LABEL = '/repos/{owner}/{repo}/labels/{name}'
const ISSUE_LABELS = '/repos/{owner}/{repo}/issues/{issue_number}/labels'
const MILESTONES = '/repos/{owner}/{repo}/milestones'

function listLabels(context: RouteContext): RouteResult {
  const { state } = context
  const page = paginate(
    [...state.labels.values()],
    context,
    `/repos/${state.owner}/${state.repo}/labels`
  )
  return {
    status: 200,
    body: page.items.map((label) => context.render.label(label)),
    headers: page.headers
  }
}

function createLabel(context: RouteContext): RouteResult {
  const body = bodyObject(context)
  const name = String(body.name ?? '').trim()
  if (name === '') {
    throw validationFailed([{ resource: 'Label', code: 'missing_field', field: 'name' }])
  }
  if (context.state.label(name)) {
    throw validationFailed([{ resource: 'Label', code: 'already_exists', field: 'name' }])
  }
  const color = typeof body.color === 'string' ? body.color.replace(/^#/, '') : undefined
  if (color !== undefined && !/^[0-9a-fA-F]{6}$/.test(color)) {
    throw validationFailed([{ resource: 'Label', code: 'invalid', field: 'color' }])
  }
  const label = context.state.addLabel({
    name,
    ...(color !== undefined ? { color } : {}),
    description: typeof body.description === 'string' ? body.description : null
  })
  const rendered = context.render.label(label)
  return { status: 201, body: rendered, headers: { location: String(rendered.url) } }
}

function getLabel(context: RouteContext): RouteResult {
  const label = context.state.label(context.params.name ?? '')
  if (!label) throw notFound()
  return { status: 200, body: context.render.label(label) }
}

/** Adds labels to an issue, creating missing ones, and returns every label of the issue. */
function addIssueLabels(context: RouteContext): RouteResult {
  const issue = issueFromPath(context)
  const names = labelNames(bodyObject(context).labels)
  const labelIds = [...issue.labelIds]
  for (const name of names) {
    const label = context.state.ensureLabel(name)
    if (!labelIds.includes(label.id)) labelIds.push(label.id)
  }
  if (labelIds.length !== issue.labelIds.length) context.state.updateIssue(issue, { labelIds })
  const labels = issue.labelIds
    .map((id) => context.state.labelById(id))
    .filter((label) => label !== undefined)
  return { status: 200, body: labels.map((label) => context.render.label(label)) }
}

function listMilestones(context: RouteContext): RouteResult {
  const { state, query } = context
  const wanted = query.get('state') ?? 'open'
  const descending = query.get('direction') === 'desc'
  const sortByCompleteness = query.get('sort') === 'completeness'
  const completeness = (number: number): number => {
    const issues = [...state.issues.values()].filter((issue) => issue.milestoneNumber === number)
    const closed = issues.filter((issue) => issue.state === 'closed').length
    return issues.length === 0 ? 0 : closed / issues.length
  }
  const milestones = [...state.milestones.values()]
    .filter((milestone) => wanted === 'all' || milestone.state === wanted)
    .sort((a, b) => {
      // GitHub sorts by due date by default, and milestones without one come last.
      const order = sortByCompleteness
        ? completeness(a.number) - completeness(b.number)
        : (a.dueOn ?? Number.MAX_SAFE_INTEGER) - (b.dueOn ?? Number.MAX_SAFE_INTEGER)
      return (descending ? -order : order) || a.number - b.number
    })
  const page = paginate(milestones, context, `/repos/${state.owner}/${state.repo}/milestones`)
  return {
    status: 200,
    body: page.items.map((milestone) => context.render.milestone(milestone)),
    headers: page.headers
  }
}

function createMilestone(context: RouteContext): RouteResult {
  const body = bodyObject(context)
  const title = String(body.title ?? '').trim()
  if (title === '') {
    throw validationFailed([{ resource: 'Milestone', code: 'missing_field', field: 'title' }])
  }
  const exists = [...context.state.milestones.values()].some(
    (milestone) => milestone.title.toLowerCase() === title.toLowerCase()
  )
  if (exists) {
    throw validationFailed([{ resource: 'Milestone', code: 'already_exists', field: 'title' }])
  }
  const milestone = context.state.addMilestone({
    title,
    description: typeof body.description === 'string' ? body.description : null,
    state: body.state === 'closed' ? 'closed' : 'open',
    dueOn: typeof body.due_on === 'string' ? Date.parse(body.due_on) : null,
    creator: context.actor
  })
  const rendered = context.render.milestone(milestone)
  return { status: 201, body: rendered, headers: { location: String(rendered.url) } }
}

export const labelRoutes: Route[] = [
  {
    method: 'GET',
    template: LABELS,
    permission: 'issues=read',
    resource: 'core',
    handle: listLabels
  },
  {
    method: 'POST',
    template: LABELS,
    permission: 'issues=write',
    resource: 'core',
    needsPush: true,
    handle: createLabel
  },
  { method: 'GET', template: LABEL, permission: 'issues=read', resource: 'core', handle: getLabel },
  {
    method: 'POST',
    template: ISSUE_LABELS,
    permission: 'issues=write',
    resource: 'core',
    needsPush: true,
    handle: addIssueLabels
  },
  {
    method: 'GET',
    template: MILESTONES,
    permission: 'issues=read',
    resource: 'core',
    handle: listMilestones
  },
  {
    method: 'POST',
    template: MILESTONES,
    permission: 'issues=write',
    resource: 'core',
    needsPush: true,
    handle: createMilestone
  }
]
