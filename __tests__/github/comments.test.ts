import { MAX_BODY_LENGTH } from '../../src/github/body.js'
import { fitBody } from '../../src/github/comments.js'

const MARKER = '<!-- parallel-setup:summary manifest=x -->'
const NOTE = "\n> [!NOTE]\n> This comment was cut to fit GitHub's limit of 65,536 characters.\n"

describe('fitBody', () => {
  it('leaves a body within the limit alone', () => {
    const body = `short\n${MARKER}`
    expect(fitBody(body, MARKER)).toBe(body)
  })

  it('cuts at a line and closes an open code block', () => {
    const lines = ['## Summary', '```mermaid', 'gantt', ...Array(10_000).fill('    issue :0, 1')]
    const fitted = fitBody(`${lines.join('\n')}\n${MARKER}`, MARKER)
    expect(fitted.length).toBeLessThanOrEqual(MAX_BODY_LENGTH)
    expect(fitted.endsWith(`    issue :0, 1\n\`\`\`\n${NOTE}${MARKER}`)).toBe(true)
  })

  it('cuts one long line without splitting a surrogate pair', () => {
    const fitted = fitBody(`${'🙂'.repeat(40_000)}\n${MARKER}`, MARKER)
    expect(fitted.length).toBeLessThanOrEqual(MAX_BODY_LENGTH)
    const kept = fitted.slice(0, fitted.indexOf(NOTE))
    expect(kept).toMatch(/^🙂+\n$/u)
  })
})
