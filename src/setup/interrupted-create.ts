import type { IssueStore, IssueSummary, TaskKey } from '../github/index.js'
import type { PendingCreate } from './claim.js'

/**
 * Time a create request may still take to be stored after its leg was killed. GitHub ends a
 * REST request that takes longer than 10 s; the rest covers the network.
 */
export const CREATE_SETTLE_MS = 30_000
/**
 * Age after which an issue shows in GitHub's lists. Lists lag writes by seconds, so a leg
 * reads by number only the issues opened after a pending create that is younger than this.
 */
const LIST_CATCH_UP_MS = 10 * 60_000
/** Margin for the difference between the runner's clock and GitHub's. */
const CLOCK_SKEW_MS = 60_000
/**
 * Consecutive 404s that end the upward scan. Discussions share the numbers of issues and
 * return 404 here, so one 404 may sit below a newer issue.
 */
const MISSES_TO_STOP = 3
/** Most GETs of one scan; more than this many issues in about ten minutes fails the leg. */
const MAX_SCAN_REQUESTS = 200

export interface InterruptedCreateScan {
  store: IssueStore
  key: TaskKey
  pending: PendingCreate
  /** Describes the leg that sent the create, for logs and errors. */
  holder: string
  sleep: (ms: number) => Promise<void>
  timeScale: number
  log: (message: string) => void
}

/**
 * Finds the issues with the task's marker that an interrupted create request may have opened,
 * oldest first. The issue list may not show them yet, so the scan reads issues one by one by
 * number, which is always current: upward from the newest listed number until nothing follows,
 * then downward until an issue older than the create. Returns undefined when the create is old
 * enough for the list to show its issue, so the caller's list is enough.
 */
export async function findInterruptedCreate(
  scan: InterruptedCreateScan
): Promise<IssueSummary[] | undefined> {
  const { store, key, pending, log } = scan
  const startedAtMs = Date.parse(pending.startedAt)
  const ageMs = Date.now() - startedAtMs
  if (!(ageMs < LIST_CATCH_UP_MS)) {
    log(
      `Task '${key.task}': ${scan.holder} started to open the issue at ${pending.startedAt}, ` +
        'long enough ago for the issue list to show it.'
    )
    return undefined
  }
  const settleMs = (CREATE_SETTLE_MS - ageMs) / scan.timeScale
  if (settleMs > 0) {
    log(
      `Task '${key.task}': ${scan.holder} started to open the issue at ${pending.startedAt}; ` +
        `waiting ${Math.ceil(settleMs / 1000)} s for a create request still in flight.`
    )
    await scan.sleep(settleMs)
  }

  const found: IssueSummary[] = []
  let requests = 0
  const probe = async (number: number) => {
    if (++requests > MAX_SCAN_REQUESTS) {
      throw new Error(
        `Task '${key.task}': could not tell whether ${scan.holder} opened the issue: more than ` +
          `${MAX_SCAN_REQUESTS} issues and pull requests were opened since ${pending.startedAt}. ` +
          'Re-run this job in ten minutes, when the issue list shows that issue.'
      )
    }
    const result = await store.probeIssue(number, key)
    if (result.kind === 'task') found.push(result.issue)
    return result
  }

  const newest = (await store.findNewestNumber()) ?? 0
  let top = newest
  for (let number = newest + 1, misses = 0; misses < MISSES_TO_STOP; number++) {
    const result = await probe(number)
    if (result.kind === 'missing') {
      misses++
    } else {
      misses = 0
      top = number
    }
  }
  const oldestMs = startedAtMs - CLOCK_SKEW_MS
  let bottom = newest + 1
  for (let number = newest; number > 0; number--) {
    bottom = number
    const result = await probe(number)
    if ('createdAt' in result && result.createdAt < oldestMs) break
  }

  found.sort((a, b) => a.number - b.number)
  const range = bottom > top ? 'no issue' : `issues #${bottom} to #${top}`
  const outcome =
    found.length === 0
      ? 'none carries its marker'
      : `found ${found.map((issue) => `#${issue.number}`).join(', ')}`
  log(
    `Task '${key.task}': ${scan.holder} started to open the issue at ${pending.startedAt} and recorded no number. ` +
      `Read ${range} by number (${requests} requests): ${outcome}.`
  )
  return found
}
