import {
  MAX_BODY_LENGTH,
  parseMarker,
  renderIssueBody,
  characterCount,
  renderMarker
} from '../../src/github/body.js'

const key = { task: 'login-form', manifest: '.github/parallel-setup.yml' }

describe('issue marker', () => {
  it('round-trips through the body', () => {
    expect(parseMarker(renderIssueBody('Some **Markdown**', key))).toEqual(key)
  })

  it('encodes a manifest path with spaces', () => {
    const spaced = { task: 'a', manifest: 'plans/my tasks.yml' }
    expect(renderMarker(spaced)).toBe(
      '<!-- parallel-setup:task=a manifest=plans%2Fmy%20tasks.yml -->'
    )
    expect(parseMarker(renderMarker(spaced))).toEqual(spaced)
  })

  it('is absent from a plain body', () => {
    expect(parseMarker('parallel-setup:task=a')).toBeUndefined()
    expect(parseMarker(null)).toBeUndefined()
  })
})

describe('renderIssueBody', () => {
  it('keeps a body under the limit as it is', () => {
    expect(renderIssueBody('Hello', key)).toBe(`Hello\n\n${renderMarker(key)}`)
  })

  it.each([65_537, 70_000, 10 * 1024 * 1024])('cuts a %i character body with a note', (length) => {
    const body = renderIssueBody('x'.repeat(length), key)
    expect(body.length).toBeLessThanOrEqual(MAX_BODY_LENGTH)
    expect(body).toContain(
      `of ${length.toLocaleString('en-US')} characters, because GitHub allows at most 65,536`
    )
    expect(parseMarker(body)).toEqual(key)
  })

  it('counts an emoji once', () => {
    const markdown = '🚀'.repeat(40_000)
    expect(renderIssueBody(markdown, key)).toBe(`${markdown}\n\n${renderMarker(key)}`)
  })

  it('never splits an emoji', () => {
    const body = renderIssueBody('🚀'.repeat(70_000), key)
    expect(characterCount(body)).toBe(MAX_BODY_LENGTH)
    expect(body).toContain('of 70,000 characters')
    expect(body).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/)
    expect(parseMarker(body)).toEqual(key)
  })
})

describe('characterCount', () => {
  it.each([
    ['', 0],
    ['abc', 3],
    ['🚀', 1],
    ['é', 1],
    ['a🚀b', 3]
  ])('counts %j as %i', (text, count) => {
    expect(characterCount(text)).toBe(count)
  })
})
