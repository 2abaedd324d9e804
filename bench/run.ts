/**
 * The benchmark: `npm run bench` (full, about ten minutes on two cores) or
 * `npm run bench -- --quick` (about one minute). Writes benchmarks.md, benchmarks.json and
 * benchmarks.svg into docs/, or into the folder given with --out.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { provisionPackageManagers } from '../__tests__/install/helpers.js'
import { restoreBundles, snapshotBundles } from './bundles.js'
import { runCliBench } from './cli.js'
import { runComparison } from './comparison.js'
import { configFor, type BenchConfig, type BenchMode } from './config.js'
import { runCosts } from './costs.js'
import { runInstallBench } from './install.js'
import { runLimitRun } from './limits.js'
import { childCpuSeconds, machineBusyCpuSeconds, readMachineInfo } from './machine.js'
import { RECORD_FORMAT, type BenchRecord } from './record.js'
import { renderChartFor, renderReport } from './report.js'
import { round } from './stats.js'

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

export const SECTIONS = ['costs', 'comparison', 'limits', 'install', 'cli'] as const
export type Section = (typeof SECTIONS)[number]

export interface BenchOptions {
  mode: BenchMode
  /** Folder for benchmarks.md, benchmarks.json and benchmarks.svg. */
  outDir: string
  /** Sections to run; every section when absent. */
  sections?: Section[]
  /** Replaces the mode's settings, for tests. */
  config?: BenchConfig
  /** Replaces the task counts of the comparison. */
  sizes?: number[]
  /** Runs the limit run with GitHub's own case: 256 legs, 80 a minute, real time. */
  githubLimits?: boolean
  /** A record to render again instead of measuring; only the command line sets it. */
  render?: string
  command?: string
  log?: (message: string) => void
  signal?: AbortSignal
}

