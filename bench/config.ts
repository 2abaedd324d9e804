import type { CliBenchConfig } from './cli.js'

/**
 * Settings of each bench mode. The full mode is sized to finish in about ten minutes on two
 * cores, and docs/benchmarks.md explains what each setting models.
 */

export type BenchMode = 'full' | 'quick' | 'smoke'

/** The guide's step times on GitHub, which the comparison divides by `scale`. */
export const GUIDE_ISSUE_CREATE_MS = 3_000
export const GUIDE_WORKTREE_MS = 5_000

export interface ComparisonConfig {
  /** Task counts N of the parallel arm. */
  sizes: number[]
  /** Repetitions of the parallel arm for N up to `smallMax`, and above it. */
  parallelRuns: { small: number; large: number; smallMax: number }
  /**
   * Tasks of each sequential run. The time at which a run finished its first N tasks is the
   * sequential time for N, so one run covers every N up to this count.
   */
  sequentialTasks: number
  sequentialRuns: number
  /** Maximum number of legs running at once: the runner pool. */
  runners: number
  /** Lone legs run after each parallel run, one at a time, as on a runner of their own. */
  probes: number
  /**
   * One runner per leg: the N legs of a new project run a few at a time, so that none waits
   * for a CPU, and t(N) is the slowest leg's own time. Null skips it.
   */
  perLeg: {
    /** Task counts, measured only where `sizes` also contains them. */
    sizes: number[]
    /**
     * Legs at once, capped at the CPU count. With 1 the leg has one CPU and the emulator and git
     * server the other, as a runner has its machine to itself.
     */
    concurrency: number
    runs: { small: number; large: number; smallMax: number }
  } | null
}

export interface LimitRunConfig {
  /**
   * GitHub's case divided by this: 256 legs, 80 content-creating requests a minute, 100
   * requests at once and the action's pacing of 64 a minute, each divided and rounded down.
   * 1 runs the case itself.
   */
  divisor: number
  /** Emulated time speed: faults.timeScale and PARALLEL_SETUP_TIME_SCALE. */
  timeScale: number
}

/** GitHub's secondary limits and the action's default pacing, for 256 legs. */
export const GITHUB_CASE = { legs: 256, contentPerMinute: 80, maxConcurrent: 100, pacing: 64 }

/** Computes the legs, limits and pacing of a limit run. */
export function limitRunShape(config: LimitRunConfig): {
  legs: number
  contentPerMinute: number
  maxConcurrent: number
  /** Undefined leaves the action's default pacing in place. */
  createsPerMinute: number | undefined
} {
  const divide = (value: number): number => Math.max(1, Math.floor(value / config.divisor))
  return {
    legs: divide(GITHUB_CASE.legs),
    contentPerMinute: divide(GITHUB_CASE.contentPerMinute),
    maxConcurrent: divide(GITHUB_CASE.maxConcurrent),
    createsPerMinute: config.divisor === 1 ? undefined : divide(GITHUB_CASE.pacing)
  }
}

export interface CostConfig {
  /** Repetitions of each cold start. */
  coldStartRuns: number
  /** Task counts of the plan timing. */
  planSizes: number[]
  planRuns: number
  /** Legs run one at a time on an empty repository to count requests and memory. */
  happyPathLegs: number
  /** Whether to bundle @actions/core and @actions/github with ncc for the baseline. */
  toolkitBundle: boolean
}

export interface InstallConfig {
  managers: Array<'npm' | 'pnpm' | 'yarn'>
  runs: number
  /** 'bench': bench/fixtures/install (express 4.21.2 and its dependencies); 'test': the one-package fixtures. */
  fixtures: 'bench' | 'test'
}

export interface BenchConfig {
  mode: BenchMode
  /** One real second stands for `scale` seconds on GitHub in the comparison. */
  scale: number
  comparison: ComparisonConfig
  /** Tasks given to one setup step as a list, or 0 to skip that observation. */
  listModeTasks: number
  limits: LimitRunConfig | null
  costs: CostConfig
  install: InstallConfig | null
  /** The local CLI's run with every task against each task alone; null skips it. */
  cli: CliBenchConfig | null
}

