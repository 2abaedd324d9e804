import {
  choosePacingAnchor,
  creationTurnMs,
  DEFAULT_CREATES_PER_MINUTE,
  delayUntil,
  followingTurnMs,
  LATER_PREPARE_LEAD_MS,
  PREPARE_LEAD_MS,
  startTurnMs
} from '../../src/setup/pacing.js'

const PLANNED = Date.parse('2026-01-31T12:00:00.000Z')

function turnOf(index: number, timeScale = 1): number {
  return (
    creationTurnMs({
      index,
      createsPerMinute: DEFAULT_CREATES_PER_MINUTE,
      timeScale,
      anchorMs: PLANNED
    }) - PLANNED
  )
}

describe('choosePacingAnchor', () => {
  const start = PLANNED + 90_000

  it.each([
    ['a plan time before the start', '2026-01-31T12:00:00.000Z', PLANNED],
    ['no plan time', undefined, start],
    ['an unreadable plan time', 'soon', start],
    ['a plan time after the start', '2026-01-31T12:05:00.000Z', start],
    ['a plan time over an hour old', '2026-01-31T10:00:00.000Z', start]
  ])('uses %s', (_case, plannedAt, expected) => {
    expect(choosePacingAnchor(plannedAt, start)).toBe(expected)
  })
})

describe('creationTurnMs', () => {
  it('spreads each minute after the lead', () => {
    expect(turnOf(0)).toBe(4_000)
    expect(turnOf(63)).toBe(4_000 + 63 * 200)
    expect(turnOf(64)).toBe(64_000)
    expect(turnOf(255)).toBe(4_000 + 180_000 + 63 * 200)
  })

  it('keeps every 60 s window at 64 creates', () => {
    const turns = Array.from({ length: 256 }, (_, index) => turnOf(index))
    // GitHub and the emulator count the creates of the 60 s before each one.
    const busiest = Math.max(
      ...turns.map((turn) => turns.filter((other) => other > turn - 60_000 && other <= turn).length)
    )
    expect(busiest).toBe(DEFAULT_CREATES_PER_MINUTE)
  })

  it('plans 256 creates within 10 % of the time GitHub’s limit allows', () => {
    // At 80 creates a minute, create n cannot come before create n - 80 plus one minute, so
    // the 256th comes at least 3 minutes after the first. The plan opens it 196.6 s after
    // the plan time, lead included, against 198 s for 10 % over.
    const lowerBoundMs = Math.floor(255 / 80) * 60_000
    expect(turnOf(255)).toBeLessThanOrEqual(1.1 * lowerBoundMs)
  })

  it('divides the schedule by the time scale', () => {
    expect(turnOf(255, 4)).toBe(turnOf(255) / 4)
  })

  it.each([
    ['no index', undefined, 72],
    ['pacing off', 100, 0]
  ])('does not wait with %s', (_case, index, createsPerMinute) => {
    expect(creationTurnMs({ index, createsPerMinute, timeScale: 1, anchorMs: PLANNED })).toBe(
      PLANNED
    )
  })
})

describe('startTurnMs', () => {
  it('starts first-minute legs the short lead early', () => {
    const pacing = { index: 71, createsPerMinute: 72, timeScale: 2, anchorMs: PLANNED }
    expect(creationTurnMs(pacing) - startTurnMs(pacing)).toBe(PREPARE_LEAD_MS / 2)
  })

  it('starts later legs the long lead early', () => {
    const pacing = { index: 72, createsPerMinute: 72, timeScale: 2, anchorMs: PLANNED }
    expect(creationTurnMs(pacing) - startTurnMs(pacing)).toBe(LATER_PREPARE_LEAD_MS / 2)
    // Leg 72 opens its issue at 64 s and starts at 34 s, after the first minute's creates.
    expect(startTurnMs({ ...pacing, timeScale: 1 })).toBe(PLANNED + 34_000)
  })

  it('starts the first leg at the plan time', () => {
    expect(startTurnMs({ index: 0, createsPerMinute: 72, timeScale: 1, anchorMs: PLANNED })).toBe(
      PLANNED
    )
  })
})

