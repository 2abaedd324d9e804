import type { Manifest, Task } from '../manifest/index.js'
import { buildMatrix, buildWaves, MAX_MATRIX_JOBS, type MatrixEntry } from './matrix.js'
import { selectTasks } from './select.js'

export { buildMatrix, buildWaves, MAX_MATRIX_JOBS, type MatrixEntry } from './matrix.js'
export { parseOnly, selectTasks, summarizeIds } from './select.js'

/** What the plan action outputs, built from a manifest and the user's filters. */
export interface Plan {
  manifest: Manifest
  tasks: Task[]
  matrix: { include: MatrixEntry[] }
  waves: string[][]
}

/** Selects, groups and orders the manifest's tasks. */
export function planTasks(
  manifest: Manifest,
  options: { only?: string[]; maxJobs?: number } = {}
): Plan {
  const maxJobs = options.maxJobs ?? MAX_MATRIX_JOBS
  if (!Number.isInteger(maxJobs) || maxJobs < 1 || maxJobs > MAX_MATRIX_JOBS) {
    throw new Error(
      `Invalid max-jobs ${String(maxJobs)}: expected a whole number from 1 to ${MAX_MATRIX_JOBS}, GitHub's limit of jobs in one matrix.`
    )
  }
  const tasks = selectTasks(manifest.tasks, options.only ?? [])
  return {
    manifest,
    tasks,
    matrix: { include: buildMatrix(tasks, maxJobs) },
    waves: buildWaves(tasks)
  }
}
