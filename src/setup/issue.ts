import { PushRejectedError } from '../git/index.js'
import {
  missingPermissionError,
  REQUIRED_PERMISSIONS_BLOCK,
  type IssueStore,
  type IssueSummary,
  type NewIssue,
  type TaskKey
} from '../github/index.js'
import { TaskClaim, type ClaimGit, type ClaimRecord, type PendingCreate } from './claim.js'
import { findInterruptedCreate } from './interrupted-create.js'

export interface IssueOutcome {
  issue: IssueSummary
  created: boolean
  /** The branch that the claim records for this issue, when this run's branch differs from it. */
  previousBranch?: string
}

export interface ClaimSettings {
  git: ClaimGit
  ref: string
  runId: string
  runAttempt: number
  /**
   * True when the leg pushes its branch anyway, so a claim that cannot be pushed fails the leg.
   * When false (push: false), the leg warns and opens the issue without a claim.
   */
  required: boolean
  /**
   * True when a later attempt of the run may start while this one still runs, as two CLI
   * runs can. Such an attempt takes the claim over at once, so the leg checks its claim again
   * right before every create.
   */
  attemptsMayOverlap?: boolean
}

export interface EnsureIssueOptions {
  store: IssueStore
  key: TaskKey
  issue: NewIssue
  trackingLabel: string
  /** Claims need a remote this leg can push to; without one, races are not guarded. */
  claim?: ClaimSettings
  /** Expands the task's branch for an issue number, to record it in the claim. */
  branchFor?: (issue: number) => string
  /** Waits this leg's turn before it creates, to stay under GitHub's secondary limit. */
  waitForTurn: () => Promise<void>
  sleep: (ms: number) => Promise<void>
  /** Divides the claim timeouts, as for every other wait. */
  timeScale: number
  log: (message: string) => void
  warn: (message: string) => void
}

/** How long a leg waits for another leg's claim to name its issue. */
const CLAIM_WAIT_MS = 10 * 60_000
const CLAIM_POLL_MS = 2_000
/** A claim this old without an issue belongs to a leg that died; pacing waits are shorter. */
const STALE_CLAIM_MS = 8 * 60_000
/**
 * Age after which a claim that an earlier release marked for a recheck is listed again.
 * GitHub's issue list lags writes by seconds, so an issue opened before the claim was taken
 * over shows by then.
 */
const RECHECK_AFTER_MS = 5 * 60_000
/**
 * Age below which a leg trusts the pending create it wrote when it took the claim. Only a
 * later attempt of the run takes over a claim younger than STALE_CLAIM_MS, and on Actions it
 * starts after this attempt ended. So the leg need not check the claim again before its create.
 */
const FRESH_PENDING_MS = 60_000
/** Interval between log lines while a leg waits for another leg's claim. */
const WAIT_LOG_INTERVAL_MS = 30_000

/**
 * Finds the task's issue, or opens it. Re-runs find the issue and open nothing. When several
 * legs race, the claim ref picks one to open it, and duplicates left by an older release, a
 * claimless run or a lost claim are closed in favour of the oldest.
 *
 * The claim ref is read first, through git, so a re-run makes one REST request: a GET of the
 * issue the claim records. Only the leg that takes a claim lists issues, once, to find an issue
 * opened without a claim, before it opens one. A leg that takes over the claim of a holder that
 * died while it sent its create request also reads issues by number (see interrupted-create.ts).
 */
export async function ensureTaskIssue(options: EnsureIssueOptions): Promise<IssueOutcome> {
  if (options.claim) {
    try {
      return await ensureWithClaim(options, options.claim)
    } catch (error) {
      if (!(error instanceof ClaimUnavailableError)) throw error
      options.warn(error.message)
    }
  }
  return ensureWithoutClaim(options)
}

/** Thrown when push is off and the claim ref cannot be read or pushed. */
class ClaimUnavailableError extends Error {}

async function ensureWithoutClaim(options: EnsureIssueOptions): Promise<IssueOutcome> {
  const { store, key, trackingLabel, log } = options
  const existing = await store.findTaskIssues(key, trackingLabel)
  if (existing.length > 0) {
    return { issue: await keepOldest(store, existing, log), created: false }
  }
  await options.waitForTurn()
  const issue = await store.createTaskIssue(key, options.issue, trackingLabel)
  warnIfUnlabelled(issue, options)
  return { issue, created: true }
}