describe('delayUntil', () => {
  it('never returns a negative delay', () => {
    expect(delayUntil(PLANNED, PLANNED + 5)).toBe(0)
    expect(delayUntil(PLANNED + 5, PLANNED)).toBe(5)
  })
})

describe('followingTurnMs', () => {
  const pacing = (index: number, timeScale = 1) => ({
    index,
    createsPerMinute: DEFAULT_CREATES_PER_MINUTE,
    timeScale,
    anchorMs: PLANNED
  })
  // GitHub's clock runs 7 s ahead of the leg's in these histories, read 40 s after the plan.
  const AHEAD = 7_000
  const history = (createdAfterPlanMs: number[], timeScale = 1) => ({
    createdAtMs: createdAfterPlanMs.map((offset) => PLANNED + AHEAD + offset),
    serverNowMs: PLANNED + AHEAD + 40_000 * timeScale,
    localNowMs: PLANNED + 40_000
  })
  const firstMinute = (lateMs = 0) =>
    Array.from({ length: 64 }, (_, index) => turnOf(index) + lateMs)

  it('keeps the planned turn when the minute before came on time', () => {
    for (const index of [64, 100, 127]) {
      expect(followingTurnMs(pacing(index), history(firstMinute()))).toEqual({
        turnMs: PLANNED + turnOf(index),
        complete: true
      })
    }
  })

  it('comes as late as the minute before came', () => {
    // The first minute's burst came 11 s late, as when its runners started late.
    const late = history(firstMinute(11_000))
    expect(followingTurnMs(pacing(64), late).turnMs).toBe(PLANNED + turnOf(64) + 11_000)
    expect(followingTurnMs(pacing(127), late).turnMs).toBe(PLANNED + turnOf(127) + 11_000)
  })

  it('keeps the turn despite missing creates', () => {
    // Two legs of the first minute wait out a limit, so the list lacks their creates.
    const gaps = firstMinute().filter((_, index) => index !== 9 && index !== 39)
    for (const index of [64, 100, 126, 127]) {
      expect(followingTurnMs(pacing(index), history(gaps))).toEqual({
        turnMs: PLANNED + turnOf(index),
        complete: false
      })
    }
  })

  it('lets older creates age out of the window', () => {
    // Creates of an earlier run, two minutes before the plan, no longer count.
    const earlierRun = Array.from({ length: 80 }, (_, index) => -120_000 + index)
    const followed = followingTurnMs(pacing(64), history([...earlierRun, ...firstMinute()]))
    expect(followed.turnMs).toBe(PLANNED + turnOf(64))
  })

  it('relists after an unseen minute', () => {
    expect(followingTurnMs(pacing(70), history([])).complete).toBe(false)
  })

  it('relists after a partial minute', () => {
    const partial = firstMinute().slice(0, 40)
    expect(followingTurnMs(pacing(70), history(partial)).complete).toBe(false)
  })

  it('relists while creates still arrive', () => {
    // The newest create came 2 s before the list was read.
    const stillGoing = firstMinute().map((turn) => turn + 38_000 - turnOf(63))
    expect(followingTurnMs(pacing(70), history(stillGoing)).complete).toBe(false)
  })

  it('keeps the planned turn without a history', () => {
    expect(followingTurnMs(pacing(70), undefined)).toEqual({
      turnMs: PLANNED + turnOf(70),
      complete: true
    })
  })

  it('never moves the first minute', () => {
    expect(followingTurnMs(pacing(5), history([50_000, 50_001]))).toEqual({
      turnMs: PLANNED + turnOf(5),
      complete: true
    })
  })

  it('converts GitHub’s clock at the time scale', () => {
    // At scale 4, GitHub's minute passes in 15 s of the leg's clock, and the first minute's
    // burst came 3 s of the leg's clock late.
    const late = Array.from({ length: 64 }, (_, index) => (turnOf(index, 4) + 3_000) * 4)
    expect(followingTurnMs(pacing(64, 4), history(late, 4)).turnMs).toBe(
      PLANNED + turnOf(64, 4) + 3_000
    )
  })
})
