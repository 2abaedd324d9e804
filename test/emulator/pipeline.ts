import type { IncomingMessage, ServerResponse } from 'node:http'
import type { EmulatedClock } from './clock.js'
import {
  checkRequest,
  checkResponse,
  findOperation,
  type ContractViolation,
  type OperationDescription
} from './contract.js'
import {
  ApiError,
  DOCS_ROOT,
  RATE_LIMIT_DOCS,
  SECONDARY_RATE_LIMIT_DOCS,
  errorBody,
  type ValidationErrorItem
} from './errors.js'
import type { FaultSettings, SecondaryLimitResponse } from './faults.js'
import type {
  PrimaryRateLimiter,
  RateStatus,
  SecondaryRateLimiter,
  SecondaryVerdict
} from './limits.js'
import { isContentCreating } from './limits.js'
import type { FaultKind, RequestLog, RequestLogEntry } from './log.js'
import type { Renderer } from './resources.js'
import type { Route, RouteContext, Router } from './router.js'
import { ACTIONS_BOT, type EmulatorState } from './state.js'

const SERVER_ERROR_MESSAGES = {
  500: 'Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable'
} as const

/** Larger request bodies are rejected with 413 before any other check. */
const MAX_REQUEST_BYTES = 25 * 1024 * 1024

/** Rate-limit headers GitHub sends with a 401, which counts against the unauthenticated limit. */
const UNAUTHENTICATED_LIMIT = 60

export interface PipelineDependencies {
  state: EmulatorState
  render: Renderer
  router: Router
  log: RequestLog
  faults: FaultSettings
  clock: EmulatedClock
  primaryLimits: PrimaryRateLimiter
  secondaryLimits: SecondaryRateLimiter
  acceptedTokens: ReadonlySet<string>
  baseUrl: string
  contract: boolean
  recordViolation(violation: ContractViolation): void
}

type Outcome =
  | {
      kind: 'response'
      status: number
      body: unknown
      headers: Record<string, string>
      fault: FaultKind | null
    }
  | { kind: 'drop' }

interface PlannedFaults {
  drop: boolean
  serverError: 500 | 502 | 503 | null
}

/**
 * Responds to one HTTP request the way api.github.com would. The checks run in this order:
 * credentials, primary rate limit, secondary rate limits, route, permission, request
 * validation, then the route handler. Injected faults fit in between (see FaultSettings).
 */
export class RequestPipeline {
  constructor(private readonly deps: PipelineDependencies) {}

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const { log, clock, secondaryLimits } = this.deps
    const token = parseToken(request.headers.authorization)
    const leg = request.headers['x-test-leg']
    const { entry, startedAtRealMs } = log.begin({
      method: (request.method ?? 'GET').toUpperCase(),
      path: request.url ?? '/',
      token,
      leg: typeof leg === 'string' ? leg : null,
      receivedAt: clock.now()
    })
    const tokenForLimits = token !== null && this.deps.acceptedTokens.has(token) ? token : null
    let concurrency: SecondaryVerdict = { limited: false }
    if (tokenForLimits !== null) {
      secondaryLimits.enter(tokenForLimits)
      concurrency = secondaryLimits.checkConcurrency(tokenForLimits)
    }

