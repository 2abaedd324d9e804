import { notFound } from '../errors.js'
import { paginate } from '../pagination.js'
import type { Route, RouteContext, RouteResult } from '../router.js'

function getRepository(context: RouteContext): RouteResult {
  return { status: 200, body: context.render.repository(context.access) }
}

/** GET /rate_limit does not count against the primary limit, as on GitHub. */
function getRateLimit(context: RouteContext): RouteResult {
  const core = context.primaryLimits.status(context.token, 'core')
  const search = context.primaryLimits.status(context.token, 'search')
  return { status: 200, body: context.render.rateLimit(core, search) }
}

function listJobs(context: RouteContext): RouteResult {
  const runId = Number(context.params.run_id)
  const attempts = context.state.runs.get(runId)
  if (attempts === undefined) throw notFound()
  const runJobs = [...context.state.jobs.values()].filter((job) => job.runId === runId)

  let jobs = runJobs
  if (context.params.attempt_number !== undefined) {
    const attempt = Number(context.params.attempt_number)
    if (attempt < 1 || attempt > attempts) throw notFound()
    jobs = runJobs.filter((job) => job.runAttempt === attempt)
  } else if ((context.query.get('filter') ?? 'latest') === 'latest') {
    jobs = runJobs.filter((job) => job.runAttempt === attempts)
  }

  const { state } = context
  const attemptPath =
    context.params.attempt_number === undefined ? '' : `/attempts/${context.params.attempt_number}`
  const page = paginate(
    jobs.sort((a, b) => a.id - b.id),
    context,
    `/repos/${state.owner}/${state.repo}/actions/runs/${runId}${attemptPath}/jobs`
  )
  return {
    status: 200,
    body: { total_count: jobs.length, jobs: page.items.map((job) => context.render.job(job)) },
    headers: page.headers
  }
}

export const repositoryRoutes: Route[] = [
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}',
    permission: 'metadata=read',
    resource: 'core',
    handle: getRepository
  },
  {
    method: 'GET',
    template: '/rate_limit',
    permission: null,
    resource: null,
    handle: getRateLimit
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/actions/runs/{run_id}/jobs',
    permission: 'actions=read',
    resource: 'core',
    handle: listJobs
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{attempt_number}/jobs',
    permission: 'actions=read',
    resource: 'core',
    handle: listJobs
  }
]
