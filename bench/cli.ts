/**
 * Section 6 of the report: the local CLI's `parallel-setup run` with every task at once,
 * against each task run alone, on one machine. Each run is the bundled CLI (dist/cli) as a
 * Node 24 process in a clone of a local bare repository, with the emulator for the issues
 * and the same scaled step latencies as the comparison.
 */
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { DEFAULT_TOKEN, GitHubEmulator } from '../test/emulator/index.js'
import { createGitSandbox, type GitSandbox } from '../test/git/repos.js'
import { NODE24 } from '../test/harness/run-action.js'
import { bundlePath } from './bundles.js'
import { GUIDE_ISSUE_CREATE_MS, GUIDE_WORKTREE_MS, type BenchConfig } from './config.js'
import { ids } from './comparison.js'
import { childCpuSeconds, machineBusyCpuSeconds } from './machine.js'
import { CREATE_ISSUE_ROUTE, MANIFEST_PATH, OWNER, REPO, writeGitShim } from './project.js'
import { median, round, roundSummary, summarize, type Summary } from './stats.js'

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
/** One small dependency (is-number 7.0.0) with an npm lockfile, as the CLI tests use it. */
export const CLI_FIXTURE = 'test/fixtures/install/npm-app'

/** With issues: GH_TOKEN and the emulator. Without: `--no-issues`. */
export type CliVariant = 'issues' | 'no-issues'

/**
 * The install each task runs: `npm ci` from a warm npm cache, which mostly uses the CPU, or
 * a stand-in for an install that mostly waits for downloads.
 */
export type CliInstall = 'npm' | 'wait'

export interface CliBenchConfig {
  /** Tasks in the manifest, all set up by one `run`. */
  tasks: number
  /** Duration of the `wait` install, in real milliseconds. */
  installWaitMs: number
  variants: CliVariantConfig[]
}

export interface CliVariantConfig {
  variant: CliVariant
  install: CliInstall
  /** Repetitions of the run with every task. */
  runs: number
  /** How often each task is set up alone. */
  singleRuns: number
  /** The first this many tasks are set up alone; undefined sets up every task alone. */
  singleTasks?: number
  /** Whether to add one run with every task and the CLI's default --concurrency. */
  defaultConcurrencyRun: boolean
}

/** One `parallel-setup run` process. */
interface CliRunOutcome {
  wallMs: number
  /** CPU time of the CLI process and every git and npm process it ran. */
  cpuSeconds: number | undefined
  /** CPU time of the bench process meanwhile: the emulator. */
  benchCpuSeconds: number
  /** CPU time of processes outside the bench meanwhile, where /proc exists. */
  otherCpuSeconds: number | undefined
  exitCode: number
  tasks: Array<{ task: string; status: string; phases: Record<string, number>; durationMs: number }>
  /** The end of the output when the run failed. */
  error?: string
}

export interface CliPhaseRow {
  phase: string
  /** Median and maximum duration over the tasks of the runs with every task, in ms. */
  allMedianMs: number
  allMaxMs: number
  /** Median duration over the single runs, in ms. */
  singleMedianMs: number
}

export interface CliVariantRecord {
  variant: CliVariant
  install: CliInstall
  /** The manifest's `install` setting of every task. */
  installSetting: string
  /** The command line of the run with every task, with placeholders for the URLs. */
  command: string
  /** Wall time of the runs with every task, in seconds. */
  all: Summary
  /** Wall time of each task run alone, in seconds, over every task and single run. */
  single: Summary
  /** Median of `all` divided by the slowest and by the median single run. */
  ratioToSlowestSingle: number
  ratioToMedianSingle: number
  /** Each run with every task divided by the slowest single run. */
  ratioToSlowestSingleRange: { min: number; max: number }
  /** CPU seconds of one run with every task (the CLI and its git and npm processes). */
  allCpuS: Summary | null
  /** CPU seconds of one single run. */
  singleCpuS: Summary | null
  /** (Median CPU seconds of a run with every task + the emulator's) ÷ CPUs. */
  machineBoundS: number | null
  /** Median CPU seconds that other processes used during a run with every task. */
  otherCpuS: number | null
  phases: CliPhaseRow[]
  /** One run with every task and no --concurrency flag, when configured. */
  defaultConcurrency: { concurrency: number; wallS: number; exitCode: number } | null
  failures: number
  failureOutput: string[]
}

/** The order in which a task's phases begin when none overlaps. */
const PHASE_ORDER = ['issue', 'worktree', 'copy', 'push', 'install']

