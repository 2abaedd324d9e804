/**
 * Section 4 of the report: what the action itself costs. Cold starts and sizes of the
 * bundles against bare Node.js and a bundle of the bare toolkit, REST requests per leg,
 * planning time for large manifests, and peak memory.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseManifest } from '../src/manifest/index.js'
import { planTasks } from '../src/plan/index.js'
import { NODE24 } from '../test/harness/run-action.js'
import { makeTempDir } from '../test/support/temp.js'
import { ACTIONS, bundlePath } from './bundles.js'
import type { BenchConfig } from './config.js'
import { ids } from './comparison.js'
import { createBenchProject, MANIFEST_PATH } from './project.js'
import { round, roundSummary, summarize, type Summary } from './stats.js'

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const WRAPPER = path.join(repositoryRoot, 'bench', 'usage-wrapper.mjs')

export interface ColdStartRow {
  name: string
  /** The command after the Node 24 binary. */
  command: string
  /** Size of the script in bytes, null for `node -e 0`. */
  bytes: number | null
  /** Spawn to exit, in milliseconds. */
  wallMs: Summary
  /** Peak resident memory in MiB, where /usr/bin/time exists. */
  maxRssMiB: Summary | null
  exitCode: number
  /** The first line the process printed, which shows where it stopped. */
  firstLine: string
}

export interface HappyPathRecord {
  legs: number
  /** Requests each setup leg made, on a repository without other issues at first. */
  requestsPerLeg: number[]
  searchRequests: number
  setupMaxRssMiB: Summary | null
  setupCpuSeconds: Summary | null
  planMaxRssMiB: number | null
  collect: { requests: number; exitCode: number; maxRssMiB: number | null; wallMs: number }
}

export interface PlanTimingRow {
  tasks: number
  /** parseManifest and planTasks in this process, in milliseconds. */
  inProcessMs: Summary
  /** dist/plan as a process, reading the manifest file, in milliseconds. */
  distWallMs: Summary
  distMaxRssMiB: Summary | null
  matrixLegs: number
  manifestBytes: number
}

export interface CostRecord {
  coldStarts: ColdStartRow[]
  toolkitError: string | null
  happyPath: HappyPathRecord
  plan: PlanTimingRow[]
}

export async function runCosts(
  config: BenchConfig,
  log: (message: string) => void
): Promise<CostRecord> {
  const settings = config.costs
  const targets: Array<{ name: string; args: string[]; script: string | null }> = [
    { name: 'node -e 0', args: ['-e', '0'], script: null },
    ...ACTIONS.map((name) => {
      const script = bundlePath(name)
      return { name: `dist/${name}`, args: [script], script }
    })
  ]
  let toolkitError: string | null = null
  if (settings.toolkitBundle) {
    try {
      const script = await bundleToolkit()
      targets.push({ name: 'toolkit bundle (temporary folder)', args: [script], script })
    } catch (error) {
      toolkitError = error instanceof Error ? error.message : String(error)
      log(`toolkit bundle failed: ${toolkitError}`)
    }
  }

  const coldStarts = measureColdStarts(targets, settings.coldStartRuns)
  const toolkit = targets.find((target) => target.name.startsWith('toolkit'))
  if (toolkit?.script) fs.rmSync(path.dirname(toolkit.script), { recursive: true, force: true })
  log(
    `cold starts: ${coldStarts.map((row) => `${row.name} ${Math.round(row.wallMs.median)} ms`).join(', ')}`
  )
  const happyPath = await measureHappyPath(settings.happyPathLegs)
  log(`happy path: requests per leg ${happyPath.requestsPerLeg.join(', ')}`)
  const plan = measurePlanning(settings.planSizes, settings.planRuns)
  log(
    `planning: ${plan.map((row) => `${row.tasks} tasks ${Math.round(row.distWallMs.median)} ms`).join(', ')}`
  )
  return { coldStarts, toolkitError, happyPath, plan }
}

interface TimedProcess {
  wallMs: number
  maxRssKiB: number | null
  exitCode: number
  stdout: string
  stderr: string
}

/** Runs Node 24 with `args`, under /usr/bin/time when it exists, to read the peak memory. */
function runTimed(args: string[], cwd: string, env: Record<string, string>): TimedProcess {
  const gnuTime = fs.existsSync('/usr/bin/time')
  const timeFile = path.join(cwd, '.time-output')
  const command = gnuTime ? '/usr/bin/time' : NODE24
  const commandArgs = gnuTime ? ['-o', timeFile, '-f', '%M', NODE24, ...args] : args
  const started = performance.now()
  const child = spawnSync(command, commandArgs, { cwd, env, encoding: 'utf8', maxBuffer: 1 << 28 })
  const wallMs = performance.now() - started
  let maxRssKiB: number | null = null
  if (gnuTime) {
    const lines = fs.readFileSync(timeFile, 'utf8').trim().split('\n')
    maxRssKiB = Number(lines[lines.length - 1])
    fs.rmSync(timeFile)
  }
  return {
    wallMs,
    maxRssKiB,
    exitCode: child.status ?? 1,
    stdout: child.stdout ?? '',
    stderr: child.stderr ?? ''
  }
}

