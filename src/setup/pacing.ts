/**
 * GitHub's documented secondary limit is 80 content-creating requests a minute. The default
 * burst stays below it, which leaves room for the few other writes (comments, closes) in
 * the same minute.
 */
export const DEFAULT_CREATES_PER_MINUTE = 72
const MINUTE_MS = 60_000

/**
 * Returns how long the leg with matrix index `index` waits before it creates its issue, so
 * that 256 legs started together stay under the limit without talking to each other: with
 * 72 a minute, legs 0 to 71 create at once, the next 72 a minute later, and so on.
 * `createsPerMinute` 0 turns pacing off.
 */
export function creationDelayMs(
  index: number | undefined,
  createsPerMinute: number,
  timeScale = 1
): number {
  if (index === undefined || createsPerMinute <= 0) return 0
  return (Math.floor(index / createsPerMinute) * MINUTE_MS) / timeScale
}