async function ensureWithClaim(
  options: EnsureIssueOptions,
  settings: ClaimSettings
): Promise<IssueOutcome> {
  const { store, key, log, timeScale } = options
  const claim = new TaskClaim(settings.git, settings.ref)
  const mine: ClaimRecord = {
    task: key.task,
    runId: settings.runId,
    runAttempt: settings.runAttempt,
    claimedAt: new Date().toISOString()
  }
  const guarded = <T>(work: () => Promise<T>): Promise<T> => guardClaimStep(work, settings)
  const deadline = Date.now() + CLAIM_WAIT_MS / timeScale
  let nextWaitLog = Date.now()

  for (;;) {
    const current = await guarded(() => claim.read())
    if (current === undefined) {
      // The new claim records a pending create at once, which saves a push before the
      // create: a leg that dies before it creates only makes the next holder read issues by number.
      const pendingSince = Date.now()
      const fresh = { ...mine, creating: { startedAt: new Date(pendingSince).toISOString() } }
      if (await guarded(() => claim.tryClaim(fresh))) {
        const trusted = settings.attemptsMayOverlap ? undefined : pendingSince
        const outcome = await openAsHolder(options, claim, mine, undefined, trusted)
        if (outcome) return outcome
      }
      continue
    }

    const holder = current.record
    if (holder.issue !== undefined) {
      const issue = await store.getTaskIssue(holder.issue, key)
      if (issue) return reuseRecordedIssue(options, claim, current, issue)
      log(
        `Task '${key.task}': its claim names issue #${holder.issue}, but that issue was deleted, ` +
          "transferred or no longer carries the task's marker. Taking the claim over to find or open the issue again."
      )
      if (await guarded(() => claim.takeOver(mine, current.sha))) {
        const outcome = await openAsHolder(options, claim, mine)
        if (outcome) return outcome
      }
      continue
    }

    const deadReason = findDeadHolder(holder, mine, timeScale)
    if (deadReason !== undefined) {
      log(
        `Task '${key.task}': taking over the claim of run ${holder.runId} attempt ${holder.runAttempt}, ${deadReason}.`
      )
      // The holder's pending create stays in the claim until this leg has found out its outcome, so a
      // leg that takes over from this one, should it die too, still looks for that issue.
      const pending = holder.creating
      const inherited = pending === undefined ? mine : { ...mine, creating: pending }
      if (await guarded(() => claim.takeOver(inherited, current.sha))) {
        const holderName = `run ${holder.runId} attempt ${holder.runAttempt}`
        const outcome = await openAsHolder(
          options,
          claim,
          mine,
          pending && { pending, holder: holderName }
        )
        if (outcome) return outcome
      }
      continue
    }

    const now = Date.now()
    if (now > deadline) {
      throw new Error(
        `Task '${key.task}': run ${holder.runId} attempt ${holder.runAttempt} claimed it at ` +
          `${holder.claimedAt} but has not opened its issue. Re-run this job once that run has ended.`
      )
    }
    if (now >= nextWaitLog) {
      log(describeWait(key.task, holder, timeScale))
      nextWaitLog = now + WAIT_LOG_INTERVAL_MS / timeScale
    }
    await options.sleep(CLAIM_POLL_MS / timeScale)
  }
}

/**
 * Finds or opens the issue as the owner of the claim. One list finds an issue that an older
 * release or a run without a claim opened. When the previous holder died while it sent its
 * create request, `inherited` names it, and issues read by number find what it opened. Before
 * its own create, the claim must name a pending create of this leg. When the leg fails before
 * anything was created, it releases the claim so waiting legs need not wait until it is stale.
 * Returns undefined when another leg took the claim over before this one created.
 * `pendingSince` is when the leg took a new claim that records its own pending create.
 */
