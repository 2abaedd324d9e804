import type { IssueStore, IssueSummary, NewIssue, TaskKey } from '../github/index.js'
import { TaskClaim, type ClaimGit, type ClaimRecord } from './claim.js'

export interface IssueOutcome {
  issue: IssueSummary
  created: boolean
}

export interface EnsureIssueOptions {
  store: IssueStore
  key: TaskKey
  issue: NewIssue
  trackingLabel: string
  /** Claims need a remote this leg can push to; without one, races are not guarded. */
  claim?: { git: ClaimGit; ref: string; runId: string; runAttempt: number }
  /** Waits this leg's turn before it creates, to stay under GitHub's secondary limit. */
  waitForTurn: () => Promise<void>
  sleep: (ms: number) => Promise<void>
  /** Divides the claim timeouts, as for every other wait. */
  timeScale: number
  log: (message: string) => void
}

/** How long a leg waits for another leg's claim to name its issue. */
const CLAIM_WAIT_MS = 10 * 60_000
const CLAIM_POLL_MS = 2_000
/** A claim this old without an issue belongs to a leg that died; pacing waits are shorter. */
const STALE_CLAIM_MS = 8 * 60_000

/**
 * Finds the task's issue by its marker, or opens it. Re-runs find the issue and open
 * nothing. When several legs race, the claim ref picks one to open it, and duplicates
 * left by an older release or a lost claim are closed in favour of the oldest.
 */
export async function ensureTaskIssue(options: EnsureIssueOptions): Promise<IssueOutcome> {
  const { store, key, trackingLabel, log } = options
  const existing = await store.findTaskIssues(key, trackingLabel)
  if (existing.length > 0) {
    return { issue: await keepOldest(store, existing, log), created: false }
  }
  if (!options.claim) {
    await options.waitForTurn()
    return { issue: await store.createTaskIssue(key, options.issue, trackingLabel), created: true }
  }

  const { git, ref, runId, runAttempt } = options.claim
  const claim = new TaskClaim(git, ref)
  const record: ClaimRecord = {
    task: key.task,
    runId,
    runAttempt,
    claimedAt: new Date().toISOString()
  }
  let won = await claim.tryClaim(record)
  const deadline = Date.now() + CLAIM_WAIT_MS / options.timeScale
  while (!won) {
    const current = await claim.read()
    if (current === undefined) {
      won = await claim.tryClaim(record)
      continue
    }
    if (current.record.issue !== undefined) {
      log(`Task '${key.task}': another leg opened issue #${current.record.issue}; using it.`)
      return { issue: await store.getIssue(current.record.issue), created: false }
    }
    if (isAbandoned(current.record, record, options.timeScale)) {
      log(
        `Task '${key.task}': taking over the claim of run ${current.record.runId} attempt ${current.record.runAttempt}, which opened no issue.`
      )
      won = await claim.takeOver(record, current.sha)
      continue
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Task '${key.task}': run ${current.record.runId} attempt ${current.record.runAttempt} claimed it at ` +
          `${current.record.claimedAt} but has not opened its issue. Re-run this job once that run has ended.`
      )
    }
    await options.sleep(CLAIM_POLL_MS / options.timeScale)
  }

  // An earlier attempt may have opened the issue and died before it recorded it in the claim.
  const late = await store.findTaskIssues(key, trackingLabel)
  if (late.length > 0) {
    const issue = await keepOldest(store, late, log)
    await claim.recordIssue(record, issue.number)
    return { issue, created: false }
  }
  await options.waitForTurn()
  const issue = await store.createTaskIssue(key, options.issue, trackingLabel)
  await claim.recordIssue(record, issue.number)
  return { issue, created: true }
}

function isAbandoned(held: ClaimRecord, mine: ClaimRecord, timeScale: number): boolean {
  // An earlier attempt of this same run and task is dead: this attempt replaces it.
  if (held.runId === mine.runId && held.task === mine.task && held.runAttempt < mine.runAttempt)
    return true
  const age = Date.now() - Date.parse(held.claimedAt)
  return !(age < STALE_CLAIM_MS / timeScale)
}

/** Keeps the oldest open issue (else the oldest) and closes any other open duplicates. */
async function keepOldest(
  store: IssueStore,
  issues: IssueSummary[],
  log: (message: string) => void
): Promise<IssueSummary> {
  const survivor = issues.find((issue) => issue.state === 'open') ?? issues[0]!
  for (const duplicate of issues) {
    if (duplicate === survivor || duplicate.state !== 'open') continue
    log(`Closing issue #${duplicate.number}, a duplicate of #${survivor.number}.`)
    await store.closeDuplicate(duplicate, survivor)
  }
  return survivor
}
