import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { DEFAULT_TOKEN, GitHubEmulator } from '../../test/emulator/index.js'
import {
  clientFor,
  rawRequest,
  rejectionOf,
  repoOf,
  startEmulator,
  type Client
} from './helpers.js'

const READ_ONLY_TOKEN = 'ghs_readOnlyToken'
const SECONDARY_MESSAGE =
  /^You have exceeded a secondary rate limit\. Please wait a few minutes before trying again\. If you reach out to GitHub Support for help, please include the request ID [0-9A-F:]+\.$/

let emulator: GitHubEmulator
let octokit: Client

beforeEach(async () => {
  emulator = await startEmulator({ token: [DEFAULT_TOKEN, READ_ONLY_TOKEN] })
  octokit = clientFor(emulator)
})

afterEach(async () => {
  await emulator.stop()
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Slows the emulated clock so far that a whole test takes well under one emulated second. */
function freezeClock(target: GitHubEmulator): void {
  target.faults.timeScale = 0.001
}

async function createIssues(count: number, batch = 20): Promise<number[]> {
  const statuses: number[] = []
  for (let start = 0; start < count; start += batch) {
    const size = Math.min(batch, count - start)
    const results = await Promise.all(
      Array.from({ length: size }, (_, index) =>
        rawRequest(emulator, 'POST', '/repos/octo-org/parallel-setup-demo/issues', {
          body: JSON.stringify({ title: `Issue ${start + index}` })
        })
      )
    )
    statuses.push(...results.map((result) => result.status))
  }
  return statuses
}

describe('secondary rate limits', () => {
  test('default to GitHub documented limits', () => {
    expect(emulator.faults.secondary).toEqual({
      enabled: true,
      contentPerMinute: 80,
      contentPerHour: 500,
      maxConcurrent: 100,
      response: '403-retry-after',
      forced: {}
    })
  })

  test('answer forced writes in their own form', async () => {
    emulator.faults.secondary.forced = { 2: '403', 3: '429' }

    await octokit.rest.issues.create({ ...repoOf(emulator), title: 'First' })
    const plain = await rejectionOf(
      octokit.rest.issues.create({ ...repoOf(emulator), title: 'Second' })
    )
    const tooMany = await rejectionOf(
      octokit.rest.issues.create({ ...repoOf(emulator), title: 'Third' })
    )
    const fourth = await octokit.rest.issues.create({ ...repoOf(emulator), title: 'Fourth' })

    expect(plain.status).toBe(403)
    expect(plain.headers['retry-after']).toBeUndefined()
    expect(tooMany.status).toBe(429)
    expect(tooMany.headers['retry-after']).toBe('60')
    expect(String(tooMany.data.message)).toMatch(SECONDARY_MESSAGE)
    expect(fourth.status).toBe(201)
    expect([...emulator.state.issues.values()].map((issue) => issue.title)).toEqual([
      'First',
      'Fourth'
    ])
  })

  test('reject the 81st write per minute', async () => {
    freezeClock(emulator)

    const statuses = await createIssues(80)
    const failure = await rejectionOf(
      octokit.rest.issues.create({ ...repoOf(emulator), title: 'Too many' })
    )
    const read = await octokit.rest.issues.get({ ...repoOf(emulator), issue_number: 1 })
    emulator.clock.advance(60_000)
    const afterWindow = await octokit.rest.issues.create({ ...repoOf(emulator), title: 'Later' })

    expect(statuses.filter((status) => status === 201).length).toBe(80)
    expect(failure.status).toBe(403)
    expect(failure.headers['retry-after']).toBe('60')
    expect(failure.headers['x-ratelimit-remaining']).toBe('919')
    expect(String(failure.data.message)).toMatch(SECONDARY_MESSAGE)
    expect(failure.data.documentation_url).toBe(
      'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits'
    )
    expect(read.status).toBe(200)
    expect(afterWindow.status).toBe(201)
    expect(emulator.log.count({ fault: 'secondary-rate-limit' })).toBe(1)
  })

  test('compress the minute window with timeScale', async () => {
    emulator.faults.timeScale = 60

    await createIssues(80, 40)
    const failure = await rejectionOf(
      octokit.rest.issues.create({ ...repoOf(emulator), title: 'Too many' })
    )
    const retryAfter = Number(failure.headers['retry-after'])
    // retry-after is in emulated seconds, and one emulated minute takes one real second here.
    await sleep((retryAfter * 1000) / 60 + 50)
    const retried = await octokit.rest.issues.create({ ...repoOf(emulator), title: 'Retried' })

    expect(failure.status).toBe(403)
    expect(failure.headers['x-emulator-time-scale']).toBe('60')
    expect(retryAfter).toBeGreaterThanOrEqual(1)
    expect(retryAfter).toBeLessThanOrEqual(60)
    expect(retried.status).toBe(201)
  })

  test('reject the 501st write in an hour', async () => {
    freezeClock(emulator)
    emulator.faults.secondary.contentPerMinute = 1_000

    const statuses = await createIssues(500, 50)
    const failure = await rejectionOf(
      octokit.rest.issues.create({ ...repoOf(emulator), title: 'Too many' })
    )
    emulator.clock.advance(3_600_000)
    const afterWindow = await octokit.rest.issues.create({ ...repoOf(emulator), title: 'Later' })

    expect(statuses.filter((status) => status === 201).length).toBe(500)
    expect(failure.status).toBe(403)
    expect(failure.headers['retry-after']).toBe('3600')
    expect(afterWindow.status).toBe(201)
  })

  test('use the selected response variant', async () => {
    freezeClock(emulator)
    emulator.faults.secondary.contentPerMinute = 1

    await octokit.rest.issues.create({ ...repoOf(emulator), title: 'First' })
    emulator.faults.secondary.response = '403'
    const plain = await rejectionOf(
      octokit.rest.issues.create({ ...repoOf(emulator), title: 'Second' })
    )
    emulator.faults.secondary.response = '429'
    const tooMany = await rejectionOf(
      octokit.rest.issues.create({ ...repoOf(emulator), title: 'Third' })
    )

    expect(plain.status).toBe(403)
    expect(plain.headers['retry-after']).toBeUndefined()
    expect(String(plain.data.message)).toMatch(SECONDARY_MESSAGE)
    expect(tooMany.status).toBe(429)
    expect(tooMany.headers['retry-after']).toBe('60')
    expect(String(tooMany.data.message)).toMatch(SECONDARY_MESSAGE)
  })

  test('reject requests beyond 100 in flight', async () => {
    emulator.faults.latencyMs['*'] = 400

    const results = await Promise.all(
      Array.from({ length: 105 }, () =>
        rawRequest(emulator, 'GET', '/repos/octo-org/parallel-setup-demo')
      )
    )

    expect(results.filter((result) => result.status === 200).length).toBe(100)
    expect(results.filter((result) => result.status === 403).length).toBe(5)
    // A rejected request may finish before the next one arrives, so the peak is 101 to 105.
    expect(emulator.log.maxConcurrency).toBeGreaterThanOrEqual(101)
    expect(emulator.log.maxConcurrency).toBeLessThanOrEqual(105)
    expect(emulator.log.count({ fault: 'secondary-rate-limit' })).toBe(5)
  })
})

describe('primary rate limit', () => {
  test('answers 403 when the quota is used', async () => {
    freezeClock(emulator)
    emulator.faults.primaryLimit = 3

    const remaining: Array<string | undefined> = []
    for (let index = 0; index < 3; index++) {
      const response = await octokit.rest.repos.get({ ...repoOf(emulator) })
      remaining.push(response.headers['x-ratelimit-remaining'])
    }
    const failure = await rejectionOf(octokit.rest.repos.get({ ...repoOf(emulator) }))
    const overview = await octokit.rest.rateLimit.get()
    emulator.clock.advance(3_600_000)
    const nextHour = await octokit.rest.repos.get({ ...repoOf(emulator) })

    expect(remaining).toEqual(['2', '1', '0'])
    expect(failure.status).toBe(403)
    expect(failure.data).toEqual({
      message: 'API rate limit exceeded for installation ID 41234567.',
      documentation_url:
        'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api',
      status: '403'
    })
    expect(failure.headers['x-ratelimit-remaining']).toBe('0')
    expect(failure.headers['x-ratelimit-used']).toBe('3')
    expect(overview.data.resources.core).toMatchObject({ limit: 3, used: 3, remaining: 0 })
    expect(nextHour.headers['x-ratelimit-remaining']).toBe('2')
  })

  test('defaults to 1000 requests an hour', async () => {
    const response = await octokit.rest.rateLimit.get()

    expect(response.data.rate).toMatchObject({ limit: 1000, used: 0, remaining: 1000 })
    expect(response.headers['x-ratelimit-limit']).toBe('1000')
  })

  test('can be exhausted for one request', async () => {
    emulator.faults.exhaustPrimaryOnce()

    const failure = await rejectionOf(octokit.rest.repos.get({ ...repoOf(emulator) }))
    const next = await octokit.rest.repos.get({ ...repoOf(emulator) })

    expect(failure.status).toBe(403)
    expect(failure.headers['x-ratelimit-remaining']).toBe('0')
    expect(next.status).toBe(200)
    expect(next.headers['x-ratelimit-remaining']).toBe('999')
  })

  test('stays exhausted until the window resets', async () => {
    freezeClock(emulator)
    await octokit.rest.repos.get({ ...repoOf(emulator) })
    emulator.faults.primaryExhaustion.fromRequest = emulator.log.nextSeq + 1

    const before = await octokit.rest.repos.get({ ...repoOf(emulator) })
    const first = await rejectionOf(octokit.rest.repos.get({ ...repoOf(emulator) }))
    const second = await rejectionOf(octokit.rest.repos.get({ ...repoOf(emulator) }))
    emulator.clock.advance(3_600_000)
    const after = await octokit.rest.repos.get({ ...repoOf(emulator) })

    expect(before.status).toBe(200)
    expect(first.status).toBe(403)
    expect(second.status).toBe(403)
    expect(second.headers['x-ratelimit-used']).toBe('1000')
    expect(after.status).toBe(200)
    expect(emulator.log.count({ fault: 'primary-rate-limit' })).toBe(2)
  })

  test('counts search apart, 30 a minute', async () => {
    freezeClock(emulator)

    const statuses: number[] = []
    for (let index = 0; index < 31; index++) {
      const response = await rawRequest(
        emulator,
        'GET',
        '/search/issues?q=repo:octo-org/parallel-setup-demo'
      )
      statuses.push(response.status)
    }
    const core = await octokit.rest.repos.get({ ...repoOf(emulator) })

    expect(statuses.filter((status) => status === 200).length).toBe(30)
    expect(statuses.at(-1)).toBe(403)
    expect(core.headers['x-ratelimit-used']).toBe('1')
    expect(emulator.log.count({ route: 'GET /search/issues' })).toBe(31)
  })
})

describe('server errors and dropped connections', () => {
  test('answer chosen request numbers with 502', async () => {
    emulator.faults.serverErrors.onRequests = [emulator.log.nextSeq]

    const failure = await rejectionOf(octokit.rest.repos.get({ ...repoOf(emulator) }))
    const next = await octokit.rest.repos.get({ ...repoOf(emulator) })

    expect(failure.status).toBe(502)
    expect(failure.data).toEqual({ message: 'Bad Gateway' })
    expect(next.status).toBe(200)
  })

  test('repeat the same random faults for the same seed', async () => {
    const run = async (target: GitHubEmulator) => {
      target.faults.seed = 42
      target.faults.serverErrors = {
        probability: 0.5,
        onRequests: [],
        statuses: [500, 502, 503],
        afterHandler: false
      }
      const statuses: number[] = []
      for (let index = 0; index < 10; index++) {
        statuses.push((await rawRequest(target, 'GET', '/rate_limit')).status)
      }
      return statuses
    }
    const other = await startEmulator()

    const first = await run(emulator)
    const second = await run(other)
    await other.stop()

    expect(first).toEqual([200, 503, 200, 502, 502, 200, 500, 200, 200, 500])
    expect(second).toEqual(first)
  })

  test('can fail after the write was stored', async () => {
    emulator.faults.serverErrors = {
      probability: 0,
      onRequests: [emulator.log.nextSeq],
      statuses: [500],
      afterHandler: true
    }

    const failure = await rejectionOf(
      octokit.rest.issues.create({ ...repoOf(emulator), title: 'Stored anyway' })
    )

    expect(failure.status).toBe(500)
    expect(emulator.state.issue(1)?.title).toBe('Stored anyway')
  })

  test('drop the connection without a response', async () => {
    emulator.faults.droppedConnections.onRequests = [emulator.log.nextSeq]

    const failure = await rejectionOf(
      octokit.rest.issues.create({ ...repoOf(emulator), title: 'Dropped' })
    )
    const entry = emulator.log.entries().at(-1)

    expect(failure.status).toBe(500)
    expect(failure.message).toMatch(/fetch failed|other side closed|socket/i)
    expect(entry?.status).toBeNull()
    expect(entry?.fault).toBe('dropped-connection')
    expect(emulator.state.issues.size).toBe(0)
  })

  test('drop after the write was stored', async () => {
    emulator.faults.droppedConnections = {
      probability: 0,
      onRequests: [emulator.log.nextSeq],
      afterHandler: true
    }

    await rejectionOf(
      octokit.rest.issues.create({ ...repoOf(emulator), title: 'Stored, then dropped' })
    )

    expect(emulator.state.issue(1)?.title).toBe('Stored, then dropped')
  })
})

describe('lagging lists', () => {
  test('show new issues only after listLagMs', async () => {
    freezeClock(emulator)
    emulator.faults.listLagMs = 5_000

    const created = await octokit.rest.issues.create({ ...repoOf(emulator), title: 'Fresh' })
    const byNumber = await octokit.rest.issues.get({
      ...repoOf(emulator),
      issue_number: created.data.number
    })
    const early = await octokit.rest.issues.listForRepo({ ...repoOf(emulator) })
    emulator.clock.advance(5_000)
    const late = await octokit.rest.issues.listForRepo({ ...repoOf(emulator) })

    expect(byNumber.data.title).toBe('Fresh')
    expect(early.data).toEqual([])
    expect(late.data.map((issue) => issue.title)).toEqual(['Fresh'])
  })

  test('show the old state of a changed issue', async () => {
    freezeClock(emulator)
    const issue = emulator.state.addIssue({ title: 'Old title' })
    emulator.faults.listLagMs = 5_000

    await octokit.rest.issues.update({
      ...repoOf(emulator),
      issue_number: issue.number,
      title: 'New',
      state: 'closed'
    })
    const open = await octokit.rest.issues.listForRepo({ ...repoOf(emulator) })
    emulator.clock.advance(5_000)
    const openLater = await octokit.rest.issues.listForRepo({ ...repoOf(emulator) })
    const closedLater = await octokit.rest.issues.listForRepo({
      ...repoOf(emulator),
      state: 'closed'
    })

    expect(open.data.map((entry) => [entry.title, entry.state])).toEqual([['Old title', 'open']])
    expect(openLater.data).toEqual([])
    expect(closedLater.data.map((entry) => entry.title)).toEqual(['New'])
  })
})

describe('latency', () => {
  test('delays only the chosen route', async () => {
    emulator.faults.latencyMs['GET /repos/{owner}/{repo}'] = 250

    await octokit.rest.repos.get({ ...repoOf(emulator) })
    await octokit.rest.rateLimit.get()
    const [slow, fast] = emulator.log.entries()

    expect(slow?.durationMs).toBeGreaterThanOrEqual(245)
    expect(fast?.durationMs).toBeLessThan(245)
  })

  test('is emulated time and shrinks with timeScale', async () => {
    emulator.faults.timeScale = 10
    emulator.faults.latencyMs['*'] = 2_000

    await octokit.rest.rateLimit.get()
    const entry = emulator.log.entries()[0]

    expect(entry?.durationMs).toBeGreaterThanOrEqual(195)
    expect(entry?.durationMs).toBeLessThan(1_000)
  })
})

describe('token access', () => {
  test('read-only token cannot write', async () => {
    emulator.faults.tokenAccess[READ_ONLY_TOKEN] = 'read-only'
    const readOnly = clientFor(emulator, { token: READ_ONLY_TOKEN })

    const failure = await rejectionOf(
      readOnly.rest.issues.create({ ...repoOf(emulator), title: 'Denied' })
    )
    const read = await readOnly.rest.repos.get({ ...repoOf(emulator) })

    expect(failure.status).toBe(403)
    expect(failure.data).toEqual({
      message: 'Resource not accessible by integration',
      documentation_url: 'https://docs.github.com/rest/issues/issues#create-an-issue',
      status: '403'
    })
    expect(failure.headers['x-accepted-github-permissions']).toBe('issues=write')
    expect(read.data.permissions).toEqual({
      admin: false,
      maintain: false,
      push: false,
      triage: false,
      pull: true
    })
    expect(emulator.state.issues.size).toBe(0)
  })

  test('no-push token cannot create labels', async () => {
    emulator.faults.tokenAccess[READ_ONLY_TOKEN] = 'no-push'
    const noPush = clientFor(emulator, { token: READ_ONLY_TOKEN })

    const created = await noPush.rest.issues.create({ ...repoOf(emulator), title: 'Allowed' })
    const failure = await rejectionOf(
      noPush.rest.issues.createLabel({ ...repoOf(emulator), name: 'x' })
    )

    expect(created.status).toBe(201)
    expect(failure.status).toBe(403)
    expect(failure.data.message).toBe('Resource not accessible by integration')
  })
})

describe('request log', () => {
  test('counts requests per leg, method and route', async () => {
    const legA = clientFor(emulator, { leg: 'a' })
    const legB = clientFor(emulator, { leg: 'b' })

    await legA.rest.issues.create({ ...repoOf(emulator), title: 'A' })
    await legA.rest.issues.get({ ...repoOf(emulator), issue_number: 1 })
    await legB.rest.issues.create({ ...repoOf(emulator), title: 'B' })
    await octokit.rest.rateLimit.get()

    expect(emulator.log.count({ leg: 'a' })).toBe(2)
    expect(emulator.log.count({ leg: 'b' })).toBe(1)
    expect(emulator.log.count({ leg: 'a', method: 'POST' })).toBe(1)
    expect(emulator.log.count({ route: 'POST /repos/{owner}/{repo}/issues' })).toBe(2)
    expect(emulator.log.count()).toBe(4)
    expect(emulator.log.entries({ leg: 'b' })[0]).toMatchObject({
      seq: 3,
      method: 'POST',
      path: '/repos/octo-org/parallel-setup-demo/issues',
      route: 'POST /repos/{owner}/{repo}/issues',
      status: 201,
      token: DEFAULT_TOKEN,
      leg: 'b',
      fault: null
    })
    expect(emulator.log.count({ route: 'GET /search/issues' })).toBe(0)
  })
})