export interface CliBenchRecord {
  tasks: number
  fixture: string
  /** The command that `install: auto` runs on the fixture. */
  installCommand: string
  installWaitMs: number
  createLatencyMs: number
  worktreeDelayMs: number
  /** One real second stands for `scale` seconds on GitHub, for latencies and waits alike. */
  scale: number
  cpus: number
  variants: CliVariantRecord[]
}

export async function runCliBench(
  config: BenchConfig,
  cpus: number,
  log: (message: string) => void,
  signal?: AbortSignal
): Promise<CliBenchRecord> {
  const settings = config.cli!
  const createLatencyMs = GUIDE_ISSUE_CREATE_MS / config.scale
  const worktreeDelayMs = GUIDE_WORKTREE_MS / config.scale
  const taskIds = ids('c', settings.tasks)

  const variants: CliVariantRecord[] = []
  for (const { variant, install, ...counts } of settings.variants) {
    const installSetting = install === 'npm' ? 'auto' : waitCommand(settings.installWaitMs)
    const singleIds = taskIds.slice(0, counts.singleTasks ?? taskIds.length)
    const newProject = (): Promise<CliBenchProject> =>
      createCliBenchProject(taskIds, installSetting, createLatencyMs, worktreeDelayMs, config.scale)
    const allRuns: CliRunOutcome[] = []
    const singleRuns: CliRunOutcome[] = []
    let defaultConcurrency: CliVariantRecord['defaultConcurrency'] = null
    // A new project for each run with every task, and one for all single runs of a round:
    // a task that is set up again takes another path (its issue and branch exist).
    for (let round = 0; round < Math.max(counts.runs, counts.singleRuns); round++) {
      if (signal?.aborted) break
      if (round < counts.runs) {
        const project = await newProject()
        try {
          const run = await project.run(variant, ['--concurrency', String(settings.tasks)], signal)
          allRuns.push(run)
          log(
            `cli ${variant} ${install}, ${settings.tasks} tasks at once, run ${round + 1}: ` +
              `${(run.wallMs / 1000).toFixed(2)} s` +
              (run.exitCode !== 0 ? `, exit code ${run.exitCode}` : '')
          )
        } finally {
          await project.stop()
        }
      }
      if (round < counts.singleRuns) {
        const project = await newProject()
        try {
          for (const task of singleIds) {
            singleRuns.push(await project.run(variant, ['--only', task], signal))
          }
          const walls = singleRuns.slice(-singleIds.length).map((run) => run.wallMs / 1000)
          log(
            `cli ${variant} ${install}, ${singleIds.length} tasks alone, round ${round + 1}: ` +
              `median ${median(walls).toFixed(2)} s, slowest ${Math.max(...walls).toFixed(2)} s`
          )
        } finally {
          await project.stop()
        }
      }
    }
    if (counts.defaultConcurrencyRun && !signal?.aborted) {
      const project = await newProject()
      try {
        const run = await project.run(variant, [], signal)
        defaultConcurrency = {
          concurrency: cpus,
          wallS: round(run.wallMs / 1000),
          exitCode: run.exitCode
        }
        log(`cli ${variant} ${install}, default concurrency: ${(run.wallMs / 1000).toFixed(2)} s`)
      } finally {
        await project.stop()
      }
    }
    variants.push({
      ...buildVariant(variant, settings.tasks, allRuns, singleRuns, defaultConcurrency, cpus),
      install,
      installSetting
    })
  }

  return {
    tasks: settings.tasks,
    fixture: CLI_FIXTURE,
    installCommand: 'npm ci',
    installWaitMs: settings.installWaitMs,
    createLatencyMs,
    worktreeDelayMs,
    scale: config.scale,
    cpus,
    variants
  }
}