    try {
      const outcome = await this.process(request, entry, tokenForLimits, concurrency)
      if (outcome.kind === 'drop') {
        entry.fault = 'dropped-connection'
        request.socket.destroy()
        log.finish(entry, null, startedAtRealMs)
        return
      }
      entry.fault = outcome.fault
      response.writeHead(outcome.status, outcome.headers)
      response.end(outcome.body === undefined ? '' : JSON.stringify(outcome.body))
      log.finish(entry, outcome.status, startedAtRealMs)
    } catch (error) {
      // Only a bug in the emulator lands here. It is logged because the client sees just a 500.
      console.error(`GitHub emulator failed on ${entry.method} ${entry.path}:`, error)
      if (!response.headersSent) {
        response.writeHead(500, { 'content-type': 'application/json; charset=utf-8' })
      }
      response.end(JSON.stringify({ message: 'Server Error' }))
      log.finish(entry, 500, startedAtRealMs)
    } finally {
      if (tokenForLimits !== null) secondaryLimits.leave(tokenForLimits)
    }
  }

  private async process(
    request: IncomingMessage,
    entry: RequestLogEntry,
    token: string | null,
    concurrency: SecondaryVerdict
  ): Promise<Outcome> {
    const { state, faults, clock, primaryLimits, secondaryLimits, router } = this.deps
    const rawBody = await readBody(request)
    const url = new URL(entry.path, this.deps.baseUrl)
    const path = this.canonicalPath(url.pathname)
    const { match } = router.match(entry.method, path)
    const route = match?.route ?? null
    const routeKey = route ? `${route.method} ${route.template}` : null
    entry.route = routeKey
    const base = this.baseHeaders(entry, route)

    if (token === null) {
      const status = unauthenticatedStatus(clock)
      return this.error(
        401,
        'Bad credentials',
        DOCS_ROOT,
        { ...base, ...rateHeaders(status) },
        'bad-credentials'
      )
    }
    if (rawBody === null) {
      const headers = { ...base, ...rateHeaders(primaryLimits.status(token, 'core')) }
      return this.error(413, 'Request body too large', DOCS_ROOT, headers, null)
    }

    // Primary rate limit. GET /rate_limit (resource null) is free, and unknown routes count as
    // core requests.
    const resource = route ? route.resource : 'core'
    if (faults.primaryExhaustion.fromRequest === entry.seq) primaryLimits.exhaust(token, 'core')
    if (faults.primaryExhaustion.onRequests.includes(entry.seq)) {
      const status = primaryLimits.status(token, resource ?? 'core')
      return this.primaryLimited({ ...status, remaining: 0, used: status.limit }, base)
    }
    if (resource !== null && !primaryLimits.consume(token, resource)) {
      return this.primaryLimited(primaryLimits.status(token, resource), base)
    }
    const headers = { ...base, ...rateHeaders(primaryLimits.status(token, resource ?? 'core')) }

    if (concurrency.limited) return this.secondaryLimited(concurrency.retryAfterSeconds, headers)
    const verdict = secondaryLimits.checkContent(token, entry.method)
    if (verdict.limited) {
      return this.secondaryLimited(verdict.retryAfterSeconds, headers, verdict.response)
    }

    const planned = this.planFaults(entry.seq)
    if (planned.drop && !faults.droppedConnections.afterHandler) return { kind: 'drop' }
    if (planned.serverError !== null && !faults.serverErrors.afterHandler) {
      return this.serverError(planned.serverError, headers)
    }

    await clock.sleep(faults.latencyFor(routeKey ?? '*'))

    if (!match || !route || !routeKey || !this.isOwnRepository(match.params)) {
      if (!match || !route) {
        this.violation(
          entry,
          'unknown-route',
          `${entry.method} ${url.pathname} is not a route the emulator serves`
        )
      }
      return this.error(404, 'Not Found', DOCS_ROOT, headers, null)
    }
    const operation = findOperation(routeKey)
    const documentationUrl = operation?.documentationUrl ?? DOCS_ROOT

    const access = faults.accessOf(token)
    const readOnlyWrite = access === 'read-only' && isContentCreating(entry.method)
    if (readOnlyWrite || (access === 'no-push' && route.needsPush === true)) {
      return this.error(
        403,
        'Resource not accessible by integration',
        documentationUrl,
        { ...headers, 'x-accepted-github-permissions': route.permission ?? 'issues=write' },
        'resource-not-accessible'
      )
    }

    const parsed = parseJson(rawBody)
    if (operation) {
      const check = checkRequest(routeKey, operation, {
        params: match.params,
        query: url.searchParams,
        rawBody,
        body: parsed.value,
        bodyParseError: parsed.failed
      })
      for (const problem of check.problems) this.violation(entry, problem.kind, problem.message)
      if (check.rejection) {
        const { status, message, errors } = check.rejection
        return this.error(status, message, documentationUrl, headers, null, errors)
      }
    }

    const context: RouteContext = {
      state,
      render: this.deps.render,
      faults,
      clock,
      primaryLimits,
      params: match.params,
      query: url.searchParams,
      body: parsed.value,
      token,
      access,
      actor: ACTIONS_BOT.login,
      baseUrl: this.deps.baseUrl
    }
    const outcome = this.runHandler(route, context, documentationUrl, headers)
    if (operation) this.checkResponseContract(entry, routeKey, operation, outcome)

    if (planned.drop) return { kind: 'drop' }
    if (planned.serverError !== null) return this.serverError(planned.serverError, headers)
    return outcome
  }

  private runHandler(
    route: Route,
    context: RouteContext,
    documentationUrl: string,
    headers: Record<string, string>
  ): Outcome {
    try {
      const result = route.handle(context)
      return {
        kind: 'response',
        status: result.status,
        body: result.body,
        headers: { ...headers, ...(result.headers ?? {}) },
        fault: null
      }
    } catch (error) {
      if (!(error instanceof ApiError)) throw error
      return this.error(
        error.status,
        error.message,
        error.options.documentationUrl ?? documentationUrl,
        { ...headers, ...(error.options.headers ?? {}) },
        null,
        error.options.errors
      )
    }
  }

  private checkResponseContract(
    entry: RequestLogEntry,
    routeKey: string,
    operation: OperationDescription,
    outcome: Outcome
  ): void {
    if (!this.deps.contract || outcome.kind !== 'response') return
    for (const problem of checkResponse(operation, routeKey, outcome.status, outcome.body)) {
      this.violation(entry, problem.kind, problem.message)
    }
  }

  /** Rewrites GitHub's /repositories/{id}/... form, which its Link headers use, to /repos/... */
  private canonicalPath(pathname: string): string {
    const { state } = this.deps
    const alias = /^\/repositories\/(\d+)(\/.*)?$/.exec(pathname)
    if (!alias || Number(alias[1]) !== state.repositoryId) return pathname
    return `/repos/${state.owner}/${state.repo}${alias[2] ?? ''}`
  }

  private isOwnRepository(params: Record<string, string>): boolean {
    const { state } = this.deps
    if (params.owner !== undefined && params.owner.toLowerCase() !== state.owner.toLowerCase()) {
      return false
    }
    return params.repo === undefined || params.repo.toLowerCase() === state.repo.toLowerCase()
  }

  /** Draws the random faults for a request, always in the same order so that a seed repeats. */
  private planFaults(seq: number): PlannedFaults {
    const { faults } = this.deps
    const drops = faults.droppedConnections
    const errors = faults.serverErrors
    const drop = drops.onRequests.includes(seq) || faults.random.chance(drops.probability)
    const failing = errors.onRequests.includes(seq) || faults.random.chance(errors.probability)
    const serverError =
      failing && errors.statuses.length > 0 ? faults.random.pick(errors.statuses) : null
    return { drop, serverError }
  }

  private baseHeaders(entry: RequestLogEntry, route: Route | null): Record<string, string> {
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'x-github-media-type': 'github.v3; format=json',
      'x-github-api-version-selected': '2022-11-28',
      'x-github-request-id': requestId(entry),
      // GitHub's clock, which clients compare with created_at; Node would send the real time.
      date: new Date(this.deps.clock.now()).toUTCString(),
      // Lets a client convert retry-after and x-ratelimit-reset (emulated seconds) to real time.
      'x-emulator-time-scale': String(this.deps.clock.scale)
    }
    if (route?.permission) headers['x-accepted-github-permissions'] = route.permission
    return headers
  }

  private error(
    status: number,
    message: string,
    documentationUrl: string,
    headers: Record<string, string>,
    fault: FaultKind | null,
    errors?: ValidationErrorItem[]
  ): Outcome {
    return {
      kind: 'response',
      status,
      body: errorBody(status, message, documentationUrl, errors),
      headers,
      fault
    }
  }

  private primaryLimited(status: RateStatus, headers: Record<string, string>): Outcome {
    const message = `API rate limit exceeded for installation ID ${this.deps.state.installationId}.`
    return this.error(
      403,
      message,
      RATE_LIMIT_DOCS,
      { ...headers, ...rateHeaders(status) },
      'primary-rate-limit'
    )
  }

  /**
   * Builds the secondary rate limit response in the form `response` gives, or else the one
   * `faults.secondary.response` selects.
   * `retry-after` is in emulated seconds, so a client divides it by `x-emulator-time-scale` for
   * the real wait.
   */
  private secondaryLimited(
    retryAfterSeconds: number,
    headers: Record<string, string>,
    response?: SecondaryLimitResponse
  ): Outcome {
    const mode = response ?? this.deps.faults.secondary.response
    const message =
      'You have exceeded a secondary rate limit. Please wait a few minutes before trying again. ' +
      'If you reach out to GitHub Support for help, please include the request ID ' +
      `${headers['x-github-request-id']}.`
    const status = mode === '429' ? 429 : 403
    const extra: Record<string, string> =
      mode === '403' ? {} : { 'retry-after': String(retryAfterSeconds) }
    return this.error(
      status,
      message,
      SECONDARY_RATE_LIMIT_DOCS,
      { ...headers, ...extra },
      'secondary-rate-limit'
    )
  }

  /** NOTE: GitHub's 5xx bodies vary and some are HTML, but the emulator always sends JSON. */
  private serverError(status: 500 | 502 | 503, headers: Record<string, string>): Outcome {
    const message = SERVER_ERROR_MESSAGES[status]
    return { kind: 'response', status, body: { message }, headers, fault: 'server-error' }
  }

  private violation(
    entry: RequestLogEntry,
    kind: ContractViolation['kind'],
    message: string
  ): void {
    if (!this.deps.contract) return
    this.deps.recordViolation({
      seq: entry.seq,
      method: entry.method,
      path: entry.path,
      route: entry.route,
      kind,
      message
    })
  }
}

