/**
 * Sections 1 and 2 of the report: the sequential strategy against this project's fan-out,
 * side by side in one run, and how the fan-out's wall time grows with the task count.
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  GUIDE_ISSUE_CREATE_MS,
  GUIDE_WORKTREE_MS,
  parallelRunsFor,
  runsFor,
  type BenchConfig
} from './config.js'
import {
  planMatrix,
  runParallel,
  runProbe,
  runSequential,
  type ArmRun,
  type LegOutcome
} from './legs.js'
import { createBenchProject, type BenchProject } from './project.js'
import { median, round, roundSummary, summarize, type Summary } from './stats.js'

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** The guide's own table: total setup time with its 60 s of planning, in seconds. */
export const GUIDE_TABLE = [
  { tasks: 5, sequentialS: 105, parallelS: 73, improvementPercent: 30 },
  { tasks: 10, sequentialS: 150, parallelS: 78, improvementPercent: 48 },
  { tasks: 20, sequentialS: 240, parallelS: 88, improvementPercent: 63 }
] as const
export const GUIDE_PLANNING_S = 60

export interface ComparisonRow {
  tasks: number
  /** Seconds, measured; null where the sequential runs had fewer tasks than this row. */
  sequential: Summary | null
  /** Seconds: tasks × the median time per sequential task, for rows without a measurement. */
  sequentialEstimateS: number | null
  parallel: Summary
  /** Sequential median over parallel median; from the estimate where `sequential` is null. */
  speedup: number
  /** 1 − parallel / sequential, in percent: the guide's "improvement". */
  savedPercent: number
  /** Speedup divided by the task count: 100 % when N legs finish N times faster. */
  efficiencyPercent: number
  speedupIsEstimate: boolean
  /** Median over the parallel runs of the legs' CPU seconds per leg, git included. */
  cpuSecondsPerLeg: number | null
  /**
   * (Tasks × CPU seconds per leg + the bench's own CPU seconds) ÷ CPUs: the least wall time
   * this machine needs for the run's work.
   */
  machineBoundS: number | null
  /** Median over the parallel runs of the CPU seconds that processes outside the bench used. */
  otherCpuS: number | null
  /** Median over the parallel runs of the bench process's own CPU seconds (emulator, harness). */
  benchCpuS: number
  /** Median duration of each phase over every parallel leg, in milliseconds. */
  parallelPhasesMs: Record<string, number>
  /** Median and slowest wall time of one parallel leg, in seconds. */
  parallelLegS: { median: number; max: number }
  /** Lone legs run after the parallel run, in seconds. */
  isolatedLeg: Summary | null
  /** Requests each lone leg made, and how many of them went to the Search API. */
  isolatedLegRequests: number[]
  isolatedLegSearchRequests: number
  /** One runner per leg: the same N legs, a few at a time, or null when not run. */
  perLeg: PerLegRow | null
  failures: number
  /** The end of the output of up to three steps that did not end ready. */
  failureOutput: string[]
}

/**
 * The N legs of a new project, run at most `concurrency` at once, so that each leg runs as
 * on a runner of its own. The parallel setup phase is then as long as the slowest leg.
 */
export interface PerLegRow {
  /** Legs at once, at most the machine's CPU count. */
  concurrency: number
  /** t(N): the slowest leg's wall time of each run, in seconds. */
  slowestLeg: Summary
  /** Median and 90th percentile of every leg's wall time, over every run, in seconds. */
  legMedianS: number
  legP90S: number
  /** First spawn to last exit of each run, in seconds: the time this machine needed. */
  totalS: Summary
  /** Median over the runs of the legs' CPU seconds per leg, git included. */
  cpuSecondsPerLeg: number | null
  /** Median over the runs of the CPU seconds that processes outside the bench used. */
  otherCpuS: number | null
  /** REST requests of a run divided by its legs, median over the runs. */
  requestsPerLeg: number
  /**
   * The first and the last tenth of the first run's legs, in the order they ran: how a leg's
   * own work changes as the repository and the remote fill up. Null with fewer than 10 legs.
   */
  growth: { first: LegGroup; last: LegGroup } | null
  failures: number
}

