import { paginate } from '../pagination.js'
import type { Route, RouteContext, RouteResult } from '../router.js'
import type { IssueFields, IssueRecord } from '../state.js'

/** GitHub returns at most 1,000 results for one search query. */
const MAX_SEARCH_RESULTS = 1000

interface SearchQuery {
  repo: string | null
  type: 'issue' | 'pr' | null
  state: 'open' | 'closed' | null
  labels: string[]
  author: string | null
  words: string[]
}

/** Splits a search query into qualifiers (`repo:`, `is:`, `label:`, `author:`) and words. */
function parseQuery(text: string): SearchQuery {
  const query: SearchQuery = {
    repo: null,
    type: null,
    state: null,
    labels: [],
    author: null,
    words: []
  }
  const tokens = text.match(/(?:[^\s"]+|"[^"]*")+/g) ?? []
  for (const token of tokens) {
    const separator = token.indexOf(':')
    const qualifier = separator > 0 ? token.slice(0, separator).toLowerCase() : ''
    const value = token.slice(separator + 1).replace(/"/g, '')
    if (qualifier === 'repo') query.repo = value.toLowerCase()
    else if (
      (qualifier === 'is' || qualifier === 'type') &&
      (value === 'issue' || value === 'pr')
    ) {
      query.type = value
    } else if (
      (qualifier === 'is' || qualifier === 'state') &&
      (value === 'open' || value === 'closed')
    ) {
      query.state = value
    } else if (qualifier === 'label') query.labels.push(value.toLowerCase())
    else if (qualifier === 'author') query.author = value.toLowerCase()
    else if (qualifier === 'in') continue
    else query.words.push(token.replace(/"/g, '').toLowerCase())
  }
  return query
}

/**
 * Searches issues with a small subset of GitHub's syntax. The endpoint exists so that tests can
 * prove from the request log that the product never calls it. Results lag like list results.
 */
function searchIssues(context: RouteContext): RouteResult {
  const { state, faults } = context
  const query = parseQuery(context.query.get('q') ?? '')
  const fullName = `${state.owner}/${state.repo}`.toLowerCase()

  const found: Array<{ issue: IssueRecord; fields: IssueFields }> = []
  if ((query.repo === null || query.repo === fullName) && query.type !== 'pr') {
    for (const issue of state.issues.values()) {
      const fields = state.issueVersionFor(issue, faults.listLagMs)
      if (!fields) continue
      if (query.state !== null && fields.state !== query.state) continue
      if (query.author !== null && issue.author.toLowerCase() !== query.author) continue
      const names = fields.labelIds.map((id) => state.labelById(id)?.name.toLowerCase())
      if (!query.labels.every((label) => names.includes(label))) continue
      const text = `${fields.title}\n${fields.body ?? ''}`.toLowerCase()
      if (!query.words.every((word) => text.includes(word))) continue
      found.push({ issue, fields })
    }
  }

  const sort = context.query.get('sort')
  const ascending = context.query.get('order') === 'asc'
  found.sort((a, b) => {
    const order =
      sort === 'updated'
        ? a.fields.updatedAt - b.fields.updatedAt
        : a.issue.createdAt - b.issue.createdAt
    return ascending ? order : -order
  })

  const capped = found.slice(0, MAX_SEARCH_RESULTS)
  const page = paginate(capped, context, '/search/issues')
  return {
    status: 200,
    body: {
      total_count: found.length,
      incomplete_results: false,
      search_type: 'lexical',
      items: page.items.map(({ issue, fields }) => searchItem(context, issue, fields))
    },
    headers: page.headers
  }
}

/**
 * Renders a search result. GitHub's description types `body` of a search item as a plain
 * string, so an issue without a body leaves the field out. NOTE: whether GitHub sends null or
 * leaves it out is unverified.
 */
function searchItem(
  context: RouteContext,
  issue: IssueRecord,
  fields: IssueFields
): Record<string, unknown> {
  const item: Record<string, unknown> = { ...context.render.issue(issue, fields), score: 1 }
  if (item.body === null) delete item.body
  return item
}

export const searchRoutes: Route[] = [
  {
    method: 'GET',
    template: '/search/issues',
    permission: null,
    resource: 'search',
    handle: searchIssues
  }
]