/** Runs the selected sections, writes the three files and returns the record. */
export async function runBench(options: BenchOptions): Promise<BenchRecord> {
  const config = structuredClone(options.config ?? configFor(options.mode))
  if (options.sizes) config.comparison.sizes = options.sizes
  if (options.githubLimits) config.limits = { divisor: 1, timeScale: 1 }
  const sections = new Set(options.sections ?? SECTIONS)
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`))
  const started = new Date()
  const machine = readMachineInfo()
  const errors: string[] = []
  const record: BenchRecord = {
    format: RECORD_FORMAT,
    mode: config.mode,
    command: options.command ?? `npm run bench${config.mode === 'quick' ? ' -- --quick' : ''}`,
    startedAt: started.toISOString(),
    durationS: 0,
    sectionDurationsS: {},
    machine,
    bundles: {},
    load: { atStart: round(os.loadavg()[0]!, 2), otherCpuSeconds: null, otherCpuPercent: null },
    comparison: null,
    limits: null,
    costs: null,
    install: null,
    cli: null,
    errors
  }

  // pnpm and yarn stay in the real temporary folder between runs, as for the install tests, so
  // they are found before TMPDIR moves to the scratch folder.
  let tools: string | Error | undefined
  if (sections.has('install') && config.install?.managers.some((m) => m !== 'npm')) {
    try {
      tools = provisionPackageManagers()
    } catch (error) {
      tools = error instanceof Error ? error : new Error(String(error))
    }
  }

  const busyBefore = machineBusyCpuSeconds()
  const ownBefore = ownCpuSeconds()

  const scratch = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'parallel-setup-bench-')))
  const previousTmpdir = process.env.TMPDIR
  // Every temporary folder of the harness and the bench goes under `scratch`, deleted at the end.
  process.env.TMPDIR = scratch
  record.bundles = snapshotBundles(path.join(scratch, 'dist'))
  const section = async <T>(name: Section, work: () => Promise<T>): Promise<T | null> => {
    if (!sections.has(name) || options.signal?.aborted) return null
    const sectionStarted = performance.now()
    log(`== ${name}`)
    try {
      return await work()
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error)
      errors.push(`${name}: ${message}`)
      log(`${name} failed: ${message}`)
      return null
    } finally {
      const seconds = (performance.now() - sectionStarted) / 1000
      record.sectionDurationsS[name] = round(seconds, 1)
      log(`== ${name} took ${seconds.toFixed(1)} s`)
    }
  }

  try {
    record.costs = await section('costs', () => runCosts(config, log))
    record.comparison = await section('comparison', () =>
      runComparison(config, machine.cpus, log, options.signal)
    )
    if (config.limits) {
      record.limits = await section('limits', () => runLimitRun(config, log, options.signal))
    }
    if (config.install) {
      const install = config.install
      record.install = await section('install', () => runInstallBench(install, tools, log))
    }
    if (config.cli) {
      record.cli = await section('cli', () =>
        runCliBench(config, machine.cpus, log, options.signal)
      )
    }
  } finally {
    restoreBundles()
    process.env.TMPDIR = previousTmpdir
    if (previousTmpdir === undefined) delete process.env.TMPDIR
    fs.rmSync(scratch, { recursive: true, force: true })
  }

  const busyAfter = machineBusyCpuSeconds()
  const ownAfter = ownCpuSeconds()
  if (
    busyBefore !== undefined &&
    busyAfter !== undefined &&
    ownBefore !== undefined &&
    ownAfter !== undefined
  ) {
    const other = Math.max(0, busyAfter - busyBefore - (ownAfter - ownBefore))
    const capacity = ((Date.now() - started.getTime()) / 1000) * machine.cpus
    record.load.otherCpuSeconds = round(other, 1)
    record.load.otherCpuPercent = round((other / capacity) * 100, 1)
  }
  record.durationS = round((Date.now() - started.getTime()) / 1000, 1)
  writeRecord(record, options.outDir)
  log(`wrote ${path.join(options.outDir, 'benchmarks.md')} after ${record.durationS} s`)
  return record
}

/** Writes benchmarks.json, benchmarks.svg and benchmarks.md for a record into `outDir`. */
export function writeRecord(record: BenchRecord, outDir: string): void {
  fs.mkdirSync(outDir, { recursive: true })
  fs.writeFileSync(path.join(outDir, 'benchmarks.json'), `${JSON.stringify(record, null, 2)}\n`)
  fs.writeFileSync(path.join(outDir, 'benchmarks.svg'), renderChartFor(record))
  fs.writeFileSync(path.join(outDir, 'benchmarks.md'), renderReport(record))
}

/** CPU seconds of this process and of every child it has waited for. */
function ownCpuSeconds(): number | undefined {
  const children = childCpuSeconds()
  if (children === undefined) return undefined
  const own = process.cpuUsage()
  return children + (own.user + own.system) / 1e6
}

const USAGE = `Usage: npm run bench [-- OPTIONS]

  --quick            a smaller run of about one minute instead of about ten
  --out DIR          folder for benchmarks.md, .json and .svg (default: docs)
  --only LIST        run only these comma-separated sections: ${SECTIONS.join(', ')}
  --sizes LIST       task counts of the comparison, such as 1,5,10,20,50,100,256
  --github-limits    run the limit section with 256 legs against GitHub's own limits in
                     real time (about 6 minutes on two cores) instead of 32 legs
  --render FILE      measure nothing: write the report and chart again from a record
                     such as docs/benchmarks.json, into the --out folder
`

function parseArguments(args: string[]): BenchOptions {
  let mode: BenchMode = 'full'
  let outDir = path.join(repositoryRoot, 'docs')
  let sections: Section[] | undefined
  let sizes: number[] | undefined
  let githubLimits = false
  let render: string | undefined
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === '--quick') mode = 'quick'
    else if (arg === '--render') render = path.resolve(args[++i] ?? '')
    else if (arg === '--github-limits') githubLimits = true
    else if (arg === '--sizes') {
      const value = args[++i] ?? ''
      sizes = value.split(',').map(Number)
      if (sizes.some((size) => !Number.isInteger(size) || size < 1 || size > 256)) {
        throw new Error(
          `Invalid --sizes '${value}': expected comma-separated whole numbers from 1 to 256.`
        )
      }
    } else if (arg === '--out') outDir = path.resolve(args[++i] ?? '')
    else if (arg === '--only') {
      sections = (args[++i] ?? '').split(',').map((name) => {
        if (!(SECTIONS as readonly string[]).includes(name)) {
          throw new Error(
            `Invalid section '${name}' for --only. Expected some of: ${SECTIONS.join(', ')}.`
          )
        }
        return name as Section
      })
    } else if (arg === '--help' || arg === '-h') {
      process.stdout.write(USAGE)
      process.exit(0)
    } else {
      throw new Error(`Unknown argument '${arg}'.\n${USAGE}`)
    }
  }
  const command = ['npm run bench', ...(args.length > 0 ? ['--', ...args] : [])].join(' ')
  return { mode, outDir, sections, sizes, githubLimits, command, render }
}

async function main(): Promise<void> {
  let options: BenchOptions
  try {
    options = parseArguments(process.argv.slice(2))
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`)
    process.exit(2)
  }
  if (options.render) {
    const record = JSON.parse(fs.readFileSync(options.render, 'utf8')) as BenchRecord
    writeRecord(record, options.outDir)
    process.stderr.write(
      `wrote ${path.join(options.outDir, 'benchmarks.md')} from ${options.render}\n`
    )
    return
  }
  const controller = new AbortController()
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`${signal}: stopping the running legs\n`)
      controller.abort()
    })
  }
  const record = await runBench({ ...options, signal: controller.signal })
  if (record.errors.length > 0) process.exitCode = 1
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main()
}