async function openAsHolder(
  options: EnsureIssueOptions,
  claim: TaskClaim,
  mine: ClaimRecord,
  inherited?: { pending: PendingCreate; holder: string },
  pendingSince?: number
): Promise<IssueOutcome | undefined> {
  const { store, key, trackingLabel, log } = options
  let issue: IssueSummary
  let created = false
  // Releasing the claim would drop the inherited pending create before its outcome is known.
  let mayRelease = inherited === undefined
  try {
    const listed = await store.findTaskIssues(key, trackingLabel)
    // When the list shows the task's issue, the dead holder's create is no longer in doubt.
    const scanned =
      inherited && listed.length === 0
        ? ((await findInterruptedCreate({
            ...inherited,
            store,
            key,
            sleep: options.sleep,
            timeScale: options.timeScale,
            log
          })) ?? [])
        : []
    mayRelease = true
    const candidates = mergeByNumber(listed, scanned)
    if (candidates.length > 0) {
      issue = await keepOldest(store, candidates, log)
    } else {
      await options.waitForTurn()
      issue = await store.createTaskIssue(key, options.issue, trackingLabel, async () => {
        const pendingAgeMs = pendingSince === undefined ? Infinity : Date.now() - pendingSince
        if (pendingAgeMs < FRESH_PENDING_MS / options.timeScale) return
        const pending: PendingCreate = { startedAt: new Date().toISOString() }
        if (!(await claim.replaceOwn({ ...mine, creating: pending }))) throw new ClaimLostError()
      })
      created = true
    }
  } catch (error) {
    if (error instanceof ClaimLostError) {
      log(
        `Task '${key.task}': another leg took over this leg's claim before it opened the issue; ` +
          'reading the claim again.'
      )
      return undefined
    }
    if (mayRelease && nothingWasCreated(error)) await releaseClaim(claim, key.task, options)
    throw error
  }
  if (created) warnIfUnlabelled(issue, options)
  await claim.recordIssue(mine, issue.number, expandSafely(options, issue.number))
  return { issue, created }
}

/** Thrown before the create request when another leg has taken the claim over. */
class ClaimLostError extends Error {}

function mergeByNumber(a: IssueSummary[], b: IssueSummary[]): IssueSummary[] {
  const byNumber = new Map([...a, ...b].map((issue) => [issue.number, issue]))
  return [...byNumber.values()].sort((x, y) => x.number - y.number)
}

/**
 * Uses the issue that the claim records. When this run's branch differs from the recorded
 * one, the claim is updated to it and the caller warns about the rename.
 */
async function reuseRecordedIssue(
  options: EnsureIssueOptions,
  claim: TaskClaim,
  current: { sha: string; record: ClaimRecord },
  issue: IssueSummary
): Promise<IssueOutcome> {
  const { store, key, trackingLabel, log } = options
  let record = current.record
  if (record.recheck && Date.now() - Date.parse(record.claimedAt) > RECHECK_AFTER_MS) {
    const listed = await store.findTaskIssues(key, trackingLabel)
    const all = listed.some((candidate) => candidate.number === issue.number)
      ? listed
      : [...listed, issue].sort((a, b) => a.number - b.number)
    issue = await keepOldest(store, all, log)
    record = { ...record, issue: issue.number, recheck: undefined }
  }
  if (issue.state === 'closed') {
    log(`Task '${key.task}': issue #${issue.number} is closed; it stays the task's issue.`)
  }
  const branch = expandSafely(options, issue.number) ?? record.branch
  const recorded = current.record.branch
  const changed = branch !== recorded
  if (!changed && record === current.record) return { issue, created: false }

  try {
    await claim.update({ ...record, branch }, current.sha)
  } catch (error) {
    // The issue is found; a claim that keeps the old branch only repeats the warning next time.
    log(
      `Task '${key.task}': could not record branch '${branch}' in the claim: ${(error as Error).message}`
    )
  }
  const previousBranch = changed && recorded !== undefined ? recorded : undefined
  return { issue, created: false, previousBranch }
}