function buildVariant(
  variant: CliVariant,
  tasks: number,
  allRuns: CliRunOutcome[],
  singleRuns: CliRunOutcome[],
  defaultConcurrency: CliVariantRecord['defaultConcurrency'],
  cpus: number
): Omit<CliVariantRecord, 'install' | 'installSetting'> {
  const all = summarize(allRuns.map((run) => run.wallMs / 1000))
  const single = summarize(singleRuns.map((run) => run.wallMs / 1000))
  const ratios = all.values.map((value) => value / single.max)
  const cpuOf = (runs: CliRunOutcome[]): Summary | null => {
    const values = runs
      .map((run) => run.cpuSeconds)
      .filter((value): value is number => value !== undefined)
    return values.length > 0 ? roundSummary(summarize(values)) : null
  }
  const allCpuS = cpuOf(allRuns)
  const benchCpuS = median(allRuns.map((run) => run.benchCpuSeconds))
  const other = allRuns
    .map((run) => run.otherCpuSeconds)
    .filter((value): value is number => value !== undefined)

  const allTasks = allRuns.flatMap((run) => run.tasks)
  const singleTasks = singleRuns.flatMap((run) => run.tasks)
  // Phases may overlap and a task lists them by start time, so they are shown in setup order.
  const seen = new Set(allTasks.flatMap((task) => Object.keys(task.phases)))
  const phaseNames = [
    ...PHASE_ORDER.filter((phase) => seen.has(phase)),
    ...[...seen].filter((phase) => !PHASE_ORDER.includes(phase))
  ]
  const failed = [...allRuns, ...singleRuns].filter(
    (run) => run.exitCode !== 0 || run.tasks.some((task) => task.status !== 'ready')
  )
  return {
    variant,
    command: [
      'parallel-setup run --concurrency',
      String(tasks),
      ...(variant === 'issues'
        ? ['--repo', `${OWNER}/${REPO}`, '--api-url EMULATOR']
        : ['--no-issues']),
      '--json'
    ].join(' '),
    all: roundSummary(all),
    single: roundSummary(single),
    ratioToSlowestSingle: round(all.median / single.max),
    ratioToMedianSingle: round(all.median / single.median),
    ratioToSlowestSingleRange: { min: round(Math.min(...ratios)), max: round(Math.max(...ratios)) },
    allCpuS,
    singleCpuS: cpuOf(singleRuns),
    machineBoundS: allCpuS ? round((allCpuS.median + benchCpuS) / cpus) : null,
    otherCpuS: other.length > 0 ? round(median(other), 1) : null,
    phases: phaseNames.map((phase) => {
      const durations = allTasks.map((task) => task.phases[phase] ?? 0)
      const singles = singleTasks.map((task) => task.phases[phase] ?? 0)
      return {
        phase,
        allMedianMs: Math.round(median(durations)),
        allMaxMs: Math.round(Math.max(...durations)),
        singleMedianMs: singles.length > 0 ? Math.round(median(singles)) : 0
      }
    }),
    defaultConcurrency,
    failures: failed.length,
    failureOutput: failed.slice(0, 3).map((run) => run.error ?? `exit code ${run.exitCode}`)
  }
}

interface CliBenchProject {
  run(variant: CliVariant, args: string[], signal?: AbortSignal): Promise<CliRunOutcome>
  stop(): Promise<void>
}

/**
 * Creates a bare remote whose main has the npm fixture and a manifest of `taskIds`, a
 * clone of it, the emulator and the git wrapper. The npm cache is filled by one install
 * before any timed run, so each task's `npm ci` reads the shared cache, as the second and
 * later worktrees on a developer's machine do.
 */
async function createCliBenchProject(
  taskIds: readonly string[],
  installSetting: string,
  createLatencyMs: number,
  worktreeDelayMs: number,
  timeScale: number
): Promise<CliBenchProject> {
  const sandbox = createGitSandbox('parallel-setup-bench-cli-')
  const checkout = seedRepository(sandbox, taskIds, installSetting)
  const shim = writeGitShim(sandbox.root, worktreeDelayMs)
  const npmCache = path.join(sandbox.root, 'npm-cache')

  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^(GH_TOKEN|GITHUB_.*)$/.test(key)) env[key] = value
  }
  Object.assign(env, sandbox.env, {
    PATH: `${shim}${path.delimiter}${process.env.PATH ?? ''}`,
    npm_config_cache: npmCache,
    // The cache contains the package and its metadata, so npm needs no request to the registry.
    npm_config_prefer_offline: 'true',
    npm_config_update_notifier: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    // The CLI's waits between writes (one second each, as GitHub's docs request) run at the
    // same scale as the added latencies.
    PARALLEL_SETUP_TIME_SCALE: String(timeScale)
  })
  const warmUp = path.join(sandbox.root, 'warm-up')
  fs.cpSync(path.join(repositoryRoot, CLI_FIXTURE), warmUp, { recursive: true })
  await execute('npm', ['ci', '--no-audit', '--no-fund'], { cwd: warmUp, env })

  const emulator = await GitHubEmulator.start({ owner: OWNER, repo: REPO, contract: false })
  emulator.faults.secondary.enabled = false
  emulator.faults.latencyMs[CREATE_ISSUE_ROUTE] = createLatencyMs

  return {
    run: async (variant, args, signal) => {
      const issueArgs =
        variant === 'issues'
          ? ['--repo', `${OWNER}/${REPO}`, '--api-url', emulator.url]
          : ['--no-issues']
      const runEnv = variant === 'issues' ? { ...env, GH_TOKEN: DEFAULT_TOKEN } : env
      const cpuBefore = childCpuSeconds()
      const busyBefore = machineBusyCpuSeconds()
      const benchBefore = process.cpuUsage()
      const started = performance.now()
      const result = await execute(
        NODE24,
        [bundlePath('cli'), 'run', ...args, ...issueArgs, '--json'],
        { cwd: checkout, env: runEnv, signal }
      )
      const wallMs = performance.now() - started
      const cpuAfter = childCpuSeconds()
      const busyAfter = machineBusyCpuSeconds()
      const bench = process.cpuUsage(benchBefore)
      const benchCpuSeconds = (bench.user + bench.system) / 1e6
      const cpuSeconds =
        cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore
      const otherCpuSeconds =
        busyBefore === undefined || busyAfter === undefined || cpuSeconds === undefined
          ? undefined
          : Math.max(0, busyAfter - busyBefore - cpuSeconds - benchCpuSeconds)
      const outcome: CliRunOutcome = {
        wallMs,
        cpuSeconds,
        benchCpuSeconds,
        otherCpuSeconds,
        exitCode: result.exitCode,
        tasks: parseRunJson(result.stdout)
      }
      if (result.exitCode !== 0 || outcome.tasks.some((task) => task.status !== 'ready')) {
        outcome.error = `${result.stdout}\n${result.stderr}`
          .trim()
          .split('\n')
          .slice(-12)
          .join('\n')
      }
      return outcome
    },
    stop: async () => {
      await emulator.stop()
      sandbox.cleanup()
    }
  }
}