/** Reads the token from "token X" or "Bearer X", the two forms GitHub accepts. */
function parseToken(header: string | undefined): string | null {
  const match = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(header ?? '')
  return match ? match[1]! : null
}

function rateHeaders(status: RateStatus): Record<string, string> {
  return {
    'x-ratelimit-limit': String(status.limit),
    'x-ratelimit-remaining': String(status.remaining),
    'x-ratelimit-used': String(status.used),
    'x-ratelimit-reset': String(status.reset),
    'x-ratelimit-resource': status.resource
  }
}

function unauthenticatedStatus(clock: EmulatedClock): RateStatus {
  return {
    limit: UNAUTHENTICATED_LIMIT,
    remaining: UNAUTHENTICATED_LIMIT,
    used: 0,
    reset: Math.ceil(clock.now() / 1000) + 3600,
    resource: 'core'
  }
}

/** Builds an id in GitHub's format, five colon-separated hex fields, unique per request. */
function requestId(entry: RequestLogEntry): string {
  const hex = (value: number, width: number) =>
    (value >>> 0).toString(16).toUpperCase().padStart(width, '0').slice(-width)
  return [
    hex(0xe000 + (entry.seq % 0x1000), 4),
    hex((entry.seq * 7919) % 0xffff, 4),
    hex(entry.seq, 7),
    hex(entry.seq * 31, 7),
    hex(Math.floor(entry.receivedAt / 1000), 8)
  ].join(':')
}

/** Reads the whole body as UTF-8, or returns null when it exceeds MAX_REQUEST_BYTES. */
async function readBody(request: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request) {
    const buffer = chunk as Buffer
    size += buffer.length
    if (size > MAX_REQUEST_BYTES) return null
    chunks.push(buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

function parseJson(text: string): { value: unknown; failed: boolean } {
  if (text.trim() === '') return { value: undefined, failed: false }
  try {
    return { value: JSON.parse(text) as unknown, failed: false }
  } catch {
    return { value: undefined, failed: true }
  }
}