/** Runs one git step of the claim, turning its failure into advice or a fallback. */
async function guardClaimStep<T>(work: () => Promise<T>, settings: ClaimSettings): Promise<T> {
  try {
    return await work()
  } catch (error) {
    const denied = error instanceof PushRejectedError && error.reason === 'permission'
    if (settings.required) {
      if (!denied) throw error
      throw missingPermissionError(
        `push the claim ref '${settings.ref}', which keeps two runs from opening the same issue`,
        'contents: write',
        'the remote denied the push'
      )
    }
    const reason = denied
      ? "the token lacks 'contents: write'"
      : (error as Error).message.split('\n')[0]
    throw new ClaimUnavailableError(
      `Could not use the claim ref '${settings.ref}' (${reason}), so this leg opens the issue without it. ` +
        'Two runs that set up this task at the same moment may then each open an issue. ' +
        `To guard against that, give the job these permissions, even with push: false:\n${REQUIRED_PERMISSIONS_BLOCK}`
    )
  }
}

/** Says why the claim's holder cannot open the issue any more, or undefined while it may. */
function findDeadHolder(
  holder: ClaimRecord,
  mine: ClaimRecord,
  timeScale: number
): string | undefined {
  if (
    holder.runId === mine.runId &&
    holder.task === mine.task &&
    holder.runAttempt < mine.runAttempt
  ) {
    return 'an earlier attempt of this run, which this attempt replaces'
  }
  const ageMs = Date.now() - Date.parse(holder.claimedAt)
  if (!(ageMs < STALE_CLAIM_MS / timeScale)) {
    return `which claimed the task at ${holder.claimedAt} and opened no issue in ${formatSeconds(ageMs)}`
  }
  return undefined
}

function describeWait(task: string, holder: ClaimRecord, timeScale: number): string {
  const ageMs = Date.now() - Date.parse(holder.claimedAt)
  const remainingMs = Math.max(0, STALE_CLAIM_MS / timeScale - ageMs)
  return (
    `Task '${task}': waiting for run ${holder.runId} attempt ${holder.runAttempt}, which claimed it at ` +
    `${holder.claimedAt} (${formatSeconds(ageMs)} ago), to open its issue. ` +
    `If it has not done so in ${formatSeconds(remainingMs)}, this leg takes the claim over.`
  )
}

function formatSeconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`
}

/**
 * Tells whether a failed list or create certainly opened no issue: the request was rejected
 * (4xx), or failed before it was sent. A 5xx or a dropped connection may come after GitHub
 * stored the issue, so the claim and its pending create are kept then, and the next holder
 * looks for that issue before it creates.
 */
function nothingWasCreated(error: unknown): boolean {
  const status = (error as { status?: unknown }).status
  return typeof status !== 'number' || status < 500
}

async function releaseClaim(
  claim: TaskClaim,
  task: string,
  options: EnsureIssueOptions
): Promise<void> {
  try {
    if (await claim.release()) {
      options.log(`Task '${task}': released its claim, so another leg can open the issue.`)
    }
  } catch (error) {
    options.log(
      `Task '${task}': could not release its claim (${(error as Error).message}); ` +
        'other legs take it over once it is stale.'
    )
  }
}

function expandSafely(options: EnsureIssueOptions, issue: number): string | undefined {
  try {
    return options.branchFor?.(issue)
  } catch {
    // The branch phase reports an invalid template; the claim then records no branch.
    return undefined
  }
}

/**
 * Warns when GitHub opened the issue without the tracking label. GitHub drops labels silently
 * when the token may not set them, and later runs without a claim find issues by that label.
 */
function warnIfUnlabelled(issue: IssueSummary, options: EnsureIssueOptions): void {
  const applied = new Set(issue.labels.map((label) => label.toLowerCase()))
  if (applied.has(options.trackingLabel.toLowerCase())) return
  const missing = [options.trackingLabel, ...options.issue.labels].filter(
    (label) => !applied.has(label.toLowerCase())
  )
  options.warn(
    `Issue #${issue.number} of task '${options.key.task}' was opened without the label(s) ` +
      `${missing.map((label) => `'${label}'`).join(', ')}: GitHub drops labels silently when the token may not set them. ` +
      `Runs that cannot use the claim ref find a task's issue by the label '${options.trackingLabel}', so they would open a second issue. ` +
      `Add the label to #${issue.number} by hand, and give the job these permissions:\n${REQUIRED_PERMISSIONS_BLOCK}`
  )
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
