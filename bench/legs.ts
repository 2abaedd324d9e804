/**
 * The two strategies the comparison times. Both run the bundled setup action through the
 * harness's runAction, one Node 24 process per setup step, against the same kind of project.
 */
import type { ActionRun } from '../test/harness/run-action.js'
import { childCpuSeconds, machineBusyCpuSeconds } from './machine.js'
import { CREATE_ISSUE_ROUTE, type BenchProject } from './project.js'
import { runPool } from './stats.js'

/** Outcome of one setup step, from its exit code and its `result` output. */
export interface LegOutcome {
  task: string
  /** From spawning the process to its exit. */
  wallMs: number
  exitCode: number
  /** The result's status, or 'unknown' when the step wrote no result. */
  status: string
  /** Each phase's duration from the result record, in milliseconds. */
  phases: Record<string, number>
  /** The last lines of the step's output, for a step that failed. */
  error?: string
}

export interface ArmRun {
  tasks: number
  /** From the first spawn to the last exit. */
  wallMs: number
  /** CPU time of the setup processes and the git processes they ran, where /proc exists. */
  legCpuSeconds?: number
  /** CPU time of this process, which runs the emulator and the harness. */
  benchCpuSeconds: number
  /** CPU time of every other process on the machine during the run, where /proc exists. */
  otherCpuSeconds?: number
  legs: LegOutcome[]
  failures: number
  /** Issues in the emulator afterwards: one per task when nothing went wrong. */
  issues: number
  requests: number
}

export interface SequentialRun extends ArmRun {
  /** Elapsed milliseconds when the run had finished its first 1, 2, ... tasks. */
  elapsedAfterTaskMs: number[]
}

export interface ProbeRun {
  wallMs: number
  exitCode: number
  requests: number
  searchRequests: number
}

export interface MatrixLeg {
  task: string
  index: number
  /** The plan's `planned-at` output, which the workflow passes to every leg for pacing. */
  plannedAt?: string
}

/** Runs the plan action in a fresh checkout and returns its matrix legs. */
export async function planMatrix(project: BenchProject, only = ''): Promise<MatrixLeg[]> {
  const run = await project.run('plan', project.newWorkspace(), { only })
  if (run.exitCode !== 0 || !run.outputs.matrix) {
    throw new Error(`The plan action failed with exit code ${run.exitCode}:\n${tail(run)}`)
  }
  const matrix = JSON.parse(run.outputs.matrix) as { include: MatrixLeg[] }
  const plannedAt = run.outputs['planned-at']
  return matrix.include.map((leg) => (plannedAt ? { ...leg, plannedAt } : leg))
}

/**
 * Runs the sequential strategy: one main job that sets the tasks up one after another, each
 * with its own setup step in the same checkout, and fans out afterwards.
 */
export async function runSequential(
  project: BenchProject,
  taskIds: readonly string[],
  signal?: AbortSignal
): Promise<SequentialRun> {
  const workspace = project.newWorkspace()
  const legs: LegOutcome[] = []
  const elapsed: number[] = []
  const measure = startMeasure(project)
  for (const task of taskIds) {
    legs.push(
      await runLeg(project, workspace, task, { task, 'creates-per-minute': '0' }, { signal })
    )
    elapsed.push(performance.now() - measure.startedAt)
  }
  return { ...measure.finish(legs), elapsedAfterTaskMs: elapsed }
}

/**
 * Runs this project's fan-out: one setup step per matrix leg, each in its own checkout,
 * at most `runners` at once. The checkouts are made before the clock starts.
 */
export async function runParallel(
  project: BenchProject,
  matrix: readonly MatrixLeg[],
  options: {
    runners: number
    /** The setup input `creates-per-minute`; undefined leaves the action's default. */
    createsPerMinute?: number
    signal?: AbortSignal
  }
): Promise<ArmRun> {
  const workspaces = matrix.map(() => project.newWorkspace())
  const measure = startMeasure(project)
  const legs = await runPool(matrix.length, options.runners, (i) => {
    const leg = matrix[i]!
    const inputs: Record<string, string> = { task: leg.task, index: String(leg.index) }
    if (leg.plannedAt) inputs['planned-at'] = leg.plannedAt
    if (options.createsPerMinute !== undefined) {
      inputs['creates-per-minute'] = String(options.createsPerMinute)
    }
    return runLeg(project, workspaces[i]!, leg.task, inputs, { signal: options.signal })
  })
  return measure.finish(legs)
}