/** Medians over a group of legs that ran one after another. */
export interface LegGroup {
  legs: number
  wallS: number
  /** Median duration of each phase, in milliseconds. */
  phasesMs: Record<string, number>
}

export interface ListModeRecord {
  /** The installed @octokit/plugin-throttling, which spaces the issue creations of one process. */
  throttlingVersion: string
  tasks: number
  wallS: number
  /** The issue phase of each task, in order, in milliseconds. */
  issuePhaseMs: number[]
  failures: number
}

export interface ScalingRow {
  tasks: number
  parallelS: number
  /** parallel(N) / parallel(base). */
  ratio: number
  isolatedLegS: number | null
  isolatedRatio: number | null
  /** t(N) with one runner per leg: the median slowest leg, and its ratio to the base's. */
  perLegS: number | null
  perLegRatio: number | null
}

export interface ComparisonRecord {
  scale: number
  createLatencyMs: number
  worktreeDelayMs: number
  runners: number
  sequentialTasks: number
  /** Wall time of one sequential setup step, in seconds, over every sequential task. */
  sequentialPerTask: Summary
  /** Median over the sequential runs of the CPU seconds per step, git included. */
  sequentialCpuPerTaskS: number | null
  rows: ComparisonRow[]
  scaling: {
    base: number
    goalRatio: number
    goalTasks: number
    rows: ScalingRow[]
  }
  listMode: ListModeRecord | null
}

