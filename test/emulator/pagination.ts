import type { RouteContext } from './router.js'

/** GitHub's default page size. A larger `per_page` than the maximum is clamped to 100. */
export const DEFAULT_PER_PAGE = 30
export const MAX_PER_PAGE = 100

export interface Page<T> {
  items: T[]
  headers: Record<string, string>
}

/**
 * Cuts one page out of `items` and builds GitHub's Link header.
 *
 * GitHub lists the relations in the order prev, next, last, first, leaves out the ones that do
 * not apply, and sends no header when everything fits on one page. Its links for
 * repository-scoped lists use /repositories/{id}/... instead of /repos/{owner}/{repo}/..., keep
 * the other query parameters in their order, and put `page` last. The emulator serves both forms.
 */
export function paginate<T>(
  items: readonly T[],
  context: RouteContext,
  requestPath: string
): Page<T> {
  const perPage = pageSize(context.query)
  const page = pageNumber(context.query)
  const lastPage = Math.max(1, Math.ceil(items.length / perPage))
  const slice = items.slice((page - 1) * perPage, page * perPage)

  const links: string[] = []
  const link = (target: number, rel: string) =>
    links.push(`<${pageUrl(context, requestPath, target)}>; rel="${rel}"`)
  if (page > 1) link(Math.min(page - 1, lastPage), 'prev')
  if (page < lastPage) {
    link(page + 1, 'next')
    link(lastPage, 'last')
  }
  if (page > 1) link(1, 'first')

  return { items: slice, headers: links.length > 0 ? { link: links.join(', ') } : {} }
}

export function pageSize(query: URLSearchParams): number {
  const value = parseIntegerParameter(query.get('per_page'))
  if (value === null || value < 1) return DEFAULT_PER_PAGE
  return Math.min(value, MAX_PER_PAGE)
}

export function pageNumber(query: URLSearchParams): number {
  const value = parseIntegerParameter(query.get('page'))
  return value === null || value < 1 ? 1 : value
}

export function parseIntegerParameter(value: string | null): number | null {
  if (value === null || !/^-?\d+$/.test(value.trim())) return null
  return Number.parseInt(value, 10)
}

function pageUrl(context: RouteContext, requestPath: string, page: number): string {
  const { state, baseUrl } = context
  const repoPrefix = `/repos/${state.owner}/${state.repo}`
  const path = requestPath.toLowerCase().startsWith(repoPrefix.toLowerCase())
    ? `/repositories/${state.repositoryId}${requestPath.slice(repoPrefix.length)}`
    : requestPath
  const query = new URLSearchParams()
  for (const [name, value] of context.query) {
    if (name !== 'page') query.append(name, value)
  }
  query.append('page', String(page))
  return `${baseUrl}${path}?${query.toString()}`
}
