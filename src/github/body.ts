/** GitHub rejects issue and comment bodies longer than this many characters. */
export const MAX_BODY_LENGTH = 65_536

const MARKER_PATTERN = /<!-- parallel-setup:task=([A-Za-z0-9._-]+) manifest=(\S+) -->/

/** Identifies the issue of one task of one manifest; the issue body carries it hidden. */
export interface TaskKey {
  task: string
  manifest: string
}

/** Renders the hidden marker that links an issue to its task. */
export function renderMarker(key: TaskKey): string {
  return `<!-- parallel-setup:task=${key.task} manifest=${encodeURIComponent(key.manifest)} -->`
}

/** Reads the marker from an issue body, or undefined when the body has none. */
export function parseMarker(body: string | null | undefined): TaskKey | undefined {
  const match = MARKER_PATTERN.exec(body ?? '')
  if (!match) return undefined
  return { task: match[1]!, manifest: decodeURIComponent(match[2]!) }
}

export function sameTask(a: TaskKey, b: TaskKey): boolean {
  return a.task === b.task && a.manifest === b.manifest
}

/**
 * Builds the issue body: the task's Markdown, then the marker. A body that would pass
 * GitHub's limit is cut with a visible note instead of being rejected with 422.
 */
export function renderIssueBody(markdown: string, key: TaskKey): string {
  const marker = renderMarker(key)
  const whole = markdown === '' ? marker : `${markdown}\n\n${marker}`
  if (whole.length <= MAX_BODY_LENGTH) return whole

  const note = (kept: number): string =>
    `\n\n> [!NOTE]\n> This body was cut to ${kept.toLocaleString('en-US')} of ${markdown.length.toLocaleString('en-US')} characters, ` +
    `because GitHub allows at most ${MAX_BODY_LENGTH.toLocaleString('en-US')}. The full text is in \`${key.manifest}\`, task \`${key.task}\`.`
  const reserve = note(markdown.length).length + marker.length + 2
  let kept = MAX_BODY_LENGTH - reserve
  // Never split a surrogate pair: half an emoji would make the body invalid UTF-8.
  const last = markdown.charCodeAt(kept - 1)
  if (last >= 0xd800 && last <= 0xdbff) kept -= 1
  return `${markdown.slice(0, kept)}${note(kept)}\n\n${marker}`
}