export async function runComparison(
  config: BenchConfig,
  cpus: number,
  log: (message: string) => void,
  signal?: AbortSignal
): Promise<ComparisonRecord> {
  const settings = config.comparison
  const createLatencyMs = GUIDE_ISSUE_CREATE_MS / config.scale
  const worktreeDelayMs = GUIDE_WORKTREE_MS / config.scale
  const newProject = (taskIds: string[]): Promise<BenchProject> =>
    createBenchProject({ taskIds, createLatencyMs, worktreeDelayMs, secondary: false })

  const parallelRuns = new Map<number, ArmRun[]>()
  const probes = new Map<number, Array<Awaited<ReturnType<typeof runProbe>>>>()
  const sequentialRuns: Array<Awaited<ReturnType<typeof runSequential>>> = []
  const perLegRuns = new Map<number, ArmRun[]>()
  const perLeg = settings.perLeg
  const perLegConcurrency = Math.max(1, Math.min(perLeg?.concurrency ?? cpus, cpus))
  const repetitions = Math.max(
    settings.sequentialRuns,
    ...settings.sizes.map((tasks) => parallelRunsFor(settings, tasks)),
    ...(perLeg?.sizes ?? []).map((tasks) => runsFor(perLeg!.runs, tasks))
  )

  const runParallelSize = async (tasks: number, repetition: number): Promise<void> => {
    const taskIds = ids('t', tasks)
    const project = await newProject([...taskIds, ...ids('p', settings.probes)])
    try {
      const matrix = await planMatrix(project, 't*')
      const run = await runParallel(project, matrix, {
        runners: settings.runners,
        createsPerMinute: 0,
        signal
      })
      push(parallelRuns, tasks, run)
      log(
        `parallel N=${tasks} run ${repetition + 1}: ${(run.wallMs / 1000).toFixed(2)} s` +
          (run.failures > 0 ? `, ${run.failures} failed` : '')
      )
      // Lone legs only after the first repetition: they measure the state N legs leave behind.
      for (let k = 0; k < (repetition === 0 ? settings.probes : 0); k++) {
        push(probes, tasks, await runProbe(project, `p${k}`, tasks + k))
      }
    } finally {
      await project.stop()
    }
  }

  const runSequentialOnce = async (repetition: number): Promise<void> => {
    const taskIds = ids('t', settings.sequentialTasks)
    const project = await newProject(taskIds)
    try {
      const run = await runSequential(project, taskIds, signal)
      sequentialRuns.push(run)
      log(
        `sequential ${settings.sequentialTasks} tasks run ${repetition + 1}: ${(run.wallMs / 1000).toFixed(2)} s` +
          (run.failures > 0 ? `, ${run.failures} failed` : '')
      )
    } finally {
      await project.stop()
    }
  }

  const runPerLegSize = async (tasks: number, repetition: number): Promise<void> => {
    const project = await newProject(ids('t', tasks))
    try {
      const matrix = await planMatrix(project, 't*')
      const run = await runParallel(project, matrix, {
        runners: perLegConcurrency,
        createsPerMinute: 0,
        signal
      })
      push(perLegRuns, tasks, run)
      const slowest = Math.max(...run.legs.map((leg) => leg.wallMs))
      log(
        `one runner per leg, N=${tasks} run ${repetition + 1}: slowest leg ${(slowest / 1000).toFixed(2)} s, ` +
          `all legs ${(run.wallMs / 1000).toFixed(2)} s` +
          (run.failures > 0 ? `, ${run.failures} failed` : '')
      )
    } finally {
      await project.stop()
    }
  }

  // Alternating which strategy goes first spreads slow drifts of the machine over both.
  for (let repetition = 0; repetition < repetitions; repetition++) {
    const sequentialFirst = repetition % 2 === 1
    if (sequentialFirst && repetition < settings.sequentialRuns) await runSequentialOnce(repetition)
    for (const tasks of settings.sizes) {
      if (repetition < parallelRunsFor(settings, tasks)) await runParallelSize(tasks, repetition)
      if (perLeg?.sizes.includes(tasks) && repetition < runsFor(perLeg.runs, tasks)) {
        await runPerLegSize(tasks, repetition)
      }
    }
    if (!sequentialFirst && repetition < settings.sequentialRuns) {
      await runSequentialOnce(repetition)
    }
  }

  const perTaskMs = sequentialRuns.flatMap((run) =>
    run.elapsedAfterTaskMs.map((elapsed, i) => elapsed - (run.elapsedAfterTaskMs[i - 1] ?? 0))
  )
  const sequentialPerTask = summarize(perTaskMs.map((ms) => ms / 1000))
  const sequentialCpu = sequentialRuns
    .map((run) => (run.legCpuSeconds === undefined ? undefined : run.legCpuSeconds / run.tasks))
    .filter((value): value is number => value !== undefined)

  const rows = settings.sizes.map((tasks) =>
    buildRow(tasks, {
      parallel: parallelRuns.get(tasks) ?? [],
      sequential: sequentialRuns,
      probes: probes.get(tasks) ?? [],
      perTaskS: sequentialPerTask.median,
      perLeg: perLegRuns.get(tasks) ?? [],
      perLegConcurrency,
      cpus
    })
  )

  const listMode =
    config.listModeTasks > 0
      ? await runListMode(config.listModeTasks, newProject, log, signal)
      : null

  return {
    scale: config.scale,
    createLatencyMs,
    worktreeDelayMs,
    runners: settings.runners,
    sequentialTasks: settings.sequentialTasks,
    sequentialPerTask: roundSummary(sequentialPerTask),
    sequentialCpuPerTaskS: sequentialCpu.length > 0 ? round(median(sequentialCpu)) : null,
    rows,
    scaling: buildScaling(rows),
    listMode
  }
}

