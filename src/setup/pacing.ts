import type { CreateHistory } from '../github/issues.js'

/**
 * GitHub's documented secondary limit is 80 content-creating requests a minute. The default
 * burst stays 16 below it. That leaves room for other writes (comments, closes) in the same
 * minute, and for creates of the minute before that came late. 256 legs still need four
 * minutes' turns, as they would with 80.
 */
export const DEFAULT_CREATES_PER_MINUTE = 64
/**
 * Gap between two legs of the same minute's burst. A burst of 64 thus spreads over 12.6 s
 * instead of arriving at once, so the legs' requests stay far below GitHub's limit of 100
 * in flight, and each minute's burst keeps the same shape as the one before it.
 */
export const LEG_SPACING_MS = 200
/**
 * Time a leg gets before its turn to look for its issue and claim the task (one or two
 * list requests and a push). Each leg starts this long before its turn, so every minute's
 * burst is prepared the same way and the creates of one minute do not run into the next.
 */
export const PREPARE_LEAD_MS = 4_000
/**
 * Lead of the legs of the second and later minutes. They prepare while the minute before them
 * still runs, so their creates keep their turns even when preparing is slow. A late create
 * would land in the next minute's window and meet the limit.
 */
export const LATER_PREPARE_LEAD_MS = 30_000
const MINUTE_MS = 60_000
/** A plan time older than this belongs to a re-run of failed jobs, whose turns have passed. */
const MAX_PLAN_AGE_MS = 60 * MINUTE_MS

/** The inputs a leg uses to find its turn. */
export interface Pacing {
  /** The leg's matrix index; without it the leg does not wait. */
  index: number | undefined
  /** Legs per minute's burst; 0 turns pacing off. */
  createsPerMinute: number
  /** Divides every wait, as PARALLEL_SETUP_TIME_SCALE does. */
  timeScale: number
  /**
   * The moment every leg counts from, in ms since the epoch: the plan action's `planned-at`
   * when it is given and usable, else this leg's own start (see `choosePacingAnchor`).
   */
  anchorMs: number
}

/**
 * Picks the moment the legs count their turns from. Legs of one matrix start minutes apart
 * when runners are scarce, so counting from each leg's own start would push late legs past
 * their turn or bunch them with the next minute. The plan's time is the same for every leg.
 * It is ignored when it is missing, unreadable, in the future (clock skew), or over an hour
 * old, as on a re-run of failed jobs; the leg then counts from its own start.
 */
export function choosePacingAnchor(plannedAt: string | undefined, legStartMs: number): number {
  if (!plannedAt) return legStartMs
  const planned = Date.parse(plannedAt)
  if (!Number.isFinite(planned)) return legStartMs
  if (planned > legStartMs || legStartMs - planned > MAX_PLAN_AGE_MS) return legStartMs
  return planned
}

/**
 * Returns the moment, in ms since the epoch, when the leg may open its issue. Leg `index`
 * belongs to minute `floor(index / createsPerMinute)` and takes place `index %
 * createsPerMinute` in that minute's burst, `LEG_SPACING_MS` apart, after the
 * `PREPARE_LEAD_MS` that the first minute's legs need to prepare. With 64 a minute, legs 0
 * to 63 open their issues from 4 to 16.6 s, legs 64 to 127 from 64 to 76.6 s, and so on, so
 * no 60 s window holds more than 64 creates and 256 legs open their last issue at 196.6 s.
 */
export function creationTurnMs(pacing: Pacing): number {
  const { index, createsPerMinute, timeScale, anchorMs } = pacing
  if (index === undefined || createsPerMinute <= 0) return anchorMs
  const minute = Math.floor(index / createsPerMinute)
  const place = index % createsPerMinute
  return anchorMs + (PREPARE_LEAD_MS + minute * MINUTE_MS + place * LEG_SPACING_MS) / timeScale
}

