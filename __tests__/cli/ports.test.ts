import {
  DEFAULT_PORT_BASE,
  DEFAULT_PORTS_PER_TASK,
  allocatePortRange,
  portEnvironment
} from '../../src/setup/ports.js'

describe('allocatePortRange', () => {
  it.each([
    [0, 3000, 10, 3000, 3009],
    [1, 3000, 10, 3010, 3019],
    [7, 3000, 10, 3070, 3079],
    [2, 8000, 1, 8002, 8002],
    [0, 65535, 1, 65535, 65535]
  ])('gives task %i of base %i and size %i the ports %i to %i', (index, base, size, start, end) => {
    expect(allocatePortRange(index, base, size)).toEqual({ start, end })
  })

  it('gives neighbouring tasks disjoint ranges', () => {
    const ranges = Array.from({ length: 50 }, (_, index) =>
      allocatePortRange(index, DEFAULT_PORT_BASE, DEFAULT_PORTS_PER_TASK)
    )
    for (let index = 1; index < ranges.length; index++) {
      expect(ranges[index]!.start).toBe(ranges[index - 1]!.end + 1)
    }
  })

  it('rejects a range above port 65535', () => {
    expect(() => allocatePortRange(600, 60000, 10)).toThrow(
      'The port range of task 601 would end at 66009, above the highest port 65535. Use a lower port base or fewer ports per task.'
    )
  })

  it.each([
    [0, 10, 'Invalid port base 0: expected a whole number from 1 to 65535.'],
    [70000, 10, 'Invalid port base 70000: expected a whole number from 1 to 65535.'],
    [3000, 0, 'Invalid number of ports per task 0: expected a whole number from 1.'],
    [3000, 1.5, 'Invalid number of ports per task 1.5: expected a whole number from 1.']
  ])('rejects base %p and size %p', (base, size, message) => {
    expect(() => allocatePortRange(0, base, size)).toThrow(message)
  })
})

describe('portEnvironment', () => {
  it('sets PORT to the first port', () => {
    expect(portEnvironment({ start: 3010, end: 3019 })).toEqual({
      PORT: '3010',
      PORT_RANGE_START: '3010',
      PORT_RANGE_END: '3019'
    })
  })
})
