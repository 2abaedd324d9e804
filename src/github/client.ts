import { getOctokit } from '@actions/github'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import Bottleneck from 'bottleneck'

export type Octokit = ReturnType<typeof getOctokit>

/** The log for waits and retries: @actions/core in the actions, a recorder in tests. */
export interface GitHubLogger {
  info(message: string): void
  warning(message: string): void
  debug(message: string): void
}

export interface ClientOptions {
  /** The REST API root: GITHUB_API_URL on a runner, the emulator's URL in tests. */
  baseUrl: string
  logger: GitHubLogger
  /**
   * Divides every wait: retry-after, backoff and pacing. 1 in production. Tests and
   * benchmarks that run the emulator's clock faster set PARALLEL_SETUP_TIME_SCALE to match.
   */
  timeScale?: number
  /** Extra headers on every request; tests tag each leg's requests with one. */
  headers?: Record<string, string>
  /**
   * Key of the throttling plugin's shared queues, which it keeps per process: clients with the
   * same key send at most 10 requests at once between them. Legs that run in one process pass
   * their own key, so that each throttles only itself, as on its own runner.
   */
  throttleId?: string
  /**
   * The fetch that sends each request after its queue releases it. Tests pass one that
   * records when each request leaves the client.
   */
  fetch?: typeof globalThis.fetch
}

/** Retries after a secondary rate limit before the leg gives up. */
const MAX_SECONDARY_LIMIT_RETRIES = 8
/** Ceiling of the random backoff that grows with each retry after a secondary limit, in seconds. */
const MAX_SECONDARY_BACKOFF_SECONDS = 64

/**
 * Returns the seconds a client waits on top of retry-after before retry `retryCount + 1`: a
 * random share of 2, 4, 8 ... up to 64 s. GitHub's docs request exponentially growing waits
 * when a secondary limit keeps rejecting. The random share keeps many legs that received the same
 * short retry-after from coming back at the same moment and meeting the limit again.
 */
export function secondaryLimitBackoffSeconds(retryCount: number, random = Math.random): number {
  const ceiling = Math.min(2 ** (retryCount + 1), MAX_SECONDARY_BACKOFF_SECONDS)
  return Math.round(random() * ceiling)
}
/** Retries after the primary rate limit: waiting an hour for a reset is rarely useful in a job. */
const MAX_PRIMARY_LIMIT_RETRIES = 1
const MAX_PRIMARY_LIMIT_WAIT_SECONDS = 15 * 60

/**
 * The minimum time between two writes of one client. GitHub's REST best practices ask for a
 * pause of at least one second between POST, PATCH, PUT and DELETE requests.
 */
const WRITE_SPACING_MS = 1000

/** Reads the time scale that tests and benchmarks set; 1 on real runners. */
export function readTimeScale(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env.PARALLEL_SETUP_TIME_SCALE ?? '1')
  return Number.isFinite(value) && value > 0 ? value : 1
}

/**
 * Creates the one Octokit every module uses, with the throttling and retry plugins that
 * @actions/github leaves out. Secondary limits wait for retry-after, or 60 s when it is
 * missing, as GitHub's documentation requests. 5xx responses and dropped connections are retried with backoff.
 */