function buildRow(
  tasks: number,
  data: {
    parallel: ArmRun[]
    sequential: Array<{ elapsedAfterTaskMs: number[]; legs: LegOutcome[] }>
    probes: Array<{ wallMs: number; requests: number; searchRequests: number }>
    perTaskS: number
    perLeg: ArmRun[]
    perLegConcurrency: number
    cpus: number
  }
): ComparisonRow {
  const parallel = summarize(data.parallel.map((run) => run.wallMs / 1000))
  const measured = data.sequential
    .filter((run) => run.elapsedAfterTaskMs.length >= tasks)
    .map((run) => run.elapsedAfterTaskMs[tasks - 1]! / 1000)
  const sequential = measured.length > 0 ? summarize(measured) : null
  const sequentialEstimateS = sequential ? null : tasks * data.perTaskS
  const sequentialS = sequential?.median ?? sequentialEstimateS!
  const speedup = sequentialS / parallel.median

  const cpuPerLeg = data.parallel
    .map((run) => (run.legCpuSeconds === undefined ? undefined : run.legCpuSeconds / tasks))
    .filter((value): value is number => value !== undefined)
  const cpuSecondsPerLeg = cpuPerLeg.length > 0 ? median(cpuPerLeg) : null
  const benchCpuS = median(data.parallel.map((run) => run.benchCpuSeconds))
  const other = data.parallel
    .map((run) => run.otherCpuSeconds)
    .filter((value): value is number => value !== undefined)
  const legs = data.parallel.flatMap((run) => run.legs)
  const phaseNames = [...new Set(legs.flatMap((leg) => Object.keys(leg.phases)))]
  const failed = [...legs, ...data.sequential.flatMap((run) => run.legs.slice(0, tasks))].filter(
    (leg) => leg.exitCode !== 0 || leg.status !== 'ready'
  )

  return {
    tasks,
    sequential: sequential ? roundSummary(sequential) : null,
    sequentialEstimateS: sequentialEstimateS === null ? null : round(sequentialEstimateS),
    parallel: roundSummary(parallel),
    speedup: round(speedup),
    savedPercent: round((1 - parallel.median / sequentialS) * 100, 1),
    efficiencyPercent: round((speedup / tasks) * 100, 1),
    speedupIsEstimate: sequential === null,
    cpuSecondsPerLeg: cpuSecondsPerLeg === null ? null : round(cpuSecondsPerLeg),
    machineBoundS:
      cpuSecondsPerLeg === null ? null : round((tasks * cpuSecondsPerLeg + benchCpuS) / data.cpus),
    otherCpuS: other.length > 0 ? round(median(other), 1) : null,
    benchCpuS: round(benchCpuS, 1),
    parallelPhasesMs: Object.fromEntries(
      phaseNames.map((name) => [name, Math.round(median(legs.map((leg) => leg.phases[name] ?? 0)))])
    ),
    parallelLegS: {
      median: round(median(legs.map((leg) => leg.wallMs / 1000))),
      max: round(Math.max(...legs.map((leg) => leg.wallMs / 1000)))
    },
    isolatedLeg:
      data.probes.length > 0
        ? roundSummary(summarize(data.probes.map((probe) => probe.wallMs / 1000)))
        : null,
    isolatedLegRequests: data.probes.map((probe) => probe.requests),
    isolatedLegSearchRequests: data.probes.reduce((sum, probe) => sum + probe.searchRequests, 0),
    perLeg: data.perLeg.length > 0 ? buildPerLegRow(data.perLeg, data.perLegConcurrency) : null,
    failures: failed.length,
    failureOutput: failed.slice(0, 3).map((leg) => `${leg.task}: ${leg.error ?? leg.status}`)
  }
}

function buildPerLegRow(runs: ArmRun[], concurrency: number): PerLegRow {
  const legs = runs.flatMap((run) => run.legs.map((leg) => leg.wallMs / 1000))
  const sorted = [...legs].sort((a, b) => a - b)
  const cpu = runs
    .map((run) => (run.legCpuSeconds === undefined ? undefined : run.legCpuSeconds / run.tasks))
    .filter((value): value is number => value !== undefined)
  const other = runs
    .map((run) => run.otherCpuSeconds)
    .filter((value): value is number => value !== undefined)
  return {
    concurrency,
    slowestLeg: roundSummary(
      summarize(runs.map((run) => Math.max(...run.legs.map((leg) => leg.wallMs / 1000))))
    ),
    legMedianS: round(median(legs)),
    // The nearest-rank 90th percentile.
    legP90S: round(sorted[Math.ceil(sorted.length * 0.9) - 1]!),
    totalS: roundSummary(summarize(runs.map((run) => run.wallMs / 1000))),
    cpuSecondsPerLeg: cpu.length > 0 ? round(median(cpu)) : null,
    otherCpuS: other.length > 0 ? round(median(other), 1) : null,
    requestsPerLeg: round(median(runs.map((run) => run.requests / run.tasks)), 2),
    growth: legGrowth(runs[0]!.legs),
    failures: runs.reduce((sum, run) => sum + run.failures, 0)
  }
}

