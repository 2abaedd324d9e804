/**
 * The write queues of createGitHubClient: one second between writes of one client, divided by
 * the time scale, and no queue shared between clients. Jest's fake clock runs the queues, and
 * a fake fetch notes when each request leaves, so a busy machine cannot change the gaps.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { jest } from '@jest/globals'
import { createGitHubClient, type Octokit } from '../../src/github/index.js'
import { secondaryLimitBackoffSeconds, unnamedLimitWaitSeconds } from '../../src/github/client.js'
import { DEFAULT_TOKEN } from '../../test/emulator/index.js'

const logger = { info: () => undefined, warning: () => undefined, debug: () => undefined }
// One second between writes becomes 250 ms. The throttling plugin's own queue waits 3 s
// between issue creations whatever the scale, so these tests tell the two apart.
const TIME_SCALE = 4
const SPACING_MS = 1000 / TIME_SCALE

/** When each client sent each issue create, on the fake clock. */
let sentAt: Map<string, number[]>
let clients = 0

/** Creates a client whose requests never leave the process: each create gets a 201. */
function client(name: string): Octokit {
  const respondCreated: typeof fetch = async () => {
    sentAt.set(name, [...(sentAt.get(name) ?? []), Date.now()])
    const body = { number: sentAt.get(name)!.length, title: name }
    return new Response(JSON.stringify(body), {
      status: 201,
      headers: { 'content-type': 'application/json' }
    })
  }
  clients++
  return createGitHubClient(DEFAULT_TOKEN, {
    baseUrl: 'http://127.0.0.1:9',
    logger,
    timeScale: TIME_SCALE,
    // A new key per client, so no queue of an earlier test's clients is shared.
    throttleId: `client-test-${clients}`,
    fetch: respondCreated
  })
}

/** Starts every client's creates at once and runs the fake clock until all are sent. */
async function createIssues(clientsAndCounts: Array<[Octokit, number]>): Promise<void> {
  const creates = clientsAndCounts.flatMap(([octokit, count]) =>
    Array.from({ length: count }, (_, index) =>
      octokit.rest.issues.create({ owner: 'octo-org', repo: 'demo', title: `Task ${index}` })
    )
  )
  await jest.advanceTimersByTimeAsync(10_000)
  await Promise.all(creates)
}

function sendGaps(name: string): number[] {
  const times = sentAt.get(name) ?? []
  return times.slice(1).map((time, index) => time - times[index]!)
}

describe('createGitHubClient', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: 0 })
    sentAt = new Map()
  })

  afterEach(() => {
    jest.useRealTimers()
  })

  it('spaces one client’s creates by the scaled second', async () => {
    await createIssues([[client('a'), 4]])

    expect(sentAt.get('a')).toHaveLength(4)
    const gaps = sendGaps('a')
    // On the fake clock the first send trails its queue slot by a millisecond.
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(SPACING_MS - 1)
    // The throttling plugin's own spacing of issue creations would make each gap 3 s.
    for (const gap of gaps) expect(gap).toBeLessThan(3000)
  })

  it('gives each client its own queue', async () => {
    const first = client('first')
    const second = client('second')
    await createIssues([
      [first, 2],
      [second, 2]
    ])

    // Two clients start together instead of one waiting for the other's queue.
    expect(sentAt.get('first')![0]).toBe(sentAt.get('second')![0])
    expect(sendGaps('first')[0]).toBeGreaterThanOrEqual(SPACING_MS - 1)
    expect(sendGaps('second')[0]).toBeGreaterThanOrEqual(SPACING_MS - 1)
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

  /** Creates one issue through a new client whose log lines go to `lines`. */
  function createIssue(lines: string[]): ReturnType<Octokit['rest']['issues']['create']> {
    const record = (line: string): void => {
      lines.push(line)
    }
    // 1,000 times faster: 60 s of waiting become 60 ms.
    const octokit = createGitHubClient(DEFAULT_TOKEN, {
      baseUrl,
      logger: { info: record, warning: record, debug: () => undefined },
      timeScale: 1000
    })
    return octokit.rest.issues.create({ owner: 'octo-org', repo: 'demo', title: 'One' })
  }

  it('waits for retry-after, then retries', async () => {
    scripted = [
      { status: 429, headers: { 'retry-after': '3' }, message: 'Too many requests' },
      { status: 201, message: 'created' }
    ]
    const lines: string[] = []
    const response = await createIssue(lines)

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
    await createIssue(lines)

    expect(requests).toBe(2)
    expect(lines[0]).toMatch(/waiting 6[012] s before retry 1\./)
  })

  it('gives up after eight retries', async () => {
    scripted = [{ status: 429, headers: { 'retry-after': '0' }, message: 'Too many requests' }]
    const lines: string[] = []
    const create = createIssue(lines)

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
    await createIssue(lines)

    expect(requests).toBe(2)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/secondary rate limit rejected/)
  })
})
