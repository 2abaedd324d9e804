/**
 * The write queues of createGitHubClient, against the emulator over HTTP: one second between
 * writes of one client, divided by the time scale, and no queue shared between clients. The
 * tests time each request when it leaves the client, because transit times vary on a busy machine.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { createGitHubClient, type Octokit } from '../../src/github/index.js'
import { secondaryLimitBackoffSeconds, unnamedLimitWaitSeconds } from '../../src/github/client.js'
import { DEFAULT_TOKEN, GitHubEmulator } from '../../test/emulator/index.js'

const logger = { info: () => undefined, warning: () => undefined, debug: () => undefined }
// One second between writes becomes 250 ms. The throttling plugin's own queue waits 3 s
// between issue creations whatever the scale, so these tests tell the two apart.
const TIME_SCALE = 4
const SPACING_MS = 1000 / TIME_SCALE

let emulator: GitHubEmulator
/** When each tagged client sent each issue create, in ms since the epoch. */
let sentAt: Map<string, number[]>

beforeEach(async () => {
  emulator = await GitHubEmulator.start()
  sentAt = new Map()
})

afterEach(async () => {
  emulator.assertContract()
  await emulator.stop()
})

function client(leg: string): Octokit {
  const noteCreates: typeof fetch = (input, init) => {
    if (init?.method === 'POST' && String(input).endsWith('/issues')) {
      sentAt.set(leg, [...(sentAt.get(leg) ?? []), Date.now()])
    }
    return fetch(input, init)
  }
  return createGitHubClient(DEFAULT_TOKEN, {
    baseUrl: emulator.url,
    logger,
    timeScale: TIME_SCALE,
    headers: { 'x-test-leg': leg },
    fetch: noteCreates
  })
}

async function createIssues(octokit: Octokit, count: number, prefix: string): Promise<void> {
  const { owner, repo } = emulator.state
  await Promise.all(
    Array.from({ length: count }, (_, index) =>
      octokit.rest.issues.create({ owner, repo, title: `${prefix} ${index}` })
    )
  )
}

function sendGaps(leg: string): number[] {
  const times = sentAt.get(leg) ?? []
  return times.slice(1).map((time, index) => time - times[index]!)
}

describe('createGitHubClient', () => {
  it('spaces one client’s creates by the scaled second', async () => {
    const octokit = client('a')
    const started = Date.now()
    await createIssues(octokit, 4, 'A')
    const elapsed = Date.now() - started

    const gaps = sendGaps('a')
    expect(gaps).toHaveLength(3)
    // The 5 ms margin covers timer rounding.
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(SPACING_MS - 5)
    expect(
      emulator.log.entries({ route: 'POST /repos/{owner}/{repo}/issues', leg: 'a' })
    ).toHaveLength(4)
    // Three gaps of 3 s each would take 9 s; three of 250 ms take under one.
    expect(elapsed).toBeLessThan(3 * 3000)
  })

  it('gives each client its own queue', async () => {
    const first = client('first')
    const second = client('second')
    await Promise.all([createIssues(first, 2, 'First'), createIssues(second, 2, 'Second')])

    const starts = ['first', 'second'].map((leg) => sentAt.get(leg)![0]!)
    // Two clients start together instead of one waiting for the other's queue.
    expect(Math.abs(starts[0]! - starts[1]!)).toBeLessThan(SPACING_MS)
    expect(emulator.state.issues.size).toBe(4)
  })
})

describe('secondaryLimitBackoffSeconds', () => {
  it.each([
    [0, 2],
    [1, 4],
    [4, 32],
    [5, 64],
    [9, 64]
  ])('grows the ceiling for retry %i to %i s', (retryCount, ceiling) => {
    expect(secondaryLimitBackoffSeconds(retryCount, () => 1)).toBe(ceiling)
    expect(secondaryLimitBackoffSeconds(retryCount, () => 0)).toBe(0)
    expect(secondaryLimitBackoffSeconds(retryCount, () => 0.5)).toBe(ceiling / 2)
  })
})

