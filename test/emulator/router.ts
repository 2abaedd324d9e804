import type { EmulatedClock } from './clock.js'
import type { FaultSettings, TokenAccess } from './faults.js'
import type { PrimaryRateLimiter, RateResource } from './limits.js'
import type { Renderer } from './resources.js'
import type { EmulatorState } from './state.js'

/** Inputs and services that a route handler uses to build one response. */
export interface RouteContext {
  state: EmulatorState
  render: Renderer
  faults: FaultSettings
  clock: EmulatedClock
  primaryLimits: PrimaryRateLimiter
  /** Decoded path parameters by name, e.g. { issue_number: "3" }. */
  params: Record<string, string>
  query: URLSearchParams
  /** Parsed JSON body, or undefined when the request had none. */
  body: unknown
  token: string
  access: TokenAccess
  /** Login that writes are attributed to. */
  actor: string
  /** Emulator base URL, e.g. http://127.0.0.1:43123. */
  baseUrl: string
}

export interface RouteResult {
  status: number
  body: unknown
  headers?: Record<string, string>
}

export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'
  /** Path template as in GitHub's OpenAPI description. */
  template: string
  /**
   * Fine-grained permission GitHub names in `x-accepted-github-permissions` for this route, or
   * null when GitHub sends none.
   */
  permission: string | null
  /** Rate-limit resource the request counts against, or null for the free GET /rate_limit. */
  resource: RateResource | null
  /** True for writes that a `no-push` token may not make (labels, milestones, relations). */
  needsPush?: boolean
  handle(context: RouteContext): RouteResult
}

export interface RouteMatch {
  route: Route
  params: Record<string, string>
}

/** Matches request paths against route templates such as /repos/{owner}/{repo}/issues. */
export class Router {
  private readonly compiled: Array<{ route: Route; segments: string[] }>

  constructor(readonly routes: readonly Route[]) {
    this.compiled = routes.map((route) => ({ route, segments: route.template.split('/') }))
  }

  /** Returns the matching route, or null. `methodMismatch` is true when only the method differs. */
  match(method: string, path: string): { match: RouteMatch | null; methodMismatch: boolean } {
    const segments = path.split('/')
    let methodMismatch = false
    for (const { route, segments: template } of this.compiled) {
      const params = matchSegments(template, segments)
      if (!params) continue
      if (route.method === method) return { match: { route, params }, methodMismatch: false }
      methodMismatch = true
    }
    return { match: null, methodMismatch }
  }
}

function matchSegments(template: string[], segments: string[]): Record<string, string> | null {
  if (template.length !== segments.length) return null
  const params: Record<string, string> = {}
  for (let index = 0; index < template.length; index++) {
    const expected = template[index]!
    const actual = segments[index]!
    if (expected.startsWith('{') && expected.endsWith('}')) {
      if (actual === '') return null
      let decoded: string
      try {
        decoded = decodeURIComponent(actual)
      } catch {
        return null
      }
      params[expected.slice(1, -1)] = decoded
    } else if (expected !== actual) {
      return null
    }
  }
  return params
}
