/**
 * Section 3 of the report: one fan-out with GitHub's secondary rate limits switched on in the
 * emulator and the setup action's own pacing, compared with the least time the limits allow.
 */
import { DEFAULT_CREATES_PER_MINUTE } from '../src/setup/pacing.js'
import {
  GUIDE_ISSUE_CREATE_MS,
  GUIDE_WORKTREE_MS,
  limitRunShape,
  type BenchConfig
} from './config.js'
import { ids } from './comparison.js'
import { acceptedCreates, planMatrix, runParallel, runProbe } from './legs.js'
import { readMemInfoKiB } from './machine.js'
import { createBenchProject } from './project.js'
import { median, round } from './stats.js'

/**
 * Memory planned per concurrent leg, an estimate. A leg that waits for its turn had a
 * proportional set size of about 40 MiB (smaps_rollup), and a running one peaks near 100 MiB
 * resident, part of it shared with the other legs.
 */
const PLANNED_MIB_PER_LEG = 64
/** Memory kept free for everything else on the machine while the legs run. */
const RESERVED_MIB = 2048
/** The run is stopped when the machine's available memory falls below this. */
const ABORT_BELOW_MIB = 1024

export interface LimitRecord {
  /** GitHub's case (256 legs, 80 a minute, 100 at once, pacing 72) divided by this. */
  divisor: number
  legs: number
  contentPerMinute: number
  maxConcurrent: number
  /** The pacing the legs used: the `creates-per-minute` input or the action's default. */
  createsPerMinute: number
  timeScale: number
  /** Legs running at once; below `legs`, the later legs started late. */
  runners: number
  createLatencyMs: number
  worktreeDelayMs: number
  wallS: number
  /** The run's wall time on the emulated clock, in minutes. */
  wallEmulatedMin: number
  /** Emulated minutes from the start to the first and to the last accepted issue creation. */
  firstCreateMin: number | null
  lastCreateMin: number | null
  lowerBound: {
    /** floor((legs − 1) / limit): the last creation cannot be accepted earlier. */
    windowMin: number
    /** legs / limit: the average rate the limit allows. */
    rateMin: number
    /** floor((legs − 1) / pacing): when the action's pacing lets the last leg create. */
    pacingMin: number
  }
  secondaryRejections: number
  requests: number
  contentCreatingRequests: number
  maxConcurrentRequests: number
  failures: number
  issues: number
  legCpuSeconds: number | null
  /** CPU seconds that processes outside the bench used during the run. */
  otherCpuSeconds: number | null
  legS: { median: number; max: number }
  /** A lone leg afterwards, with every issue of the run present. */
  probe: { wallS: number; requests: number; searchRequests: number } | null
  minMemoryAvailableGiB: number
  aborted: boolean
}

export async function runLimitRun(
  config: BenchConfig,
  log: (message: string) => void,
  signal?: AbortSignal
): Promise<LimitRecord> {
  const settings = { ...config.limits!, ...limitRunShape(config.limits!) }
  const createLatencyMs = GUIDE_ISSUE_CREATE_MS / config.scale
  const worktreeDelayMs = GUIDE_WORKTREE_MS / config.scale
  const availableMiB = readMemInfoKiB('MemAvailable') / 1024
  const runners = Math.max(
    1,
    Math.min(settings.legs, Math.floor((availableMiB - RESERVED_MIB) / PLANNED_MIB_PER_LEG))
  )
  if (runners < settings.legs) {
    log(
      `limit run: ${Math.round(availableMiB)} MiB available, so at most ${runners} of ${settings.legs} legs run at once`
    )
  }

  const project = await createBenchProject({
    taskIds: [...ids('t', settings.legs), 'p0'],
    createLatencyMs,
    worktreeDelayMs,
    secondary: {
      contentPerMinute: settings.contentPerMinute,
      maxConcurrent: settings.maxConcurrent
    },
    timeScale: settings.timeScale
  })

  const controller = new AbortController()
  const stop = (): void => controller.abort()
  signal?.addEventListener('abort', stop)
  let minAvailableMiB = availableMiB
  let aborted = false
  const watchdog = setInterval(() => {
    const now = readMemInfoKiB('MemAvailable') / 1024
    minAvailableMiB = Math.min(minAvailableMiB, now)
    if (now > 0 && now < ABORT_BELOW_MIB && !aborted) {
      aborted = true
      log(`limit run: only ${Math.round(now)} MiB available; stopping the legs`)
      controller.abort()
    }
  }, 500)

  try {
    const matrix = await planMatrix(project, 't*')
    project.emulator.log.resetConcurrency()
    const startedEmulated = project.emulator.clock.now()
    const run = await runParallel(project, matrix, {
      runners,
      createsPerMinute: settings.createsPerMinute,
      signal: controller.signal
    })
    const creates = acceptedCreates(project).map(
      (receivedAt) => (receivedAt - startedEmulated) / 60_000
    )
    const entries = project.emulator.log.entries()
    const maxConcurrentRequests = project.emulator.log.maxConcurrency
    log(
      `limit run, ${settings.legs} legs: ${(run.wallMs / 1000).toFixed(1)} s` +
        (run.failures > 0 ? `, ${run.failures} failed` : '')
    )
    const probe = aborted ? null : await runProbe(project, 'p0', settings.legs)
    const pacing = settings.createsPerMinute ?? DEFAULT_CREATES_PER_MINUTE
    return {
      divisor: settings.divisor,
      legs: settings.legs,
      contentPerMinute: settings.contentPerMinute,
      maxConcurrent: settings.maxConcurrent,
      createsPerMinute: pacing,
      timeScale: settings.timeScale,
      runners,
      createLatencyMs,
      worktreeDelayMs,
      wallS: round(run.wallMs / 1000),
      wallEmulatedMin: round((run.wallMs * settings.timeScale) / 60_000),
      firstCreateMin: creates.length > 0 ? round(Math.min(...creates)) : null,
      lastCreateMin: creates.length > 0 ? round(Math.max(...creates)) : null,
      lowerBound: {
        windowMin: Math.floor((settings.legs - 1) / settings.contentPerMinute),
        rateMin: round(settings.legs / settings.contentPerMinute),
        pacingMin: pacing > 0 ? Math.floor((settings.legs - 1) / pacing) : 0
      },
      secondaryRejections: entries.filter((entry) => entry.fault === 'secondary-rate-limit').length,
      requests: run.requests,
      contentCreatingRequests: entries.filter((entry) =>
        ['POST', 'PATCH', 'PUT', 'DELETE'].includes(entry.method)
      ).length,
      maxConcurrentRequests,
      failures: run.failures,
      issues: run.issues,
      legCpuSeconds: run.legCpuSeconds === undefined ? null : round(run.legCpuSeconds),
      otherCpuSeconds: run.otherCpuSeconds === undefined ? null : round(run.otherCpuSeconds, 1),
      legS: {
        median: round(median(run.legs.map((leg) => leg.wallMs / 1000))),
        max: round(Math.max(...run.legs.map((leg) => leg.wallMs / 1000)))
      },
      probe: probe
        ? {
            wallS: round(probe.wallMs / 1000),
            requests: probe.requests,
            searchRequests: probe.searchRequests
          }
        : null,
      minMemoryAvailableGiB: round(minAvailableMiB / 1024, 2),
      aborted
    }
  } finally {
    clearInterval(watchdog)
    signal?.removeEventListener('abort', stop)
    await project.stop()
  }
}
