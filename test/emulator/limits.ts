import type { EmulatedClock } from './clock.js'
import type { FaultSettings, SecondaryLimitResponse } from './faults.js'

/** Rate-limit resource names as GitHub reports them in `x-ratelimit-resource`. */
export type RateResource = 'core' | 'search'

export interface RateStatus {
  limit: number
  remaining: number
  used: number
  /** Emulated Unix time in seconds when the window resets. */
  reset: number
  resource: RateResource
}

interface Window {
  startMs: number
  used: number
}

const HOUR_MS = 3_600_000
const MINUTE_MS = 60_000

/**
 * Primary rate limits per token: `faults.primaryLimit` core requests per emulated hour and
 * `faults.searchLimit` search requests per emulated minute. A window starts with the token's
 * first request, as GitHub's does, and `x-ratelimit-reset` names its end.
 */
export class PrimaryRateLimiter {
  private readonly windows = new Map<string, Window>()

  constructor(
    private readonly clock: EmulatedClock,
    private readonly faults: FaultSettings
  ) {}

  status(token: string, resource: RateResource): RateStatus {
    const limit = this.limitOf(resource)
    const window = this.currentWindow(token, resource)
    const used = Math.min(window.used, limit)
    return {
      limit,
      remaining: limit - used,
      used,
      reset: Math.ceil((window.startMs + this.lengthOf(resource)) / 1000),
      resource
    }
  }

  /** Counts one request. Returns false, without counting, when the quota is used up. */
  consume(token: string, resource: RateResource): boolean {
    const window = this.currentWindow(token, resource)
    if (window.used >= this.limitOf(resource)) return false
    window.used += 1
    return true
  }

  /** Uses up the rest of the token's quota in its current window. */
  exhaust(token: string, resource: RateResource): void {
    this.currentWindow(token, resource).used = this.limitOf(resource)
  }

  private currentWindow(token: string, resource: RateResource): Window {
    const key = `${resource}\u0000${token}`
    const now = this.clock.now()
    let window = this.windows.get(key)
    if (!window || now >= window.startMs + this.lengthOf(resource)) {
      window = { startMs: now, used: 0 }
      this.windows.set(key, window)
    }
    return window
  }

  private limitOf(resource: RateResource): number {
    return resource === 'search' ? this.faults.searchLimit : this.faults.primaryLimit
  }

  private lengthOf(resource: RateResource): number {
    return resource === 'search' ? MINUTE_MS : HOUR_MS
  }
}

export type SecondaryVerdict =
  | { limited: false }
  | {
      limited: true
      reason: 'concurrency' | 'content-per-minute' | 'content-per-hour' | 'forced'
      retryAfterSeconds: number
      /** The form of the response, when it differs from `faults.secondary.response`. */
      response?: SecondaryLimitResponse
    }

/**
 * GitHub's documented secondary rate limits per token: requests in flight at once, and
 * content-creating requests (POST, PATCH, PUT, DELETE) per minute and per hour. Requests that a
 * limit rejects do not count toward the content windows.
 */
export class SecondaryRateLimiter {
  private readonly contentTimes = new Map<string, number[]>()
  private readonly inFlight = new Map<string, number>()
  private contentRequests = 0

  constructor(
    private readonly clock: EmulatedClock,
    private readonly faults: FaultSettings
  ) {}

  enter(token: string): void {
    this.inFlight.set(token, (this.inFlight.get(token) ?? 0) + 1)
  }

  leave(token: string): void {
    this.inFlight.set(token, (this.inFlight.get(token) ?? 1) - 1)
  }

  /**
   * Decides whether a request that just called `enter` exceeds the concurrency limit. Call it
   * before any await, because requests that arrive later must not count against earlier ones.
   */
  checkConcurrency(token: string): SecondaryVerdict {
    const settings = this.faults.secondary
    if (!settings.enabled) return { limited: false }
    // GitHub's documentation directs clients to wait at least one minute after a secondary limit
    // without a stated reset, and a concurrency limit has none.
    if ((this.inFlight.get(token) ?? 0) > settings.maxConcurrent) {
      return { limited: true, reason: 'concurrency', retryAfterSeconds: 60 }
    }
    return { limited: false }
  }

  /** Decides whether a content-creating request passes the per-minute and per-hour limits. */
  checkContent(token: string, method: string): SecondaryVerdict {
    const settings = this.faults.secondary
    if (!settings.enabled || !isContentCreating(method)) return { limited: false }
    this.contentRequests += 1
    const forced = settings.forced[this.contentRequests]
    if (forced !== undefined) {
      return { limited: true, reason: 'forced', retryAfterSeconds: 60, response: forced }
    }

    const now = this.clock.now()
    const times = (this.contentTimes.get(token) ?? []).filter((time) => time > now - HOUR_MS)
    this.contentTimes.set(token, times)

    const lastMinute = times.filter((time) => time > now - MINUTE_MS)
    if (lastMinute.length >= settings.contentPerMinute) {
      return {
        limited: true,
        reason: 'content-per-minute',
        retryAfterSeconds: secondsUntil(lastMinute[0]! + MINUTE_MS, now)
      }
    }
    if (times.length >= settings.contentPerHour) {
      return {
        limited: true,
        reason: 'content-per-hour',
        retryAfterSeconds: secondsUntil(times[0]! + HOUR_MS, now)
      }
    }
    times.push(now)
    return { limited: false }
  }
}

export function isContentCreating(method: string): boolean {
  return method === 'POST' || method === 'PATCH' || method === 'PUT' || method === 'DELETE'
}

function secondsUntil(timeMs: number, nowMs: number): number {
  return Math.max(1, Math.ceil((timeMs - nowMs) / 1000))
}
