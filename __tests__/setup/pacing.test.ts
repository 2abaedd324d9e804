import {
  choosePacingAnchor,
  creationTurnMs,
  DEFAULT_CREATES_PER_MINUTE,
  delayUntil,
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
