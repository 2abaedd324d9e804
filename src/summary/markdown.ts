/**
 * Makes text safe inside one Markdown table cell: pipes and line breaks would end the cell,
 * and raw HTML from untrusted titles must show as text.
 */
export function escapeMarkdownCell(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ')
}

/**
 * Cuts text to at most `max` UTF-16 code units, ending in '…' when cut. A surrogate pair is
 * never split, because half of one is not valid Unicode.
 */
export function shortenText(text: string, max: number): string {
  if (text.length <= max) return text
  let end = max - 1
  const last = text.charCodeAt(end - 1)
  if (last >= 0xd800 && last <= 0xdbff) end -= 1
  return `${text.slice(0, end)}…`
}

/** Formats a count with thousands separators, as in "10,000". */
export function formatCount(count: number): string {
  return count.toLocaleString('en-US')
}
