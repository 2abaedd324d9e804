import type { TaskResult } from './record.js'
import type { FetchedResults, RejectedResult } from './transport.js'

export type MergedStatus = 'ready' | 'failed' | 'missing'

/** One expected task in collect's output: its latest result, or `missing`. */
export interface MergedTask {
  task: string
  status: MergedStatus
  result: TaskResult | null
}

export interface MergedResults {
  tasks: MergedTask[]
  /** Results that were not merged: corrupt, from another run or manifest, or for an unexpected task. */
  rejected: RejectedResult[]
}

/**
 * Merges results into one entry per expected task, in the expected order. Only results of
 * this run and manifest count; among them the highest run attempt wins, so a re-run
 * replaces the first attempt. A task without a result is `missing`, never a success.
 */
export function mergeResults(
  expected: string[],
  fetched: FetchedResults,
  run: { runId: string; manifest: string }
): MergedResults {
  const rejected = [...fetched.rejected]
  const latest = new Map<string, TaskResult>()
  const expectedSet = new Set(expected)
  for (const { source, result } of fetched.results) {
    if (result.run.manifest !== run.manifest) {
      rejected.push({
        source,
        reason: `it belongs to the manifest '${result.run.manifest}', not '${run.manifest}'`
      })
      continue
    }
    if (result.run.runId !== run.runId) {
      rejected.push({
        source,
        reason: `it is from run ${result.run.runId}, not this run ${run.runId}`
      })
      continue
    }
    if (!expectedSet.has(result.task)) {
      rejected.push({ source, reason: `its task '${result.task}' is not among the expected tasks` })
      continue
    }
    const current = latest.get(result.task)
    if (!current || isNewer(result, current)) latest.set(result.task, result)
  }
  return {
    tasks: expected.map((task) => {
      const result = latest.get(task) ?? null
      return { task, status: result ? result.status : 'missing', result }
    }),
    rejected
  }
}

function isNewer(candidate: TaskResult, current: TaskResult): boolean {
  if (candidate.run.runAttempt !== current.run.runAttempt)
    return candidate.run.runAttempt > current.run.runAttempt
  return candidate.finishedAt > current.finishedAt
}
