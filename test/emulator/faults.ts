import type { EmulatedClock } from './clock.js'
import { SeededRandom } from './random.js'

/**
 * Repository access of a token.
 * - `write`: push access, every endpoint works. Tokens not listed in `tokenAccess` have it.
 * - `no-push`: may open, edit and comment on issues. As GitHub documents for the create and
 *   update issue endpoints, labels, assignees and milestone are dropped silently. Writes to labels,
 *   milestones, sub-issues and dependencies get 403.
 * - `read-only`: every write gets 403 "Resource not accessible by integration".
 */
export type TokenAccess = 'write' | 'no-push' | 'read-only'

/**
 * Response to a request over a secondary rate limit. GitHub sends 403 or 429, with or without
 * `retry-after`, and its documentation directs clients to expect every variant.
 */
export type SecondaryLimitResponse = '403-retry-after' | '403' | '429'

export interface SecondaryLimitSettings {
  enabled: boolean
  /** Content-creating requests (POST, PATCH, PUT, DELETE) per emulated minute (GitHub: 80). */
  contentPerMinute: number
  /** Content-creating requests per emulated hour (GitHub: 500). */
  contentPerHour: number
  /** Requests in flight at once per token (GitHub: 100). */
  maxConcurrent: number
  response: SecondaryLimitResponse
  /**
   * Content-creating requests, numbered from 1 in arrival order, that get a secondary limit
   * response whatever the counts are, in the given form and with 60 s as `retry-after`. Tests
   * use it to show how legs wait out each form GitHub sends, at any scale.
   */
  forced: Record<number, SecondaryLimitResponse>
}

export interface ServerErrorSettings {
  /** Chance (0 to 1) that a request gets a 5xx response. */
  probability: number
  /** Request numbers (`RequestLogEntry.seq`) that always get a 5xx response. */
  onRequests: number[]
  /** Statuses to choose from, with the seeded PRNG. */
  statuses: Array<500 | 502 | 503>
  /**
   * When true, the route handler runs first and its result is thrown away, like a gateway
   * timeout after GitHub already stored the write. When false, nothing is written.
   */
  afterHandler: boolean
}

export interface DroppedConnectionSettings {
  /** Chance (0 to 1) that the socket is destroyed without a response. */
  probability: number
  onRequests: number[]
  /** When true, the write happens before the connection drops. */
  afterHandler: boolean
}

export interface PrimaryExhaustionSettings {
  /** Request numbers that get an exhausted primary limit, one request each. */
  onRequests: number[]
  /**
   * From this request number on, the token's primary quota counts as used up. It comes back when
   * the token's hourly window resets, as on GitHub.
   */
  fromRequest: number | null
}

/**
 * Fault injection and GitHub limit settings. Tests change the fields directly and call
 * `reset()` to restore the defaults. All durations are emulated milliseconds (see EmulatedClock).
 */
export class FaultSettings {
  /** Primary limit per token and hour. 1,000 is the limit of a GITHUB_TOKEN in Actions. */
  primaryLimit = 1000
  /** Search limit per token and minute, which GitHub counts apart from the primary limit. */
  searchLimit = 30
  primaryExhaustion: PrimaryExhaustionSettings = defaultPrimaryExhaustion()
  secondary: SecondaryLimitSettings = defaultSecondary()
  serverErrors: ServerErrorSettings = defaultServerErrors()
  droppedConnections: DroppedConnectionSettings = defaultDroppedConnections()
  /**
   * Delay before a new or changed issue shows in list and search results. GET by number always
   * returns the current issue, as on GitHub.
   */
  listLagMs = 0
  /** Added latency per route template ("POST /repos/{owner}/{repo}/issues") or "*" for all. */
  latencyMs: Record<string, number> = {}
  /** Access per token. Tokens not listed have `write`. */
  tokenAccess: Record<string, TokenAccess> = {}

  private currentSeed = 1
  private generator = new SeededRandom(1)

  constructor(
    private readonly clock: EmulatedClock,
    private readonly nextRequestNumber: () => number
  ) {}

  get seed(): number {
    return this.currentSeed
  }

  /** Restarts the PRNG from `seed`. */
  set seed(seed: number) {
    this.currentSeed = seed
    this.generator = new SeededRandom(seed)
  }

  get random(): SeededRandom {
    return this.generator
  }

  /** Emulated time speed: 60 means one emulated minute passes in one real second. */
  get timeScale(): number {
    return this.clock.scale
  }

  set timeScale(scale: number) {
    this.clock.scale = scale
  }

  /** Makes the next request fail with an exhausted primary limit. */
  exhaustPrimaryOnce(): void {
    this.primaryExhaustion.onRequests.push(this.nextRequestNumber())
  }

  /** Uses up the primary quota from the next request until the token's window resets. */
  exhaustPrimaryFromNextRequest(): void {
    this.primaryExhaustion.fromRequest = this.nextRequestNumber()
  }

  accessOf(token: string): TokenAccess {
    return this.tokenAccess[token] ?? 'write'
  }

  /** Added latency for a route, in emulated milliseconds. */
  latencyFor(route: string): number {
    return this.latencyMs[route] ?? this.latencyMs['*'] ?? 0
  }

  /**
   * Restores every default, the seed (1) and the time scale (1) included. Emulated time that
   * already passed, `clock.advance` included, stays.
   */
  reset(): void {
    this.primaryLimit = 1000
    this.searchLimit = 30
    this.primaryExhaustion = defaultPrimaryExhaustion()
    this.secondary = defaultSecondary()
    this.serverErrors = defaultServerErrors()
    this.droppedConnections = defaultDroppedConnections()
    this.listLagMs = 0
    this.latencyMs = {}
    this.tokenAccess = {}
    this.seed = 1
    this.timeScale = 1
  }
}

function defaultPrimaryExhaustion(): PrimaryExhaustionSettings {
  return { onRequests: [], fromRequest: null }
}

function defaultSecondary(): SecondaryLimitSettings {
  return {
    enabled: true,
    contentPerMinute: 80,
    contentPerHour: 500,
    maxConcurrent: 100,
    response: '403-retry-after',
    forced: {}
  }
}

function defaultServerErrors(): ServerErrorSettings {
  return { probability: 0, onRequests: [], statuses: [502], afterHandler: false }
}

function defaultDroppedConnections(): DroppedConnectionSettings {
  return { probability: 0, onRequests: [], afterHandler: false }
}