/** Compares the first tenth of the legs with the last tenth; null with fewer than 10 legs. */
function legGrowth(legs: ArmRun['legs']): PerLegRow['growth'] {
  if (legs.length < 10) return null
  const size = Math.floor(legs.length / 10)
  const group = (part: ArmRun['legs']): LegGroup => {
    const names = [...new Set(part.flatMap((leg) => Object.keys(leg.phases)))]
    return {
      legs: part.length,
      wallS: round(median(part.map((leg) => leg.wallMs / 1000))),
      phasesMs: Object.fromEntries(
        names.map((name) => [name, Math.round(median(part.map((leg) => leg.phases[name] ?? 0)))])
      )
    }
  }
  return { first: group(legs.slice(0, size)), last: group(legs.slice(-size)) }
}

/** Builds t(N) / t(5) of the fan-out, and the same ratio for lone legs and one runner per leg. */
function buildScaling(rows: ComparisonRow[]): ComparisonRecord['scaling'] {
  const base = rows.find((row) => row.tasks === 5) ?? rows[0]!
  return {
    base: base.tasks,
    goalRatio: 1.15,
    goalTasks: 100,
    rows: rows.map((row) => ({
      tasks: row.tasks,
      parallelS: row.parallel.median,
      ratio: round(row.parallel.median / base.parallel.median),
      isolatedLegS: row.isolatedLeg?.median ?? null,
      isolatedRatio:
        row.isolatedLeg && base.isolatedLeg
          ? round(row.isolatedLeg.median / base.isolatedLeg.median)
          : null,
      perLegS: row.perLeg?.slowestLeg.median ?? null,
      perLegRatio:
        row.perLeg && base.perLeg
          ? round(row.perLeg.slowestLeg.median / base.perLeg.slowestLeg.median)
          : null
    }))
  }
}

/** Runs one setup step with every task as a list, the way a shared matrix leg runs them. */
async function runListMode(
  tasks: number,
  newProject: (taskIds: string[]) => Promise<BenchProject>,
  log: (message: string) => void,
  signal?: AbortSignal
): Promise<ListModeRecord> {
  const taskIds = ids('t', tasks)
  const project = await newProject(taskIds)
  try {
    const started = performance.now()
    const run = await project.run(
      'setup',
      project.newWorkspace(),
      { task: taskIds.join(','), 'creates-per-minute': '0' },
      { signal }
    )
    const wallS = (performance.now() - started) / 1000
    const results = JSON.parse(run.outputs.result ?? '[]') as Array<{
      status: string
      phases: Array<{ name: string; durationMs: number }>
    }>
    log(`list mode, ${tasks} tasks in one step: ${wallS.toFixed(2)} s`)
    return {
      throttlingVersion: readPackageVersion('@octokit/plugin-throttling'),
      tasks,
      wallS: round(wallS),
      issuePhaseMs: results.map(
        (result) => result.phases.find((phase) => phase.name === 'issue')?.durationMs ?? 0
      ),
      failures:
        run.exitCode !== 0
          ? Math.max(1, results.filter((result) => result.status !== 'ready').length)
          : 0
    }
  } finally {
    await project.stop()
  }
}

function readPackageVersion(name: string): string {
  const file = path.join(repositoryRoot, 'node_modules', name, 'package.json')
  try {
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version
  } catch {
    return 'unknown'
  }
}

export function ids(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${i}`)
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}