function seedRepository(
  sandbox: GitSandbox,
  taskIds: readonly string[],
  installSetting: string
): string {
  const bare = path.join(sandbox.root, 'remote.git')
  sandbox.git(sandbox.root, ['init', '--quiet', '--bare', '--initial-branch=main', bare])
  const seed = path.join(sandbox.root, 'seed')
  fs.cpSync(path.join(repositoryRoot, CLI_FIXTURE), seed, { recursive: true })
  const tasks = taskIds.map((id) => `  - id: ${id}\n    title: CLI bench task ${id}\n`)
  const manifest = [
    'version: 1',
    'defaults:',
    `  install: ${installSetting}`,
    'tasks:',
    ...tasks,
    ''
  ].join('\n')
  fs.mkdirSync(path.join(seed, '.github'))
  fs.writeFileSync(path.join(seed, MANIFEST_PATH), manifest)
  fs.writeFileSync(path.join(seed, '.gitignore'), 'node_modules/\n.env\n')
  sandbox.git(sandbox.root, ['init', '--quiet', '--initial-branch=main', seed])
  sandbox.git(seed, ['add', '--all'])
  sandbox.git(seed, ['commit', '--quiet', '-m', 'Start the CLI bench project'])
  sandbox.git(seed, ['push', '--quiet', bare, 'main:main'])
  const checkout = path.join(sandbox.root, 'checkout')
  sandbox.git(sandbox.root, ['clone', '--quiet', bare, checkout])
  return checkout
}

/** Returns the shell command that waits `ms` milliseconds without using the CPU. */
export function waitCommand(ms: number): string {
  return `sleep ${(ms / 1000).toFixed(3)}`
}

interface RunJson {
  tasks: Array<{
    task: string
    status: string
    result?: { phases: Array<{ name: string; durationMs: number }>; durationMs: number }
  }>
}

/** Reads each task's status and phases from the `--json` output; [] when it is not JSON. */
function parseRunJson(stdout: string): CliRunOutcome['tasks'] {
  let parsed: RunJson
  try {
    parsed = JSON.parse(stdout) as RunJson
  } catch {
    return []
  }
  return parsed.tasks.map((task) => ({
    task: task.task,
    status: task.status,
    durationMs: task.result?.durationMs ?? 0,
    phases: Object.fromEntries(
      (task.result?.phases ?? []).map((phase) => [phase.name, phase.durationMs])
    )
  }))
}

function execute(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string>; signal?: AbortSignal }
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { ...options, encoding: 'utf8', maxBuffer: 1 << 26, timeout: 600_000 },
      (error, stdout, stderr) => {
        let exitCode = 0
        // A process that did not exit by itself (killed, timed out) has no numeric code.
        if (error) exitCode = typeof error.code === 'number' ? error.code : -1
        resolve({ exitCode, stdout, stderr })
      }
    )
  })
}