/** Creates the runner's file-command files in `dir` and returns the variables a runner sets for a step. */
function runnerEnv(dir: string): Record<string, string> {
  const files = path.join(dir, '.runner')
  fs.mkdirSync(files, { recursive: true })
  const file = (name: string): string => {
    const target = path.join(files, name)
    fs.writeFileSync(target, '')
    return target
  }
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_WORKSPACE: dir,
    GITHUB_OUTPUT: file('output'),
    GITHUB_STEP_SUMMARY: file('summary'),
    GITHUB_ENV: file('env'),
    GITHUB_PATH: file('path'),
    GITHUB_STATE: file('state'),
    RUNNER_TEMP: files
  }
}

/**
 * Starts each target `runs` times, in turns so that a slow moment of the machine hits every
 * target alike. No inputs are set, so each action stops at its first required input or at
 * the missing manifest: the time is Node's start, loading the bundle and that one check.
 */
function measureColdStarts(
  targets: Array<{ name: string; args: string[]; script: string | null }>,
  runs: number
): ColdStartRow[] {
  const dir = fs.realpathSync(makeTempDir('bench-cold-'))
  const env = runnerEnv(dir)
  const samples = targets.map(() => [] as TimedProcess[])
  try {
    // One untimed start of each first, so every timed start finds the files in the page cache.
    for (const target of targets) runTimed(target.args, dir, env)
    for (let run = 0; run < runs; run++) {
      targets.forEach((target, i) => samples[i]!.push(runTimed(target.args, dir, env)))
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
  return targets.map((target, i) => {
    const list = samples[i]!
    const first = list[0]!
    const rss = list.map((sample) => sample.maxRssKiB).filter((kib): kib is number => kib !== null)
    return {
      name: target.name,
      command: target.name,
      bytes: target.script ? fs.statSync(target.script).size : null,
      wallMs: roundSummary(summarize(list.map((sample) => sample.wallMs)), 1),
      maxRssMiB: rss.length > 0 ? roundSummary(summarize(rss.map((kib) => kib / 1024)), 1) : null,
      exitCode: first.exitCode,
      firstLine: `${first.stdout}\n${first.stderr}`.trim().split('\n')[0]?.slice(0, 160) ?? ''
    }
  })
}

/**
 * Bundles a script that uses only @actions/core and @actions/github, with the ncc options of
 * scripts/build.mjs, and returns the bundle's path. The entry lives under bench/ for the time
 * of the build, because ncc resolves packages from the entry's folder up.
 */
async function bundleToolkit(): Promise<string> {
  // ncc ships no type declarations, so the module name goes through a variable.
  const nccModule = '@vercel/ncc'
  const { default: ncc } = (await import(nccModule)) as {
    default: (
      entry: string,
      options: Record<string, unknown>
    ) => Promise<{ code: string; assets?: Record<string, { source: string | Buffer }> }>
  }
  const source = fs.mkdtempSync(path.join(repositoryRoot, 'bench', '.toolkit-entry-'))
  try {
    fs.writeFileSync(path.join(source, 'package.json'), '{ "type": "module" }\n')
    const entry = path.join(source, 'index.js')
    fs.writeFileSync(
      entry,
      [
        "import * as core from '@actions/core'",
        "import * as github from '@actions/github'",
        '',
        '// Like the actions, stop at the first required input, and create the client after it.',
        'try {',
        "  const task = core.getInput('task', { required: true })",
        "  const octokit = github.getOctokit(core.getInput('token') || 'unused-token')",
        "  core.setOutput('client', `${task} ${typeof octokit.rest.issues.create}`)",
        '} catch (error) {',
        '  core.setFailed(error.message)',
        '}',
        ''
      ].join('\n')
    )
    const { code, assets } = await ncc(entry, {
      target: 'es2023',
      sourceMap: false,
      quiet: true
    })
    const output = fs.realpathSync(makeTempDir('bench-toolkit-'))
    fs.writeFileSync(path.join(output, 'index.js'), code)
    for (const [name, asset] of Object.entries(assets ?? {})) {
      fs.mkdirSync(path.dirname(path.join(output, name)), { recursive: true })
      fs.writeFileSync(path.join(output, name), asset.source)
    }
    return path.join(output, 'index.js')
  } finally {
    fs.rmSync(source, { recursive: true, force: true })
  }
}

/**
 * Runs plan, then `legs` setup legs one after another, then collect, on a fresh project, each
 * through usage-wrapper.mjs to read its peak memory, and counts each one's requests.
 */
async function measureHappyPath(legs: number): Promise<HappyPathRecord> {
  const taskIds = ids('t', legs)
  const project = await createBenchProject({
    taskIds,
    createLatencyMs: 0,
    worktreeDelayMs: 0,
    secondary: false
  })
  const usageFile = path.join(project.root, 'usage.jsonl')
  const wrapped = (action: string): { script: string; env: Record<string, string> } => ({
    script: WRAPPER,
    env: {
      BENCH_ACTION_SCRIPT: bundlePath(action),
      BENCH_USAGE_FILE: usageFile
    }
  })
  const readUsage = (): Array<{ userSeconds: number; systemSeconds: number; maxRssKiB: number }> =>
    fs
      .readFileSync(usageFile, 'utf8')
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as { userSeconds: number; systemSeconds: number; maxRssKiB: number }
      )
  try {
    const plan = await project.run('plan', project.newWorkspace(), {}, wrapped('plan'))
    if (plan.exitCode !== 0) throw new Error(`dist/plan failed:\n${plan.stdout}${plan.stderr}`)
    const planUsage = readUsage()[0]

    const requestsPerLeg: number[] = []
    let searchRequests = 0
    for (const [index, task] of taskIds.entries()) {
      const firstSeq = project.emulator.log.nextSeq
      const run = await project.run(
        'setup',
        project.newWorkspace(),
        { task, index: String(index) },
        wrapped('setup')
      )
      if (run.exitCode !== 0) throw new Error(`dist/setup failed:\n${run.stdout}${run.stderr}`)
      const entries = project.emulator.log.entries().filter((entry) => entry.seq >= firstSeq)
      requestsPerLeg.push(entries.length)
      searchRequests += entries.filter((entry) => entry.path.startsWith('/search/')).length
    }
    const setupUsage = readUsage().slice(1)

    const firstSeq = project.emulator.log.nextSeq
    const started = performance.now()
    const collect = await project.run(
      'collect',
      project.newWorkspace(),
      { tasks: JSON.stringify(taskIds) },
      wrapped('collect')
    )
    const collectWallMs = performance.now() - started
    const collectUsage = readUsage()[1 + legs]
    return {
      legs,
      requestsPerLeg,
      searchRequests,
      setupMaxRssMiB:
        setupUsage.length > 0
          ? roundSummary(summarize(setupUsage.map((usage) => usage.maxRssKiB / 1024)), 1)
          : null,
      setupCpuSeconds:
        setupUsage.length > 0
          ? roundSummary(
              summarize(setupUsage.map((usage) => usage.userSeconds + usage.systemSeconds))
            )
          : null,
      planMaxRssMiB: planUsage ? round(planUsage.maxRssKiB / 1024, 1) : null,
      collect: {
        requests: project.emulator.log.entries().filter((entry) => entry.seq >= firstSeq).length,
        exitCode: collect.exitCode,
        maxRssMiB: collectUsage ? round(collectUsage.maxRssKiB / 1024, 1) : null,
        wallMs: Math.round(collectWallMs)
      }
    }
  } finally {
    await project.stop()
  }
}

/**
 * Writes a manifest of `count` tasks with labels and a body, where nine of every ten tasks
 * depend on the one before, so the plan also builds ten waves.
 */
export function largeManifest(count: number): string {
  const lines = ['version: 1', 'defaults:', '  install: none', '  labels: [agent-task]', 'tasks:']
  for (let i = 0; i < count; i++) {
    lines.push(`  - id: task-${i}`, `    title: 'Task ${i}: change module ${i % 97}'`)
    lines.push(`    body: Change module ${i % 97} and add a test for it.`)
    if (i % 10 !== 0) lines.push(`    depends-on: [task-${i - 1}]`)
  }
  return `${lines.join('\n')}\n`
}

/**
 * Times planning in this process and as dist/plan, for each task count. One small plan comes
 * first, so that compiling the manifest schema is not in the first timed run.
 */
function measurePlanning(sizes: number[], runs: number): PlanTimingRow[] {
  planTasks(parseManifest(largeManifest(2), MANIFEST_PATH, process.cwd()))
  return sizes.map((tasks) => {
    const text = largeManifest(tasks)
    const dir = fs.realpathSync(makeTempDir('bench-plan-'))
    fs.mkdirSync(path.join(dir, '.github'))
    fs.writeFileSync(path.join(dir, MANIFEST_PATH), text)
    const env = runnerEnv(dir)

    const inProcess: number[] = []
    const dist: TimedProcess[] = []
    let matrixLegs = 0
    try {
      for (let run = 0; run < runs; run++) {
        const started = performance.now()
        const plan = planTasks(parseManifest(text, MANIFEST_PATH, dir))
        inProcess.push(performance.now() - started)
        matrixLegs = plan.matrix.include.length

        fs.writeFileSync(env.GITHUB_OUTPUT!, '')
        const timed = runTimed([bundlePath('plan')], dir, env)
        if (timed.exitCode !== 0) {
          throw new Error(`dist/plan failed on ${tasks} tasks:\n${timed.stdout}${timed.stderr}`)
        }
        dist.push(timed)
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
    const rss = dist.map((sample) => sample.maxRssKiB).filter((kib): kib is number => kib !== null)
    return {
      tasks,
      inProcessMs: roundSummary(summarize(inProcess), 1),
      distWallMs: roundSummary(summarize(dist.map((sample) => sample.wallMs)), 1),
      distMaxRssMiB:
        rss.length > 0 ? roundSummary(summarize(rss.map((kib) => kib / 1024)), 1) : null,
      matrixLegs,
      manifestBytes: Buffer.byteLength(text)
    }
  })
}
