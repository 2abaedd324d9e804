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
  // The Markdown is counted once, because a body may be megabytes long.
  const total = characterCount(markdown)
  const markerCount = characterCount(marker)
  const wholeCount = markdown === '' ? markerCount : total + 2 + markerCount
  if (wholeCount <= MAX_BODY_LENGTH) return whole

  const note = (keptCount: number): string =>
    `\n\n> [!NOTE]\n> This body was cut to ${keptCount.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} characters, ` +
    `because GitHub allows at most ${MAX_BODY_LENGTH.toLocaleString('en-US')}. The full text is in \`${key.manifest}\`, task \`${key.task}\`.`
  const reserve = characterCount(note(total)) + markerCount + 2
  const keptCount = MAX_BODY_LENGTH - reserve
  return `${leadingCharacters(markdown, keptCount)}${note(keptCount)}\n\n${marker}`
}

/** Returns the first `count` code points of a text, so that no emoji is split in half. */
function leadingCharacters(text: string, count: number): string {
  let endIndex = 0
  let counted = 0
  for (const character of text) {
    if (counted === count) break
    endIndex += character.length
    counted++
  }
  return text.slice(0, endIndex)
}

/**
 * Counts the characters of a body as code points.
 * NOTE: GitHub's docs do not state how the limit counts characters. Code points are assumed,
 * as in the emulator. Counting UTF-16 units instead would cut bodies with emoji shorter.
 */
export function characterCount(text: string): number {
  // Each surrogate pair is two UTF-16 units but one code point.
  const pairs = text.match(/[\ud800-\udbff][\udc00-\udfff]/g)?.length ?? 0
  return text.length - pairs
}