/**
 * Returns the moment, in ms since the epoch, when the leg sends its first request: the
 * first minute's legs `PREPARE_LEAD_MS` before their turn, later legs `LATER_PREPARE_LEAD_MS`
 * before it. Starting 256 legs at once would exceed GitHub's limit of 100 requests in flight.
 * NOTE: a re-run leg whose issue exists also waits for this moment before it finds it.
 */
export function startTurnMs(pacing: Pacing): number {
  const { index, createsPerMinute } = pacing
  const later = index !== undefined && createsPerMinute > 0 && index >= createsPerMinute
  const lead = later ? LATER_PREPARE_LEAD_MS : PREPARE_LEAD_MS
  return creationTurnMs(pacing) - lead / pacing.timeScale
}

/** Returns how long to wait from `nowMs` until `turnMs`, never less than 0. */
export function delayUntil(turnMs: number, nowMs: number = Date.now()): number {
  return Math.max(0, turnMs - nowMs)
}

/** The leg's turn, moved by the creates its issue list showed before it. */
export interface FollowedTurn {
  turnMs: number
  /**
   * False when the list may have missed creates of the minute before: it showed fewer than
   * a whole burst, or they were still coming when the list was read. The leg then reads the
   * newest issues again at its planned turn.
   */
  complete: boolean
}

/**
 * Moves the leg's turn later, when needed, so that the 60 s window that ends at its create
 * contains no more creates than one minute's burst. When the runners of one minute's legs start
 * late, their creates come late. The next minute's burst would then meet them inside one 60 s
 * window, and together they would pass GitHub's limit. The leg counts the creates it saw
 * before its own minute's burst, and its own minute's earlier places as coming before it. It
 * waits until only `createsPerMinute - place - 1` of those earlier creates are younger than
 * 60 s. Creates that are missing, because a leg failed, waits out a limit or found its
 * issue, only make room, but cost one more request. The issue list a leg reads before its turn
 * already contains these times, so this costs no request while the minutes keep their pace.
 */
export function followingTurnMs(
  pacing: Pacing,
  history: CreateHistory | undefined,
  plannedTurnMs: number = creationTurnMs(pacing)
): FollowedTurn {
  const { index, createsPerMinute, timeScale, anchorMs } = pacing
  const planned = { turnMs: plannedTurnMs, complete: true }
  if (history === undefined || index === undefined || createsPerMinute <= 0) return planned
  const minute = Math.floor(index / createsPerMinute)
  if (minute === 0) return planned
  const place = index % createsPerMinute

  // GitHub's clock converted to the leg's and back: both were read at the list's response.
  const toLocal = (serverMs: number): number =>
    history.localNowMs + (serverMs - history.serverNowMs) / timeScale
  const toServer = (localMs: number): number =>
    history.serverNowMs + (localMs - history.localNowMs) * timeScale
  const burstStart = toServer(anchorMs + (PREPARE_LEAD_MS + minute * MINUTE_MS) / timeScale)
  const earlier = history.createdAtMs.filter((time) => time < burstStart).sort((a, b) => b - a)

  const allowedYounger = createsPerMinute - place - 1
  const oldestThatMustAge = earlier[allowedYounger]
  const turnMs =
    oldestThatMustAge === undefined
      ? plannedTurnMs
      : Math.max(plannedTurnMs, toLocal(oldestThatMustAge + MINUTE_MS))

  const previousBurstStart = burstStart - MINUTE_MS - CLOCK_SKEW_MS
  const previousMinute = earlier.filter((time) => time >= previousBurstStart).length
  const newest = earlier[0]
  const stillComing = newest !== undefined && history.serverNowMs - newest < STILL_COMING_MS
  return { turnMs, complete: previousMinute >= createsPerMinute && !stillComing }
}

/**
 * A create this recent when the list was read may be part of a burst that is still going on,
 * so later creates of that burst may be missing from the list.
 */
const STILL_COMING_MS = 5_000
/** Allowed difference between the plan job's clock and GitHub's. */
const CLOCK_SKEW_MS = 5_000
