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
