/**
 * The write queues of createGitHubClient, against the emulator over HTTP: one second between
 * writes of one client, divided by the time scale, and no queue shared between clients. The
 * tests time each request when it leaves the client, because transit times vary on a busy machine.
 */
import { createGitHubClient, type Octokit } from '../../src/github/index.js'
import { secondaryLimitBackoffSeconds } from '../../src/github/client.js'
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
