import type { Octokit } from './client.js'
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

function fitBody(body: string, marker: string): string {
  if (body.length <= MAX_BODY_LENGTH) return body
  const note =
    "\n\n> [!NOTE]\n> The summary was cut to fit GitHub's limit of 65,536 characters; the job summary has all of it.\n"
  return body.slice(0, MAX_BODY_LENGTH - note.length - marker.length - 1) + note + marker
}