describe('unnamedLimitWaitSeconds', () => {
  const limit = (message: string, headers: Record<string, string>): unknown => ({
    status: 429,
    message,
    response: { headers }
  })

  it.each([
    ['retry-after of 7 s', limit('Too many requests', { 'retry-after': '7' }), 7],
    ['no retry-after', limit('Too many requests', {}), 60],
    ['unreadable retry-after', limit('Too many requests', { 'retry-after': 'soon' }), 60],
    ['secondary limit', limit('You have exceeded a secondary rate limit.', {}), undefined],
    [
      'primary limit',
      limit('API rate limit exceeded', { 'x-ratelimit-remaining': '0' }),
      undefined
    ],
    ['403', { status: 403, message: 'Forbidden', response: { headers: {} } }, undefined],
    ['non-HTTP error', new Error('socket hang up'), undefined]
  ])('returns the wait for %s', (_name, error, expected) => {
    expect(unnamedLimitWaitSeconds(error)).toBe(expected)
  })
})

describe('a 429 that names no limit', () => {
  let server: http.Server
  let baseUrl: string
  let requests: number
  /** The server's responses, sent in turn, with the last one repeated. */
  let scripted: Array<{ status: number; headers?: Record<string, string>; message: string }>

  beforeEach(async () => {
    requests = 0
    server = http.createServer((_request, response) => {
      const next = scripted[Math.min(requests, scripted.length - 1)]!
      requests++
      response.writeHead(next.status, {
        'content-type': 'application/json',
        ...next.headers
      })
      response.end(JSON.stringify({ message: next.message, number: 1 }))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    baseUrl = `http://127.0.0.1:${port}`
  })

  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve))
  })

  function recordingClient(lines: string[]): Octokit {
    const record = (line: string): void => {
      lines.push(line)
    }
    // 1,000 times faster: 60 s of waiting become 60 ms.
    return createGitHubClient(DEFAULT_TOKEN, {
      baseUrl,
      logger: { info: record, warning: record, debug: () => undefined },
      timeScale: 1000
    })
  }

  it('waits for retry-after, then retries', async () => {
    scripted = [
      { status: 429, headers: { 'retry-after': '3' }, message: 'Too many requests' },
      { status: 201, message: 'created' }
    ]
    const lines: string[] = []
    const response = await recordingClient(lines).rest.issues.create({
      owner: 'octo-org',
      repo: 'demo',
      title: 'One'
    })

    expect(response.status).toBe(201)
    expect(requests).toBe(2)
    expect(lines).toHaveLength(1)
    // retry-after plus a random backoff of at most 2 s.
    expect(lines[0]).toMatch(/429 Too Many Requests; waiting [345] s before retry 1\./)
  })

  it('waits 60 s without retry-after', async () => {
    scripted = [
      { status: 429, message: 'Too many requests' },
      { status: 201, message: 'created' }
    ]
    const lines: string[] = []
    await recordingClient(lines).rest.issues.create({
      owner: 'octo-org',
      repo: 'demo',
      title: 'One'
    })

    expect(requests).toBe(2)
    expect(lines[0]).toMatch(/waiting 6[012] s before retry 1\./)
  })

  it('gives up after eight retries', async () => {
    scripted = [{ status: 429, headers: { 'retry-after': '0' }, message: 'Too many requests' }]
    const lines: string[] = []
    const create = recordingClient(lines).rest.issues.create({
      owner: 'octo-org',
      repo: 'demo',
      title: 'One'
    })

    await expect(create).rejects.toMatchObject({ status: 429 })
    expect(requests).toBe(9)
    expect(lines.at(-1)).toMatch(/giving up after the last retry/)
  })

  it('leaves a named secondary limit to the throttling plugin', async () => {
    scripted = [
      {
        status: 429,
        headers: { 'retry-after': '1' },
        message: 'You have exceeded a secondary rate limit.'
      },
      { status: 201, message: 'created' }
    ]
    const lines: string[] = []
    await recordingClient(lines).rest.issues.create({
      owner: 'octo-org',
      repo: 'demo',
      title: 'One'
    })

    expect(requests).toBe(2)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/secondary rate limit rejected/)
  })
})
