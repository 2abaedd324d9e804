import type { GitCommandManager } from '../git/index.js'
import { findResultProblem, type TaskResult } from './record.js'
import { RESULT_FILE_NAME, resultRef, resultRefPrefix } from './ref.js'

/**
 * Results travel from the legs to collect as git refs on the repository's remote: each leg
 * pushes one commit holding `result.json` to `refs/parallel-setup/results/<manifest>/<run>/<task>`.
 * One ref per run and task means 256 legs and overlapping runs never overwrite each other; a
 * re-run attempt replaces its task's ref; and the push needs only the `contents: write` permission that pushing the task
 * branch needs anyway, with no REST request and no rate limit.
 */
export async function publishResults(
  git: Pick<GitCommandManager, 'createCommitWithFile' | 'tryPushRefspecs'>,
  results: TaskResult[],
  remote = 'origin'
): Promise<void> {
  const refspecs: string[] = []
  for (const result of results) {
    const sha = await git.createCommitWithFile(
      RESULT_FILE_NAME,
      `${JSON.stringify(result, null, 2)}\n`,
      `Result of task ${result.task}, run ${result.run.runId} attempt ${result.run.runAttempt}`
    )
    // '+' replaces an earlier attempt's result; this ref holds nothing else.
    refspecs.push(`+${sha}:${resultRef(result.run.manifest, result.run.runId, result.task)}`)
  }
  const pushed = await git.tryPushRefspecs(remote, refspecs)
  if (!pushed) {
    throw new Error(
      `Pushing the results to ${resultRefPrefix(results[0]!.run.manifest, results[0]!.run.runId)} failed. ` +
        "The job needs 'contents: write'; without it, set push: false and move the result files yourself (results-dir)."
    )
  }
}

/** A result file or ref that could not be used, with the reason. */
export interface RejectedResult {
  source: string
  reason: string
}

export interface FetchedResults {
  results: Array<{ source: string; result: TaskResult }>
  rejected: RejectedResult[]
}

/** Fetches every result ref of one run of a manifest and parses them. */
export async function fetchResults(
  git: Pick<GitCommandManager, 'fetchRefs' | 'readFileAtCommit'>,
  manifest: string,
  runId: string,
  remote = 'origin'
): Promise<FetchedResults> {
  const refs = await git.fetchRefs(remote, `${resultRefPrefix(manifest, runId)}/*`)
  const fetched: FetchedResults = { results: [], rejected: [] }
  for (const [ref, sha] of refs) {
    let text: string
    try {
      text = await git.readFileAtCommit(sha, RESULT_FILE_NAME)
    } catch (error) {
      fetched.rejected.push({ source: ref, reason: (error as Error).message })
      continue
    }
    addParsed(fetched, ref, text)
  }
  return fetched
}

/** Parses one result's JSON into `into`, or records why it cannot be used. */
export function addParsed(into: FetchedResults, source: string, text: string): void {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    into.rejected.push({ source, reason: `it is not valid JSON: ${(error as Error).message}` })
    return
  }
  const problem = findResultProblem(value)
  if (problem) {
    into.rejected.push({ source, reason: problem })
    return
  }
  into.results.push({ source, result: value as TaskResult })
}
