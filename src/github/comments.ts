import type { Octokit } from './client.js'
import { shortenText } from '../summary/markdown.js'
import { MAX_BODY_LENGTH } from './body.js'
import { describePermissionError } from './errors.js'
import type { Repository } from './issues.js'

/**
 * Creates or updates the one comment on an issue that carries `marker`, so a re-run edits
 * its summary instead of adding another. Returns the comment's URL.
 */
export async function upsertMarkedComment(
  octokit: Octokit,
  repository: Repository,
  issueNumber: number,
  marker: string,
  markdown: string
): Promise<{ url: string; created: boolean }> {
  const body = fitBody(`${markdown}\n${marker}`, marker)
  try {
    const comments = await octokit.paginate(octokit.rest.issues.listComments, {
      ...repository,
      issue_number: issueNumber,
      per_page: 100
    })
    const existing = comments.find((comment) => comment.body?.includes(marker))
    if (existing) {
      const { data } = await octokit.rest.issues.updateComment({
        ...repository,
        comment_id: existing.id,
        body
      })
      return { url: data.html_url, created: false }
    }
    const { data } = await octokit.rest.issues.createComment({
      ...repository,
      issue_number: issueNumber,
      body
    })
    return { url: data.html_url, created: true }
  } catch (error) {
    const advice = describePermissionError(error, 'comment on issues')
    throw advice ? new Error(advice) : error
  }
}

/**
 * Cuts a body that would pass GitHub's limit at a line break, closes a code block left open
 * (or the note would show as code), and adds a visible note before the marker. Callers that
 * can cut by rows should do so first. This only keeps the request from being rejected.
 */
export function fitBody(body: string, marker: string): string {
  if (body.length <= MAX_BODY_LENGTH) return body
  const note = `\n> [!NOTE]\n> This comment was cut to fit GitHub's limit of ${MAX_BODY_LENGTH.toLocaleString('en-US')} characters.\n`
  const fence = '```\n'
  const room = MAX_BODY_LENGTH - note.length - fence.length - marker.length
  const lineEnd = body.lastIndexOf('\n', room - 2)
  // One line longer than the limit is cut inside, but never inside a surrogate pair.
  let kept =
    lineEnd >= 0 ? body.slice(0, lineEnd + 1) : `${shortenText(body, room - 1).slice(0, -1)}\n`
  // A line of three backticks opens or closes a fenced code block.
  const fences = kept.split('\n').filter((line) => /^\s*```/.test(line)).length
  if (fences % 2 === 1) kept += fence
  return `${kept}${note}${marker}`
}