export function createGitHubClient(token: string, options: ClientOptions): Octokit {
  const scale = options.timeScale ?? 1
  const { logger } = options
  const octokit = getOctokit(
    token,
    {
      baseUrl: options.baseUrl,
      ...(options.fetch === undefined ? {} : { request: { fetch: options.fetch } }),
      log: {
        debug: (message: string) => logger.debug(message),
        info: (message: string) => logger.debug(message),
        warn: (message: string) => logger.warning(message),
        error: (message: string) => logger.warning(message)
      },
      throttle: {
        // The plugin copies every key, so an undefined id would replace its default.
        ...(options.throttleId === undefined ? {} : { id: options.throttleId }),
        retryAfterBaseValue: 1000 / scale,
        ...writeQueues(WRITE_SPACING_MS / scale),
        onSecondaryRateLimit: async (
          retryAfter: number,
          request: RequestDescription,
          _octokit: unknown,
          retryCount: number
        ) => {
          const retrying = retryCount < MAX_SECONDARY_LIMIT_RETRIES
          if (!retrying) {
            logger.warning(
              `GitHub's secondary rate limit rejected ${describeRequest(request)}; giving up after the last retry.`
            )
            return false
          }
          const extraSeconds = secondaryLimitBackoffSeconds(retryCount)
          logger.warning(
            `GitHub's secondary rate limit rejected ${describeRequest(request)}; ` +
              `waiting ${retryAfter + extraSeconds} s before retry ${retryCount + 1}.`
          )
          // The plugin then waits retry-after, so the backoff comes first.
          await new Promise((resolve) => setTimeout(resolve, (extraSeconds * 1000) / scale))
          return true
        },
        onRateLimit: (
          retryAfter: number,
          request: RequestDescription,
          _octokit: unknown,
          retryCount: number
        ) => {
          const retrying =
            retryCount < MAX_PRIMARY_LIMIT_RETRIES && retryAfter <= MAX_PRIMARY_LIMIT_WAIT_SECONDS
          logger.warning(
            `The token's hourly API rate limit is used up (${describeRequest(request)}); ` +
              (retrying
                ? `waiting ${retryAfter} s for the reset.`
                : `the reset is ${retryAfter} s away, so the request fails.`)
          )
          return retrying
        }
      },
      // The retry plugin would retry a 429 after 1, 4 and 9 s, ignoring retry-after, so
      // retryUnnamedLimits handles the 429 responses that the throttling plugin does not.
      retry: {
        retryAfterBaseValue: 1000 / scale,
        doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451]
      }
    },
    throttling,
    retry
  )
  octokit.hook.wrap('request', (request, requestOptions) =>
    retryUnnamedLimits(async () => request(requestOptions), requestOptions, scale, logger)
  )
  const extraHeaders = options.headers
  // Octokit's constructor has no option for default headers, so a hook adds them.
  if (extraHeaders) {
    octokit.hook.before('request', (request) => {
      Object.assign(request.headers, extraHeaders)
    })
  }
  return octokit
}

/**
 * Creates this client's own queues for writes. The throttling plugin otherwise shares one
 * queue per process among all clients, and spaces requests that notify people (such as a
 * new issue) 3 s apart. That would queue every task of a CLI run behind one another, 3 s
 * each, while GitHub's docs request one second between writes.
 */
function writeQueues(spacingMs: number): {
  write: Bottleneck.Group
  notifications: Bottleneck.Group
} {
  const queue = (id: string): Bottleneck.Group =>
    new Bottleneck.Group({ id, maxConcurrent: 1, minTime: spacingMs })
  return {
    write: queue('parallel-setup-write'),
    notifications: queue('parallel-setup-notifications')
  }
}

/** The fields of an Octokit RequestError that tell the kind of limit apart. */
interface LimitError {
  status?: number
  message?: string
  response?: { headers?: Record<string, string | number | undefined> }
}

/**
 * Returns the seconds to wait before retrying a 429 that the throttling plugin leaves alone,
 * or undefined for any other error. The plugin handles a 429 whose message names a secondary
 * limit, or whose x-ratelimit-remaining is 0. GitHub's docs request that clients wait for retry-after
 * whenever a response has it, and 60 s otherwise.
 */
export function unnamedLimitWaitSeconds(error: unknown): number | undefined {
  const failure = error as LimitError
  if (failure?.status !== 429) return undefined
  if (/\bsecondary rate\b/i.test(failure.message ?? '')) return undefined
  const headers = failure.response?.headers ?? {}
  if (String(headers['x-ratelimit-remaining']) === '0') return undefined
  const retryAfter = Number(headers['retry-after'])
  return Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : 60
}

/**
 * Sends a request and, after a 429 that names no limit, waits for the time the response gives
 * and sends it again, up to the retry count of secondary limits. Each retry goes through the queues again.
 */
async function retryUnnamedLimits<T>(
  send: () => Promise<T>,
  request: RequestDescription,
  scale: number,
  logger: GitHubLogger
): Promise<T> {
  for (let retryCount = 0; ; retryCount++) {
    try {
      return await send()
    } catch (error) {
      const waitSeconds = unnamedLimitWaitSeconds(error)
      if (waitSeconds === undefined) throw error
      if (retryCount >= MAX_SECONDARY_LIMIT_RETRIES) {
        logger.warning(
          `GitHub responded to ${describeRequest(request)} with 429 Too Many Requests; giving up after the last retry.`
        )
        throw error
      }
      const totalSeconds = waitSeconds + secondaryLimitBackoffSeconds(retryCount)
      logger.warning(
        `GitHub responded to ${describeRequest(request)} with 429 Too Many Requests; ` +
          `waiting ${totalSeconds} s before retry ${retryCount + 1}.`
      )
      await new Promise((resolve) => setTimeout(resolve, (totalSeconds * 1000) / scale))
    }
  }
}

interface RequestDescription {
  method?: string
  url?: string
}

function describeRequest(request: RequestDescription): string {
  return `${request.method ?? 'GET'} ${request.url ?? ''}`.trim()
}