/** Runs one more leg alone, for a task no other leg has touched, and counts its requests. */
export async function runProbe(
  project: BenchProject,
  task: string,
  index: number
): Promise<ProbeRun> {
  const workspace = project.newWorkspace()
  const firstSeq = project.emulator.log.nextSeq
  const leg = await runLeg(project, workspace, task, {
    task,
    index: String(index),
    'creates-per-minute': '0'
  })
  const entries = project.emulator.log.entries().filter((entry) => entry.seq >= firstSeq)
  return {
    wallMs: leg.wallMs,
    exitCode: leg.exitCode,
    requests: entries.length,
    searchRequests: entries.filter((entry) => entry.path.startsWith('/search/')).length
  }
}

/** Counts the issue creations GitHub accepted, with their emulated arrival times. */
export function acceptedCreates(project: BenchProject): number[] {
  return project.emulator.log
    .entries({ route: CREATE_ISSUE_ROUTE, status: 201 })
    .map((entry) => entry.receivedAt)
}

async function runLeg(
  project: BenchProject,
  workspace: string,
  task: string,
  inputs: Record<string, string>,
  options: { signal?: AbortSignal } = {}
): Promise<LegOutcome> {
  const started = performance.now()
  const run = await project.run('setup', workspace, inputs, { signal: options.signal })
  const wallMs = performance.now() - started
  const result = parseResult(run)
  const outcome: LegOutcome = {
    task,
    wallMs,
    exitCode: run.exitCode,
    status: result?.status ?? 'unknown',
    phases: Object.fromEntries(
      (result?.phases ?? []).map((phase) => [phase.name, phase.durationMs])
    )
  }
  if (run.exitCode !== 0 || outcome.status !== 'ready') outcome.error = tail(run)
  return outcome
}

interface ResultOutput {
  status: string
  phases: Array<{ name: string; durationMs: number }>
}

function parseResult(run: ActionRun): ResultOutput | undefined {
  const text = run.outputs.result
  if (!text) return undefined
  try {
    const parsed = JSON.parse(text) as ResultOutput | ResultOutput[]
    return Array.isArray(parsed) ? parsed[0] : parsed
  } catch {
    return undefined
  }
}

function tail(run: ActionRun): string {
  const lines = `${run.stdout}\n${run.stderr}`.trim().split('\n')
  return lines.slice(-12).join('\n')
}

function startMeasure(project: BenchProject): {
  startedAt: number
  finish(legs: LegOutcome[]): ArmRun
} {
  const cpuBefore = childCpuSeconds()
  const busyBefore = machineBusyCpuSeconds()
  const benchBefore = process.cpuUsage()
  const requestsBefore = project.emulator.log.count()
  const startedAt = performance.now()
  return {
    startedAt,
    finish: (legs) => {
      const wallMs = performance.now() - startedAt
      const cpuAfter = childCpuSeconds()
      const busyAfter = machineBusyCpuSeconds()
      const bench = process.cpuUsage(benchBefore)
      const benchCpuSeconds = (bench.user + bench.system) / 1e6
      const legCpuSeconds =
        cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore
      const otherCpuSeconds =
        busyBefore === undefined || busyAfter === undefined || legCpuSeconds === undefined
          ? undefined
          : Math.max(0, busyAfter - busyBefore - legCpuSeconds - benchCpuSeconds)
      return {
        tasks: legs.length,
        wallMs,
        legCpuSeconds,
        benchCpuSeconds,
        otherCpuSeconds,
        legs,
        failures: legs.filter((leg) => leg.exitCode !== 0 || leg.status !== 'ready').length,
        issues: project.emulator.state.issues.size,
        requests: project.emulator.log.count() - requestsBefore
      }
    }
  }
}
