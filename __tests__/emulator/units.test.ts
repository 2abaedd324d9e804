import { describe, expect, test } from '@jest/globals'
import { EmulatedClock, SeededRandom } from '../../test/emulator/index.js'

describe('EmulatedClock', () => {
  test('runs timeScale times faster than real time', () => {
    let real = 1_000_000
    const clock = new EmulatedClock(() => real)

    clock.scale = 60
    real += 1_000

    expect(clock.now()).toBe(1_060_000)
    expect(clock.toRealMs(60_000)).toBe(1_000)
  })

  test('keeps elapsed time when the scale changes', () => {
    let real = 0
    const clock = new EmulatedClock(() => real)

    real += 1_000
    clock.scale = 10
    real += 1_000

    expect(clock.now()).toBe(11_000)
  })

  test('advances at once', () => {
    const clock = new EmulatedClock(() => 5_000)

    clock.advance(3_600_000)

    expect(clock.now()).toBe(3_605_000)
  })

  test('rejects invalid scales and negative advances', () => {
    const clock = new EmulatedClock(() => 0)

    expect(() => {
      clock.scale = 0
    }).toThrow('Invalid time scale 0: expected a finite number above 0')
    expect(() => clock.advance(-1)).toThrow('Invalid advance of -1 ms')
  })
})

describe('SeededRandom', () => {
  test('matches mulberry32 for seed 1', () => {
    const random = new SeededRandom(1)

    expect([random.next(), random.next(), random.next()]).toEqual([
      0.6270739405881613, 0.002735721180215478, 0.5274470399599522
    ])
  })

  test('does not draw for certain outcomes', () => {
    const random = new SeededRandom(7)
    const reference = new SeededRandom(7)

    expect(random.chance(0)).toBe(false)
    expect(random.chance(1)).toBe(true)
    expect(random.next()).toBe(reference.next())
  })

  test('picks from a list', () => {
    const random = new SeededRandom(1)

    expect(random.pick(['a', 'b', 'c'])).toBe('b')
    expect(() => random.pick([])).toThrow('Cannot pick from an empty array')
  })
})
