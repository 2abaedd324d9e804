import type { TaskResult } from '../results/record.js'
import { escapeMarkdownCell } from './markdown.js'

/** Renders one leg's results for its job summary. */
export function renderSetupSummary(results: TaskResult[]): string {
  const lines = [
    '## Task setup',
    '',
    '| Task | Issue | Branch | Install | Status |',
    '| --- | --- | --- | --- | --- |'
  ]
  for (const result of results) {
    lines.push(
      `| ${escapeMarkdownCell(result.title)} (\`${result.task}\`) | ${renderIssue(result)} | ${result.branch ? `\`${result.branch}\`` : '-'} | ${result.installStatus}${
        result.packageManager ? ` (${result.packageManager})` : ''
      } | ${result.status === 'ready' ? 'ready' : `failed: ${escapeMarkdownCell(result.error ?? '')}`} |`
    )
  }
  return lines.join('\n') + '\n'
}

export function renderIssue(result: TaskResult): string {
  if (result.issueNumber === null) return '-'
  return result.issueUrl ? `[#${result.issueNumber}](${result.issueUrl})` : `#${result.issueNumber}`
}
