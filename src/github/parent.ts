import type { Octokit } from './client.js'
import { MAX_BODY_LENGTH } from './body.js'
import { describePermissionError } from './errors.js'
import type { Repository } from './issues.js'

/** Rounds of read, edit, write and check before the update gives up. */
export const MAX_BODY_UPDATE_ATTEMPTS = 5

export interface BodyUpdate {
  /** False when the edit changed nothing, so no request was sent. */
  changed: boolean
  /** Rounds used, from 1. */
  attempts: number
  body: string
}

export interface BodyUpdateOptions {
  log: (message: string) => void
  maxAttempts?: number
}

/**
 * Applies `edit` to an issue body that people may be editing at the same time. Each round
 * reads the current body, applies the edit to it, writes the result, and reads the body
 * again: when it differs from what was written, someone saved in between, and the next round
 * applies the edit to their version. `edit` must be idempotent and change only its own lines.
 *
 * NOTE: GitHub's update-issue endpoint takes no version or ETag, so an edit saved between
 * this round's read and its write is overwritten without a trace. That window is one request
 * long. An edit saved after the write shows up in the check that follows it.
 */
export async function updateIssueBody(
  octokit: Octokit,
  repository: Repository,
  issueNumber: number,
  edit: (body: string) => string,
  options: BodyUpdateOptions
): Promise<BodyUpdate> {
  const maxAttempts = options.maxAttempts ?? MAX_BODY_UPDATE_ATTEMPTS
  const read = async (): Promise<string> => {
    const { data } = await octokit.rest.issues.get({ ...repository, issue_number: issueNumber })
    return data.body ?? ''
  }
  try {
    let current = await read()
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const desired = edit(current)
      if (desired === current) return { changed: attempt > 1, attempts: attempt, body: current }
      if ([...desired].length > MAX_BODY_LENGTH) {
        throw new Error(
          `The edited body of issue #${issueNumber} would be longer than GitHub's ${MAX_BODY_LENGTH.toLocaleString('en-US')} characters, so it was not saved. ` +
            'Move some text out of the issue body.'
        )
      }
      await octokit.rest.issues.update({ ...repository, issue_number: issueNumber, body: desired })
      const saved = await read()
      if (saved === desired) return { changed: true, attempts: attempt, body: saved }
      options.log(
        `The body of issue #${issueNumber} changed while it was being updated (round ${attempt} of ${maxAttempts}); applying the edit to the new version.`
      )
      current = saved
    }
  } catch (error) {
    const advice = describePermissionError(error, 'edit issues')
    throw advice ? new Error(advice) : error
  }
  throw new Error(
    `The body of issue #${issueNumber} kept changing during ${maxAttempts} rounds of updates, so the issue links were not saved. ` +
      'Re-run the collect job when nobody is editing the issue.'
  )
}