export function configFor(mode: BenchMode): BenchConfig {
  switch (mode) {
    case 'full':
      return {
        mode,
        scale: 30,
        comparison: {
          sizes: [1, 5, 10, 20, 50, 100, 256],
          parallelRuns: { small: 2, large: 1, smallMax: 20 },
          sequentialTasks: 20,
          sequentialRuns: 2,
          runners: 64,
          probes: 1,
          perLeg: {
            sizes: [5, 100],
            concurrency: 1,
            runs: { small: 3, large: 1, smallMax: 5 }
          }
        },
        // The CLI section covers many tasks in one process, so list mode is not run.
        listModeTasks: 0,
        // 256 legs need 200 to 280 CPU-seconds (0.8 to 1.1 a leg here; 2 CPUs: 2 minutes or more), which does not fit the
        // ten minutes beside the other sections. So the full run replays the same shape with 32
        // legs, and --github-limits runs the 256 legs themselves.
        limits: { divisor: 8, timeScale: 4 },
        costs: {
          coldStartRuns: 5,
          planSizes: [1_000, 10_000],
          planRuns: 3,
          happyPathLegs: 5,
          toolkitBundle: true
        },
        install: { managers: ['npm', 'pnpm', 'yarn'], runs: 2, fixtures: 'bench' },
        // Each client opens at most one issue a second, so 20 issues need 19 s at full scale.
        // The wait install stands for 60 s of downloads at the scale of 1/30 (an assumed figure).
        // To fit the ten minutes, only the first 10 or 5 tasks of a variant run alone.
        cli: {
          tasks: 20,
          installWaitMs: 2_000,
          variants: [
            {
              variant: 'issues',
              install: 'npm',
              runs: 1,
              singleRuns: 1,
              singleTasks: 10,
              defaultConcurrencyRun: false
            },
            {
              variant: 'no-issues',
              install: 'npm',
              runs: 2,
              singleRuns: 1,
              defaultConcurrencyRun: false
            },
            {
              variant: 'no-issues',
              install: 'wait',
              runs: 2,
              singleRuns: 1,
              singleTasks: 5,
              defaultConcurrencyRun: false
            }
          ]
        }
      }
    case 'quick':
      return {
        mode,
        scale: 30,
        comparison: {
          sizes: [1, 5],
          parallelRuns: { small: 1, large: 1, smallMax: 5 },
          sequentialTasks: 5,
          sequentialRuns: 1,
          runners: 64,
          probes: 1,
          perLeg: { sizes: [5], concurrency: 1, runs: { small: 1, large: 1, smallMax: 5 } }
        },
        listModeTasks: 0,
        limits: null,
        costs: {
          coldStartRuns: 2,
          planSizes: [1_000],
          planRuns: 1,
          happyPathLegs: 1,
          toolkitBundle: true
        },
        install: { managers: ['npm'], runs: 1, fixtures: 'bench' },
        cli: {
          tasks: 5,
          installWaitMs: 2_000,
          variants: [
            {
              variant: 'no-issues',
              install: 'npm',
              runs: 1,
              singleRuns: 1,
              defaultConcurrencyRun: false
            },
            {
              variant: 'no-issues',
              install: 'wait',
              runs: 1,
              singleRuns: 1,
              singleTasks: 2,
              defaultConcurrencyRun: false
            }
          ]
        }
      }
    case 'smoke':
      return {
        mode,
        scale: 30,
        comparison: {
          sizes: [1, 2],
          parallelRuns: { small: 1, large: 1, smallMax: 2 },
          sequentialTasks: 2,
          sequentialRuns: 1,
          runners: 4,
          probes: 1,
          perLeg: { sizes: [1, 2], concurrency: 2, runs: { small: 1, large: 1, smallMax: 2 } }
        },
        listModeTasks: 2,
        // 8 legs, 2 creations a minute and 3 requests at once, one emulated minute a real second.
        limits: { divisor: 32, timeScale: 60 },
        costs: {
          coldStartRuns: 1,
          planSizes: [20],
          planRuns: 1,
          happyPathLegs: 1,
          toolkitBundle: false
        },
        install: { managers: ['npm'], runs: 1, fixtures: 'test' },
        cli: {
          tasks: 2,
          installWaitMs: 200,
          variants: [
            {
              variant: 'issues',
              install: 'npm',
              runs: 1,
              singleRuns: 1,
              singleTasks: 10,
              defaultConcurrencyRun: false
            },
            {
              variant: 'no-issues',
              install: 'wait',
              runs: 1,
              singleRuns: 1,
              singleTasks: 1,
              defaultConcurrencyRun: false
            }
          ]
        }
      }
  }
}

/** Repetitions of a run with N tasks. */
export function runsFor(
  runs: { small: number; large: number; smallMax: number },
  tasks: number
): number {
  return tasks <= runs.smallMax ? runs.small : runs.large
}

/** Repetitions of the parallel arm for N tasks. */
export function parallelRunsFor(config: ComparisonConfig, tasks: number): number {
  return tasks <= config.parallelRuns.smallMax
    ? config.parallelRuns.small
    : config.parallelRuns.large
}
