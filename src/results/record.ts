/** The format version of a result record; collect rejects records of another version. */
export const RESULT_FORMAT_VERSION = 1

export type PhaseName = 'issue' | 'worktree' | 'copy' | 'push' | 'install'
export type InstallStatus = 'success' | 'failed' | 'skipped'
export type TaskStatus = 'ready' | 'failed'

/** When one phase of a leg ran, for the timeline. */
export interface PhaseTiming {
  name: PhaseName
  /** ISO 8601 time the phase started. */
  startedAt: string
  durationMs: number
}

/** The run a result came from, so collect can tell attempts and other runs apart. */
export interface RunIdentity {
  repository: string
  runId: string
  runAttempt: number
  /** The manifest path the task came from. */
  manifest: string
}

/** What one leg reports for one task: the setup action's outputs, plus timings. */
export interface TaskResult {
  format: typeof RESULT_FORMAT_VERSION
  task: string
  title: string
  status: TaskStatus
  /** Why the task failed; absent when it is ready. */
  error?: string
  issueNumber: number | null
  issueUrl: string | null
  issueCreated: boolean
  branch: string | null
  branchCreated: boolean
  worktree: string | null
  packageManager: string | null
  installCommand: string | null
  installStatus: InstallStatus
  /** First port of the task's range, for dev servers in parallel worktrees; null when none was given. */
  portRangeStart: number | null
  phases: PhaseTiming[]
  startedAt: string
  finishedAt: string
  durationMs: number
  run: RunIdentity
}

/**
 * Checks that parsed JSON is a result record this version can read. Returns a reason
 * when it is not, so collect can report the file instead of merging it.
 */
export function findResultProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return 'it is not a JSON object'
  const record = value as Record<string, unknown>
  if (record.format !== RESULT_FORMAT_VERSION) {
    return `its format is ${JSON.stringify(record.format)}, not ${RESULT_FORMAT_VERSION}`
  }
  if (typeof record.task !== 'string' || record.task === '') return "it has no 'task'"
  if (record.status !== 'ready' && record.status !== 'failed')
    return `its status ${JSON.stringify(record.status)} is unknown`
  const run = record.run as Record<string, unknown> | undefined
  if (
    !run ||
    typeof run.runId !== 'string' ||
    typeof run.runAttempt !== 'number' ||
    typeof run.manifest !== 'string'
  ) {
    return "its 'run' does not name the run id, attempt and manifest"
  }
  if (!Array.isArray(record.phases)) return "it has no 'phases'"
  if (typeof record.startedAt !== 'string' || typeof record.finishedAt !== 'string')
    return 'it has no start or finish time'
  return undefined
}
