import { expandMatrix } from '../../test/harness/matrix.js'

function messageOf(action: () => unknown): string {
  try {
    action()
  } catch (error) {
    return (error as Error).message
  }
  throw new Error('Expected an error, but none was thrown.')
}

describe('expandMatrix', () => {
  // The example of "Expanding or adding matrix configurations" in GitHub's Actions docs,
  // with the six legs, in order, that the docs list for it.
  it('applies include like the docs', () => {
    const legs = expandMatrix({
      fruit: ['apple', 'pear'],
      animal: ['cat', 'dog'],
      include: [
        { color: 'green' },
        { color: 'pink', animal: 'cat' },
        { fruit: 'apple', shape: 'circle' },
        { fruit: 'banana' },
        { fruit: 'banana', animal: 'cat' }
      ]
    })
    expect(legs).toEqual([
      { fruit: 'apple', animal: 'cat', color: 'pink', shape: 'circle' },
      { fruit: 'apple', animal: 'dog', color: 'green', shape: 'circle' },
      { fruit: 'pear', animal: 'cat', color: 'pink' },
      { fruit: 'pear', animal: 'dog', color: 'green' },
      { fruit: 'banana' },
      { fruit: 'banana', animal: 'cat' }
    ])
  })

  it('removes excluded combinations', () => {
    const legs = expandMatrix({
      os: ['macos-latest', 'windows-latest'],
      version: [12, 14, 16],
      environment: ['staging', 'production'],
      exclude: [
        { os: 'macos-latest', version: 12, environment: 'production' },
        { os: 'windows-latest', version: 16 }
      ]
    })
    expect(legs).toEqual([
      { os: 'macos-latest', version: 12, environment: 'staging' },
      { os: 'macos-latest', version: 14, environment: 'staging' },
      { os: 'macos-latest', version: 14, environment: 'production' },
      { os: 'macos-latest', version: 16, environment: 'staging' },
      { os: 'macos-latest', version: 16, environment: 'production' },
      { os: 'windows-latest', version: 12, environment: 'staging' },
      { os: 'windows-latest', version: 12, environment: 'production' },
      { os: 'windows-latest', version: 14, environment: 'staging' },
      { os: 'windows-latest', version: 14, environment: 'production' }
    ])
  })

  it('makes one leg per include entry', () => {
    const include = [
      { task: 'a', index: 0 },
      { task: 'a', index: 0 },
      { task: 'b', index: 1 }
    ]
    expect(expandMatrix({ include })).toEqual(include)
  })

  it('rejects an empty matrix', () => {
    expect(messageOf(() => expandMatrix({ include: [] }))).toBe(
      'Matrix must define at least one vector: it expanded to no legs.'
    )
  })

  it('rejects an empty vector', () => {
    expect(messageOf(() => expandMatrix({ node: [] }))).toBe(
      "Matrix vector 'node' does not contain any values."
    )
  })

  it('rejects an unknown exclude key', () => {
    expect(messageOf(() => expandMatrix({ node: [20], exclude: [{ os: 'linux' }] }))).toBe(
      "Matrix exclude key 'os' does not match any key within the matrix."
    )
  })

  it('rejects more than 256 legs', () => {
    const include = Array.from({ length: 257 }, (_, index) => ({ index }))
    expect(messageOf(() => expandMatrix({ include }))).toBe(
      "The matrix expanded to 257 legs, more than GitHub's maximum of 256."
    )
    expect(expandMatrix({ include: include.slice(0, 256) })).toHaveLength(256)
  })

  it('rejects a matrix that is not a mapping', () => {
    expect(messageOf(() => expandMatrix('{"include":[]}'))).toBe(
      'The matrix must be a mapping, but it is "{\\"include\\":[]}".'
    )
  })
})
