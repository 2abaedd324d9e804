/** Renders a bench record as docs/benchmarks.md and its chart. */
import { renderChart, type ChartSeries } from './chart.js'
import {
  GUIDE_PLANNING_S,
  GUIDE_TABLE,
  type ComparisonRecord,
  type PerLegRow
} from './comparison.js'
import { GITHUB_CASE } from './config.js'
import type { CostRecord } from './costs.js'
import { cliGoalRows, renderCli } from './report-cli.js'
import type { InstallRecord } from './install.js'
import type { BenchRecord } from './record.js'
import type { Summary } from './stats.js'

/** The full mode's time budget on two cores, and the quick mode's. */
const BUDGET_S = { full: 600, quick: 60, smoke: Infinity } as const

export function renderChartFor(record: BenchRecord): string {
  const rows = record.comparison?.rows ?? []
  const series: ChartSeries[] = [
    {
      label: 'sequential: one step per task (measured)',
      color: '#c0392b',
      points: rows
        .filter((row) => row.sequential)
        .map((row) => ({ tasks: row.tasks, seconds: row.sequential!.median }))
    },
    {
      label: 'sequential (estimate: N × median time per task)',
      color: '#c0392b',
      dashed: true,
      points: estimateLine(rows)
    },
    {
      label: 'parallel: one leg per task, this machine',
      color: '#1f77b4',
      points: rows.map((row) => ({ tasks: row.tasks, seconds: row.parallel.median }))
    }
  ]
  const perLeg = rows.filter((row) => row.perLeg !== null)
  if (perLeg.length > 0) {
    series.push({
      label: 'one runner per leg: the slowest leg, t(N) (section 2)',
      color: '#2ca02c',
      points: perLeg.map((row) => ({ tasks: row.tasks, seconds: row.perLeg!.slowestLeg.median }))
    })
  }
  const lone = rows.filter((row) => row.isolatedLeg !== null)
  if (perLeg.length === 0 && lone.length > 0) {
    series.push({
      label: 'one lone leg after the N legs (a runner per leg, section 2)',
      color: '#2ca02c',
      points: lone.map((row) => ({ tasks: row.tasks, seconds: row.isolatedLeg!.median }))
    })
  }
  const bounded = rows.filter((row) => row.machineBoundS !== null)
  if (bounded.length > 0) {
    series.push({
      label: 'machine bound of the parallel runs: CPU time ÷ CPUs',
      color: '#7f7f7f',
      dashed: true,
      points: bounded.map((row) => ({ tasks: row.tasks, seconds: row.machineBoundS! }))
    })
  }
  const machine = record.machine
  return renderChart(
    `Setup wall time, ${machine.cpus} CPUs (${record.mode} run, ${record.startedAt.slice(0, 10)})`,
    series
  )
}

/** Builds the dashed line: from the last measured sequential point through the estimates. */
function estimateLine(rows: ComparisonRecord['rows']): ChartSeries['points'] {
  const estimated = rows.filter((row) => row.sequentialEstimateS !== null)
  if (estimated.length === 0) return []
  const lastMeasured = [...rows].reverse().find((row) => row.sequential)
  const points = estimated.map((row) => ({
    tasks: row.tasks,
    seconds: row.sequentialEstimateS!,
    hollow: true
  }))
  return lastMeasured
    ? [{ tasks: lastMeasured.tasks, seconds: lastMeasured.sequential!.median }, ...points]
    : points
}

export function renderReport(record: BenchRecord): string {
  const lines: string[] = [
    '# Benchmarks',
    '',
    `These figures come from one run of \`${record.command}\` (${record.mode} mode), started ` +
      `${record.startedAt.replace('T', ' ').slice(0, 16)} UTC, which took ` +
      `${formatDuration(record.durationS)}. [benchmarks.json](benchmarks.json) holds every value of the ` +
      'same run, each repetition included, and [benchmarks.svg](benchmarks.svg) is its chart. ' +
      '`npm run bench` is the full run; `npm run bench -- --quick` measures a smaller set and ' +
      'rewrites the same three files. The code is in `bench/`.',
    '',
    ...renderSectionTimes(record),
    ...renderMachine(record),
    ...renderModel(record),
    ...renderComparison(record),
    ...renderScaling(record),
    ...renderLimits(record),
    ...renderCosts(record),
    ...renderInstall(record.install),
    ...renderCli(record),
    ...renderGoals(record),
    ...renderErrors(record)
  ]
  return `${lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`
}

function renderSectionTimes(record: BenchRecord): string[] {
  const entries = Object.entries(record.sectionDurationsS ?? {})
  if (entries.length === 0) return []
  return [
    'Time per section of this run: ' +
      entries.map(([name, seconds]) => `${name} ${formatDuration(seconds ?? 0)}`).join(', ') +
      '.',
    ''
  ]
}

function renderMachine(record: BenchRecord): string[] {
  const m = record.machine
  return [
    '## Machine',
    '',
    '| | |',
    '| --- | --- |',
    `| CPU | ${m.cpuModel}, ${m.cpus} CPUs (\`nproc\`) |`,
    `| memory | ${m.memoryGiB.toFixed(1)} GiB, ${m.memoryAvailableGiB.toFixed(1)} GiB available at the start |`,
    `| OS | ${m.os} |`,
    `| Node.js | ${m.actionNode} runs the actions (the \`node24\` dev dependency, as \`runs.using: node24\`); ${m.benchNode} runs the bench and the emulator |`,
    `| git | ${m.git} |`,
    `| bundles | copied from dist/ at the start; SHA-256 ${Object.entries(record.bundles)
      .map(([action, hash]) => `${action} ${hash}`)
      .join(', ')} |`,
    `| other work | load average ${record.load.atStart} before the bench started` +
      (record.load.otherCpuSeconds === null
        ? ''
        : `; other processes used ${record.load.otherCpuSeconds} CPU-seconds during the run, ${record.load.otherCpuPercent} % of the machine`) +
      ' |',
    ''
  ]
}

function renderModel(record: BenchRecord): string[] {
  const c = record.comparison
  if (!c) return []
  return [
    '## How the runs are modelled',
    '',
    '- Everything runs on this machine. Each setup step is a separate Node 24 process that the ' +
      "test harness's `runAction` starts, as the Actions runner starts a step. Git is real and " +
      'pushes to a local bare repository. The GitHub REST API is the emulator in `test/emulator` ' +
      "on 127.0.0.1, inside the bench's own process, with its contract checks off. Every N gets " +
      'a new repository and a new emulator. The bundles are a copy of dist/ made at the start, ' +
      'so a rebuild during the run changes nothing.',
    `- **Scale factor 1/${c.scale}.** One real second stands for ${c.scale} s on GitHub. The ` +
      `guide's 3 s per issue creation becomes ${formatMs(c.createLatencyMs)} of added latency on ` +
      '`POST /repos/{owner}/{repo}/issues` in the emulator. Its 5 s per worktree becomes a sleep ' +
      `of ${formatMs(c.worktreeDelayMs)} that a \`git\` wrapper on the legs' PATH adds before each ` +
      '`git worktree add`; the real git work of the worktree (on a local bare repository) comes ' +
      'on top. Nothing else is scaled: starting Node, every other git command and every other ' +
      'API request run at their real speed, and the other requests get no added latency.',
    `- **Sequential** is one main job with one checkout that runs the setup action once per ` +
      'task, one step after another: each step opens the issue, creates the branch and ' +
      'worktree, pushes, and records the result. The guide opens every issue first and every ' +
      'worktree after; in both orders nothing overlaps, so the total is the same. A run has ' +
      `${c.sequentialTasks} tasks, and the sequential time for N is the moment that run had ` +
      'finished its first N tasks. Rows with more tasks than one run has show an estimate: ' +
      'N × the median time of one sequential step. One step per task, as a main job that ' +
      'runs one command per task does.',
    `- **Parallel** is this project's fan-out: the plan action's matrix, then one setup step ` +
      `per leg, each in its own checkout, all started together up to ${c.runners} at once. Each ` +
      'running leg stands for one runner; the cap keeps the largest runs within the memory of ' +
      'this machine, and two CPUs are busy long before it is reached.',
    ...(c.rows.some((row) => row.perLeg)
      ? [
          `- **One runner per leg** runs the same fan-out on a new repository and emulator, but ` +
            describeConcurrency(c.rows.find((row) => row.perLeg)!.perLeg!.concurrency) +
            ", so that no leg waits for a CPU. Each leg's own wall time, from spawn to " +
            'exit, is then what it takes on a runner of its own, against the same emulator and ' +
            'remote, which by the end hold every issue and branch of the N tasks. On GitHub all ' +
            'legs start together, so the setup phase lasts as long as the slowest leg: that ' +
            "is this strategy's t(N). It leaves out what this machine cannot show: the time " +
            'GitHub needs to start N runners, and whether GitHub answers N legs at once as fast ' +
            `as ${c.rows.find((row) => row.perLeg)!.perLeg!.concurrency === 1 ? 'one' : 'a few'}.`
        ]
      : []),
    "- Both strategies have GitHub's secondary limits off in the emulator and the pacing of " +
      'issue creation off (`creates-per-minute: 0`); section 3 turns both on. The job start ' +
      'and the checkout that every leg and the main job need are left out of both, because ' +
      'they cost the same in both strategies: the checkouts are made before the clock starts. ' +
      "The guide's 60 s of planning and its time to spawn agents are left out too. Each task " +
      'has `install: none`; section 5 times installs.',
    ''
  ]
}

function renderComparison(record: BenchRecord): string[] {
  const c = record.comparison
  if (!c) return []
  const cpus = record.machine.cpus
  const lines = [
    '## 1. Sequential and parallel setup',
    '',
    'Wall time in seconds: median (min–max, runs).',
    '',
    '| N | sequential (s) | parallel (s) | speedup | time saved | parallel efficiency | CPU per leg (s) | machine bound (s) | other processes (CPU-s) |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |'
  ]
  for (const row of c.rows) {
    const sequential = row.sequential
      ? formatSummary(row.sequential)
      : `≈ ${row.sequentialEstimateS!.toFixed(2)} (estimate)`
    const mark = row.speedupIsEstimate ? ' (est.)' : ''
    lines.push(
      `| ${row.tasks} | ${sequential} | ${formatSummary(row.parallel)} | ${row.speedup.toFixed(2)}×${mark} | ` +
        `${row.savedPercent.toFixed(0)} %${mark} | ${row.efficiencyPercent.toFixed(0)} %${mark} | ` +
        `${formatOptional(row.cpuSecondsPerLeg)} | ${formatOptional(row.machineBoundS)} | ${formatOptional(row.otherCpuS, 1)} |`
    )
  }
  const failures = c.rows.reduce((sum, row) => sum + row.failures, 0)
  lines.push(
    '',
    'Speedup is sequential ÷ parallel (medians of this run); time saved is 1 − parallel ÷ ' +
      'sequential, what the guide calls improvement; parallel efficiency is speedup ÷ N. CPU per ' +
      "leg is the CPU time of the parallel run's setup processes and of every git process they " +
      `started, divided by N. The machine bound is (N × CPU per leg + the bench process's own ` +
      `CPU time for the emulator and the harness) ÷ ${cpus} CPUs: the least wall time this ` +
      'machine needs for the work of the run. Other processes is the CPU time that processes ' +
      'outside the bench used during the parallel run, which slowed it further. ' +
      `One sequential step took ${c.sequentialPerTask.median.toFixed(2)} s (median; ` +
      `${c.sequentialPerTask.min.toFixed(2)}–${c.sequentialPerTask.max.toFixed(2)} s over ` +
      `${c.sequentialPerTask.runs} steps). At N = 1 both ` +
      'strategies run the same single step, so their difference there is the noise between runs. ' +
      (failures === 0
        ? 'Every step of every run ended ready.'
        : `${failures} steps did not end ready; benchmarks.json has the end of their output.`),
    '',
    ...describeSpeedup(c, cpus),
    '![Setup wall time against the task count](benchmarks.svg)',
    '',
    ...renderGuide(c),
    ...renderPhases(c),
    ...renderListMode(c),
    ''
  )
  return lines
}

/** Explains the measured speedups by the CPU time of a step, when the runs measured it. */
/** Describes how many legs of the one-runner-per-leg strategy ran at once. */
function describeConcurrency(concurrency: number): string {
  return concurrency === 1
    ? 'one leg at a time. The rest of the machine is left to the emulator and git'
    : `at most ${concurrency} legs at once, one per CPU`
}

function describeSpeedup(c: ComparisonRecord, cpus: number): string[] {
  const measured = c.rows.filter((row) => !row.speedupIsEstimate && row.tasks >= 5)
  if (measured.length === 0 || c.sequentialCpuPerTaskS === null) return []
  const speedups = measured.map((row) => row.speedup)
  const busy = c.sequentialCpuPerTaskS / c.sequentialPerTask.median
  return [
    `From N = 5 on, the measured speedup is ${Math.min(...speedups).toFixed(2)}× to ` +
      `${Math.max(...speedups).toFixed(2)}×. A sequential step used ` +
      `${c.sequentialCpuPerTaskS.toFixed(2)} CPU-seconds in ${c.sequentialPerTask.median.toFixed(2)} s, ` +
      `so the sequential strategy kept ${busy.toFixed(2)} CPUs busy, and the parallel one can ` +
      `keep at most ${cpus}: on this machine the speedup cannot go much beyond ` +
      `${(cpus / busy).toFixed(1)}×, whatever N is. The added latencies ` +
      `(${formatMs(c.createLatencyMs + c.worktreeDelayMs)} a step, which parallel legs wait out ` +
      `together) are ${Math.round(((c.createLatencyMs + c.worktreeDelayMs) / 1000 / c.sequentialPerTask.median) * 100)} % ` +
      'of a sequential step at this scale.',
    ''
  ]
}

function renderGuide(c: ComparisonRecord): string[] {
  const lines = [
    '### Beside the guide',
    '',
    "The guide's figures are its own estimates for 5, 10 and 20 tasks, with 60 s of planning " +
      'in both strategies. Without the planning, its setup times are 8 s per task sequentially ' +
      'and 13 s to 28 s in parallel (its 8 s of setup plus 1 s per agent spawned).',
    '',
    '| N | guide: sequential / parallel (s) | guide: improvement | guide without planning: sequential / parallel (s) | guide without planning: saved | this run: time saved | this run, one runner per leg: saved |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |'
  ]
  for (const guide of GUIDE_TABLE) {
    const sequential = guide.sequentialS - GUIDE_PLANNING_S
    const parallel = guide.parallelS - GUIDE_PLANNING_S
    const row = c.rows.find((candidate) => candidate.tasks === guide.tasks)
    const ours = row
      ? `${row.savedPercent.toFixed(0)} %${row.speedupIsEstimate ? ' (est.)' : ''}`
      : 'not run'
    const sequentialS = row?.sequential?.median ?? row?.sequentialEstimateS ?? null
    const runnerPerLeg =
      row?.perLeg && sequentialS !== null
        ? `${Math.round((1 - row.perLeg.slowestLeg.median / sequentialS) * 100)} %`
        : row?.isolatedLeg && sequentialS !== null
          ? `${Math.round((1 - row.isolatedLeg.median / sequentialS) * 100)} % (est.)`
          : ''
    lines.push(
      `| ${guide.tasks} | ${guide.sequentialS} / ${guide.parallelS} | ${guide.improvementPercent} % | ` +
        `${sequential} / ${parallel} | ${Math.round((1 - parallel / sequential) * 100)} % | ${ours} | ${runnerPerLeg} |`
    )
  }
  lines.push(
    '',
    'The last column takes the parallel time to be the slowest leg of the one-runner-per-leg ' +
      'run (section 2), measured where it ran. An entry marked (est.) is an estimate from one ' +
      'lone leg instead. Both assume that all legs start at the same moment and that GitHub ' +
      'answers N legs as fast as one.',
    ''
  )
  return lines
}

function renderPhases(c: ComparisonRecord): string[] {
  const names = [...new Set(c.rows.flatMap((row) => Object.keys(row.parallelPhasesMs)))]
  if (names.length === 0) return []
  const lines = [
    '### Where a parallel leg spends its time',
    '',
    "Median phase durations from the legs' own result records, in milliseconds, and the " +
      'median and slowest leg from spawn to exit. With more legs than CPUs, every phase ' +
      'waits for the CPU, so the phases grow with N although each does the same work.',
    '',
    `| N | ${names.join(' | ')} | leg, median (s) | leg, slowest (s) |`,
    `| ---: | ${names.map(() => '---:').join(' | ')} | ---: | ---: |`
  ]
  for (const row of c.rows) {
    lines.push(
      `| ${row.tasks} | ${names.map((name) => row.parallelPhasesMs[name] ?? '').join(' | ')} | ` +
        `${row.parallelLegS.median.toFixed(2)} | ${row.parallelLegS.max.toFixed(2)} |`
    )
  }
  lines.push('')
  return lines
}

function renderListMode(c: ComparisonRecord): string[] {
  const list = c.listMode
  if (!list) return []
  return [
    '### List mode',
    '',
    `One setup step with ${list.tasks} tasks as a list (\`task: ${Array.from({ length: list.tasks }, (_, i) => `t${i}`).join(',')}\`), ` +
      `as a matrix leg runs them when tasks share legs, took ${list.wallS.toFixed(2)} s. Its issue ` +
      `phases took ${list.issuePhaseMs.join(', ')} ms, with the same 100 ms of added latency per ` +
      `creation as above. The GitHub client (with @octokit/plugin-throttling ${list.throttlingVersion}) ` +
      "leaves one second between two writes, as GitHub's docs request, divided by " +
      '`PARALLEL_SETUP_TIME_SCALE` like every other wait. ' +
      (list.failures > 0 ? `${list.failures} of its tasks did not end ready.` : ''),
    ''
  ]
}

function renderScaling(record: BenchRecord): string[] {
  const c = record.comparison
  if (!c) return []
  const scaling = c.scaling
  const perLegRun = c.rows.some((row) => row.perLeg)
  const lines = [
    '## 2. Scaling of the parallel setup phase',
    '',
    `Wall time of the parallel setup phase for N against N = ${scaling.base}, in this run, with ` +
      'the limits and the pacing off, in two ways. All at once is the fan-out of section 1, ' +
      `where N legs share ${record.machine.cpus} CPUs. ` +
      (perLegRun
        ? 'One runner per leg is t(N) = the slowest leg when no leg waits for a CPU (see "How ' +
          'the runs are modelled"); beside it the median and 90th percentile of all its legs. '
        : '') +
      'A lone leg is one more setup step, run alone on the machine after the fan-out, for ' +
      'another task of the same manifest.',
    '',
    `| N | all at once (s) | t(N) / t(${scaling.base}) | one runner per leg: t(N) (s) | t(N) / t(${scaling.base}) | its legs: median / p90 (s) | its CPU per leg (s) | machine time for its N legs (s) | lone leg (s) |`,
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |'
  ]
  for (const row of scaling.rows) {
    const perLeg = c.rows.find((candidate) => candidate.tasks === row.tasks)?.perLeg ?? null
    lines.push(
      `| ${row.tasks} | ${row.parallelS.toFixed(2)} | ${row.ratio.toFixed(2)} | ` +
        (perLeg
          ? `${formatSummary(perLeg.slowestLeg)} | ${formatOptional(row.perLegRatio)} | ` +
            `${perLeg.legMedianS.toFixed(2)} / ${perLeg.legP90S.toFixed(2)} | ` +
            `${formatOptional(perLeg.cpuSecondsPerLeg)} | ${formatSummary(perLeg.totalS)} | `
          : 'not run | | | | | ') +
        `${formatOptional(row.isolatedLegS)} |`
    )
  }
  const goal = scaling.rows.find((row) => row.tasks === scaling.goalTasks)
  lines.push('')
  if (!goal) {
    lines.push(
      `The goal, t(${scaling.goalTasks}) / t(${scaling.base}) ≤ ${scaling.goalRatio}, needs the ` +
        `full run: this mode does not run N = ${scaling.goalTasks}.`,
      ''
    )
    return lines
  }

  lines.push(describeScalingGoal(record, c, goal), '')
  const perLeg = describePerLegGoal(c, goal)
  if (perLeg) lines.push(perLeg, '')
  return lines
}

/** Growth of the median leg up to which the report calls a leg's own work flat in N. */
const FLAT_MEDIAN_RATIO = 1.05

/** Writes the verdict on the scaling goal for one runner per leg, with what drives it. */
function describePerLegGoal(
  c: ComparisonRecord,
  goal: ComparisonRecord['scaling']['rows'][number]
): string | null {
  const scaling = c.scaling
  const row = c.rows.find((candidate) => candidate.tasks === scaling.goalTasks)!
  const base = c.rows.find((candidate) => candidate.tasks === scaling.base)
  if (!row.perLeg || !base?.perLeg || goal.perLegRatio === null) return null
  const met = goal.perLegRatio <= scaling.goalRatio
  const medianRatio = row.perLeg.legMedianS / base.perLeg.legMedianS
  return (
    `**One runner per leg: t(${scaling.goalTasks}) / t(${scaling.base}) = ` +
    `${goal.perLegRatio.toFixed(2)}, ${met ? 'met' : 'not met'}.** The slowest of ` +
    `${scaling.goalTasks} legs took ${formatSummary(row.perLeg.slowestLeg)} s, the slowest of ` +
    `${scaling.base} took ${formatSummary(base.perLeg.slowestLeg)} s. The median leg went from ` +
    `${base.perLeg.legMedianS.toFixed(2)} s to ${row.perLeg.legMedianS.toFixed(2)} s ` +
    `(× ${medianRatio.toFixed(2)}), so ` +
    (medianRatio <= FLAT_MEDIAN_RATIO
      ? "a leg's own work stays nearly flat in N, and the ratio of the slowest legs comes " +
        `mostly from the maximum of ${scaling.goalTasks} noisy leg times against the maximum of ` +
        `${scaling.base}. `
      : "a leg's own work grows with N, and the maximum of " +
        `${scaling.goalTasks} noisy leg times against the maximum of ${scaling.base} adds the rest. `) +
    describeLegGrowth(row.perLeg) +
    `The legs made ${row.perLeg.requestsPerLeg.toFixed(2)} REST requests each on average at ` +
    `N = ${scaling.goalTasks} against ${base.perLeg.requestsPerLeg.toFixed(2)} at N = ${scaling.base}` +
    (row.perLeg.otherCpuS !== null
      ? `, and other processes used ${row.perLeg.otherCpuS.toFixed(1)} CPU-seconds during the ` +
        `${scaling.goalTasks}-leg run.`
      : '.')
  )
}

/** Compares the first and the last legs of the one-runner run, phase by phase. */
function describeLegGrowth(perLeg: PerLegRow): string {
  const growth = perLeg.growth
  if (!growth) return ''
  const phases = ['issue', 'worktree', 'push'].filter(
    (name) => growth.first.phasesMs[name] !== undefined
  )
  const change = phases
    .map(
      (name) =>
        `the ${name} phase from ${growth.first.phasesMs[name]} to ${growth.last.phasesMs[name]} ms`
    )
    .join(', ')
  return (
    `The legs got slower as the run went on. The first ${growth.first.legs} legs took ` +
    `${growth.first.wallS.toFixed(2)} s (median) and the last ${growth.last.legs} took ` +
    `${growth.last.wallS.toFixed(2)} s. Their medians grew: ${change}. By the last legs, ` +
    'the list of issues that carry the tracking label holds a full page of issues, and every ' +
    'push of the claim and of the branch goes to a remote with three more refs per task. '
  )
}

/** Names what this run shows about a lone leg that is slower at larger N. */
function describeLoneLegGrowth(row: ComparisonRecord['rows'][number], cpus: number): string {
  const parts = [
    "Two parts of a leg's own work grow with N. A leg that opens its issue reads the list of " +
      'issues that carry the tracking label once, 100 to a page. And the remote has three more refs per task: the ' +
      'branch, the claim and the result.' +
      (row.perLeg?.growth
        ? ' The next paragraph times each phase of the first and the last legs of one runner per leg.'
        : ' This bench does not time them apart.')
  ]
  const pages = describePages(row)
  if (pages) parts.push(pages)
  const capacity = row.parallel.median * cpus
  if (row.otherCpuS !== null && row.otherCpuS > 0.05 * capacity) {
    parts.push(
      `Other processes used ${row.otherCpuS.toFixed(1)} CPU-seconds during that fan-out, which ` +
        'may also have slowed the lone legs.'
    )
  }
  return parts.join(' ')
}

/** Notes the extra list pages of lone legs that found more than 100 labelled issues. */
function describePages(row: ComparisonRecord['rows'][number]): string {
  const requests = Math.max(...row.isolatedLegRequests)
  if (requests <= 3) return ''
  return (
    `At N = ${row.tasks} more than 100 issues carried the tracking label, so the lone legs ` +
    `made up to ${requests} requests.`
  )
}

/** Writes the verdict on the scaling goal, with the machine bound and the lone legs as the reasons. */
function describeScalingGoal(
  record: BenchRecord,
  c: ComparisonRecord,
  goal: ComparisonRecord['scaling']['rows'][number]
): string {
  const scaling = c.scaling
  const row = c.rows.find((candidate) => candidate.tasks === scaling.goalTasks)!
  const met = goal.ratio <= scaling.goalRatio
  let text =
    `**Goal: t(${scaling.goalTasks}) / t(${scaling.base}) ≤ ${scaling.goalRatio}. This run: ` +
    `${goal.ratio.toFixed(2)}, ${met ? 'met' : 'not met'}.** `

  if (!met && row.machineBoundS !== null) {
    const cpus = record.machine.cpus
    const withOthers = row.machineBoundS + (row.otherCpuS ?? 0) / cpus
    const closeness = row.parallel.median / withOthers
    text +=
      `The ${scaling.goalTasks} legs needed ${formatOptional(row.cpuSecondsPerLeg)} CPU-seconds ` +
      `each, so with the bench's own work ${cpus} CPUs need at least ` +
      `${row.machineBoundS.toFixed(2)} s for the run` +
      (row.otherCpuS
        ? `, and ${withOthers.toFixed(2)} s with the ${row.otherCpuS.toFixed(1)} CPU-seconds ` +
          'that other processes used meanwhile'
        : '') +
      `. The fan-out took ${row.parallel.median.toFixed(2)} s, ${closeness.toFixed(2)} times that. ` +
      (closeness < 1.5
        ? 'The machine is the bottleneck: the legs spent their time waiting for a CPU, and ' +
          'on GitHub every leg has a runner of its own. '
        : 'So CPU time explains only part of the wall time. ')
  }

  const base = scaling.rows.find((candidate) => candidate.tasks === scaling.base)
  if (goal.isolatedRatio !== null && base?.isolatedLegS != null) {
    text +=
      `A lone leg took ${formatSummary(row.isolatedLeg!)} s at N = ${scaling.goalTasks} against ` +
      `${formatSummary(c.rows.find((candidate) => candidate.tasks === scaling.base)!.isolatedLeg!)} s ` +
      `at N = ${scaling.base}, a ratio of the medians of ` +
      `${goal.isolatedRatio.toFixed(2)}: ` +
      (goal.isolatedRatio <= scaling.goalRatio
        ? 'within the goal. With one runner per leg the setup phase would stay as flat as ' +
          "that, as far as this project's own work goes, if GitHub serves N legs as fast as " +
          'one; the bench cannot test that last assumption. ' +
          describePages(row)
        : 'above the goal. ' + describeLoneLegGrowth(row, record.machine.cpus))
  }
  return text
}

function renderLimits(record: BenchRecord): string[] {
  const l = record.limits
  if (!l) return []
  const shape =
    l.divisor === 1
      ? `${l.legs} legs against the emulator's defaults, GitHub's documented ${l.contentPerMinute} ` +
        `content-creating requests a minute and ${l.maxConcurrent} requests at once, with the ` +
        `setup action's default pacing of ${l.createsPerMinute} issue creations a minute`
      : `${l.legs} legs against ${l.contentPerMinute} content-creating requests a minute and ` +
        `${l.maxConcurrent} requests at once, with the setup action's pacing at ` +
        `\`creates-per-minute: ${l.createsPerMinute}\`. That is GitHub's case (${GITHUB_CASE.legs} legs, ` +
        `${GITHUB_CASE.contentPerMinute} a minute, ${GITHUB_CASE.maxConcurrent} at once, pacing ` +
        `${GITHUB_CASE.pacing}) with every count divided by ${l.divisor} and rounded ` +
        'down, so the creations fall into the same four minutes; `npm run bench -- --only ' +
        'limits --github-limits` runs the 256 legs themselves'
  const cpuText =
    l.legCpuSeconds === null
      ? ''
      : `The legs needed ${l.legCpuSeconds.toFixed(0)} CPU-seconds, so ${record.machine.cpus} CPUs ` +
        `need at least ${(l.legCpuSeconds / record.machine.cpus).toFixed(0)} s for them. ` +
        (l.timeScale > 1
          ? 'The clock is compressed only as far as the legs can still reach their turns. A ' +
            "faster clock would fit the limit's minutes into less real time than the machine " +
            'needs, so the run would measure the machine instead of the limits.'
          : '')
  const lines = [
    "## 3. With GitHub's secondary rate limits",
    '',
    `One parallel fan-out with the secondary limits on: ${shape}. Legs 0 to ` +
      `${l.createsPerMinute - 1} open their issues in the first minute, 200 ms apart, the next ` +
      `${l.createsPerMinute} a minute later, and so on. Every leg counts its turn from the plan ` +
      "action's `planned-at` output, as the example workflows pass it. " +
      `The step latencies are those of section 1 in real time (${formatMs(l.createLatencyMs)} ` +
      `per creation, ${formatMs(l.worktreeDelayMs)} per worktree).`,
    '',
    `**Clock: ${l.timeScale === 1 ? 'real time' : `compressed ${l.timeScale}×`}.** ` +
      `\`faults.timeScale = ${l.timeScale}\` makes one real second ${l.timeScale} emulated ` +
      `second${l.timeScale === 1 ? '' : 's'} in the emulator, and ` +
      `\`PARALLEL_SETUP_TIME_SCALE=${l.timeScale}\` divides the legs' pacing and retry waits to ` +
      `match. ${cpuText}`,
    '',
    '| measure | value |',
    '| --- | ---: |',
    `| wall time | ${l.wallS.toFixed(1)} s real, ${l.wallEmulatedMin.toFixed(2)} min emulated |`,
    `| first and last accepted issue creation, after the start | ${formatOptional(l.firstCreateMin)} and ${formatOptional(l.lastCreateMin)} min (emulated) |`,
    `| lower bound for the last creation: floor((legs − 1) ÷ limit) | ${l.lowerBound.windowMin} min |`,
    `| ${l.legs} creations at the limit's average rate: legs ÷ limit | ${l.lowerBound.rateMin} min |`,
    `| the pacing's turn of the last leg: floor((legs − 1) ÷ pacing) | ${l.lowerBound.pacingMin} min |`,
    `| requests rejected by a secondary limit | ${l.secondaryRejections} |`,
    `| requests, content-creating requests | ${l.requests}, ${l.contentCreatingRequests} |`,
    `| most requests in flight at once | ${l.maxConcurrentRequests} (limit ${l.maxConcurrent}) |`,
    `| legs running at once | ${l.runners} of ${l.legs} |`,
    `| legs that did not end ready | ${l.failures} |`,
    `| issues afterwards | ${l.issues} |`,
    `| one leg, median and slowest | ${l.legS.median.toFixed(1)} s and ${l.legS.max.toFixed(1)} s |`,
    `| lone leg afterwards | ${l.probe ? `${l.probe.wallS.toFixed(2)} s, ${l.probe.requests} requests, ${l.probe.searchRequests} to the Search API` : 'not run'} |`,
    `| CPU time: the legs and their git processes, other processes | ${formatOptional(l.legCpuSeconds, 1)} s, ${formatOptional(l.otherCpuSeconds, 1)} s |`,
    `| least memory available during the run | ${l.minMemoryAvailableGiB} GiB${l.aborted ? ' (the run was stopped for lack of memory)' : ''} |`,
    ''
  ]
  const why = describeWhyNotGitHubCase(record)
  if (why) lines.push(why, '')
  if (l.lastCreateMin !== null && l.firstCreateMin !== null && l.lowerBound.windowMin > 0) {
    lines.push(
      `The last issue was accepted ${l.lastCreateMin.toFixed(2)} min after the start: ` +
        `${(l.lastCreateMin / l.lowerBound.windowMin).toFixed(2)} times the ${l.lowerBound.windowMin} min ` +
        'the limit allows at best. The first one took ' +
        `${l.firstCreateMin.toFixed(2)} min, the time the machine needed to start the first legs, ` +
        `and the span from first to last, ${(l.lastCreateMin - l.firstCreateMin).toFixed(2)} min, ` +
        `compares with the ${l.lowerBound.pacingMin} min the pacing schedules. A leg whose ` +
        'turn comes while the machine is still busy with earlier legs creates late. A late ' +
        "create would fall into the next minute's window, so a leg of a later minute waits " +
        'until enough of the creates its issue list showed have left the 60 s window. ' +
        (l.secondaryRejections === 0
          ? 'No request was rejected, so no leg lost a minute to a retry-after.'
          : `${l.secondaryRejections} requests were rejected and retried after GitHub's retry-after.`) +
        (l.runners < l.legs
          ? ` Only ${l.runners} legs ran at once, so the later legs started late.`
          : ''),
      ''
    )
  }
  return lines
}

/**
 * Explains, from this run's own figures, why the limit run used fewer legs than GitHub's
 * case of 256: the CPU time 256 legs need on this machine against the time budget left.
 */
function describeWhyNotGitHubCase(record: BenchRecord): string | null {
  const l = record.limits
  const budget = BUDGET_S[record.mode]
  // Only a run of every section shows how much of the budget the other sections leave.
  const whole = record.comparison !== null && record.costs !== null && record.install !== null
  if (!l || !whole || l.divisor === 1 || l.legCpuSeconds === null || !Number.isFinite(budget)) {
    return null
  }
  const cpus = record.machine.cpus
  const cpuPerLeg = l.legCpuSeconds / l.legs
  const machineS = (GITHUB_LEGS * cpuPerLeg) / cpus
  const limitS = record.sectionDurationsS?.limits ?? l.wallS
  const restS = record.durationS - limitS
  return (
    `**Why not 256 legs.** A leg of this run used ${cpuPerLeg.toFixed(2)} CPU-seconds, so ` +
    `${GITHUB_LEGS} legs need about ${(GITHUB_LEGS * cpuPerLeg).toFixed(0)} CPU-seconds, at ` +
    `least ${machineS.toFixed(0)} s on ${cpus} CPUs. With the clock compressed so far that the ` +
    "limit's 3 minutes take no longer than that, the run would last at least " +
    `${formatDuration(machineS)}, and in real time (\`--github-limits\`) at least 3 min plus ` +
    `the time to start the legs. The rest of this run took ${formatDuration(restS)}, so with ` +
    `256 legs the full run would take at least ${formatDuration(restS + machineS)}. ` +
    (restS + machineS > budget
      ? `That is more than its budget of ${formatDuration(budget)}. `
      : `That fits its budget of ${formatDuration(budget)} only if the machine needs no more ` +
        'than its CPU time and does no other work. ') +
    `The ${l.legs} legs keep GitHub's proportions, so the ` +
    'pacing, the limit windows and the lower bound have the same shape.'
  )
}

/** GitHub's case of the limit run: the most legs a matrix can have. */
const GITHUB_LEGS = 256

function renderCosts(record: BenchRecord): string[] {
  const costs = record.costs
  if (!costs) return []
  return [
    '## 4. Cost of the action itself',
    '',
    ...renderColdStarts(costs),
    ...renderHappyPath(costs, record),
    ...renderPlanning(costs)
  ]
}

function renderColdStarts(costs: CostRecord): string[] {
  const lines = [
    '### Cold start and size',
    '',
    `Each script was started ${costs.coldStarts[0]?.wallMs.runs ?? 0} times with Node 24, in turns, ` +
      'after one untimed start each to fill the page cache. No inputs are set, so each ' +
      'action stops at its first required input or at the missing manifest: the time is ' +
      "Node's start, loading the bundle and that one check. The toolkit bundle is a script " +
      'that imports only @actions/core and @actions/github and stops at its required input ' +
      'the same way, bundled with ncc into a temporary folder with the options of ' +
      'scripts/build.mjs. Peak memory is the maximum resident set size that /usr/bin/time ' +
      'reports.',
    '',
    '| script | size (KiB) | spawn to exit (ms) | peak memory (MiB) | first line printed |',
    '| --- | ---: | ---: | ---: | --- |'
  ]
  for (const row of costs.coldStarts) {
    lines.push(
      `| \`${row.command}\` | ${row.bytes === null ? '' : Math.round(row.bytes / 1024)} | ` +
        `${formatSummary(row.wallMs, 0)} | ${row.maxRssMiB ? row.maxRssMiB.median.toFixed(0) : ''} | ` +
        `${row.firstLine ? `\`${shorten(row.firstLine.replace(/\|/g, '\\|'), 110)}\`` : ''} |`
    )
  }
  if (costs.toolkitError)
    lines.push('', `The toolkit bundle could not be built: ${costs.toolkitError}`)
  lines.push('')
  return lines
}

function renderHappyPath(costs: CostRecord, record: BenchRecord): string[] {
  const h = costs.happyPath
  const lines = [
    '### Requests and memory on the happy path',
    '',
    `On a new repository, plan ran once, then ${h.legs} setup legs one after another, then ` +
      'collect, each through `bench/usage-wrapper.mjs`, which runs the bundle in the same ' +
      "process and records that process's peak memory and CPU time (not its git children's). " +
      "The requests come from the emulator's request log.",
    '',
    '| measure | value |',
    '| --- | ---: |',
    `| REST requests per setup leg | ${h.requestsPerLeg.join(', ')} (goal ≤ 3) |`,
    `| Search API requests | ${h.searchRequests} (goal 0) |`,
    `| setup: peak memory | ${h.setupMaxRssMiB ? formatSummary(h.setupMaxRssMiB, 0) : 'not measured'} MiB |`,
    `| setup: CPU time of the Node process | ${h.setupCpuSeconds ? formatSummary(h.setupCpuSeconds) : 'not measured'} s |`,
    `| plan: peak memory | ${formatOptional(h.planMaxRssMiB, 0)} MiB |`,
    `| collect: requests, wall time, peak memory | ${h.collect.requests}, ${h.collect.wallMs} ms, ${formatOptional(h.collect.maxRssMiB, 0)} MiB (exit code ${h.collect.exitCode}) |`,
    ''
  ]
  const probes = (record.comparison?.rows ?? [])
    .filter((row) => row.isolatedLegRequests.length > 0)
    .map((row) => ({ tasks: row.tasks, requests: row.isolatedLegRequests }))
  if (record.limits?.probe) {
    probes.push({ tasks: record.limits.legs, requests: [record.limits.probe.requests] })
  }
  if (probes.length > 0) {
    const searches =
      (record.comparison?.rows ?? []).reduce((sum, row) => sum + row.isolatedLegSearchRequests, 0) +
      (record.limits?.probe?.searchRequests ?? 0)
    const paged = probes.some((probe) => Math.max(...probe.requests) > 3)
    lines.push(
      `The lone legs of sections 2 and 3, run after N other legs, made ${searches} Search API ` +
        'requests and these REST requests:',
      '',
      '| N | requests of each lone leg |',
      '| ---: | --- |',
      ...probes.map((probe) => `| ${probe.tasks} | ${probe.requests.join(', ')} |`),
      '',
      'A leg reads its claim ref through git first. When the claim names the issue, the leg ' +
        'makes one request, a GET of that issue. Otherwise it takes the claim, lists the issues ' +
        'that carry the tracking label once, 100 to a page, and opens the issue. ' +
        (paged
          ? 'Above 200 such issues that list takes 3 requests or more, so a fresh leg makes more ' +
            'than 3 requests.'
          : 'Up to 200 such issues a fresh leg makes at most 3 requests.'),
      ''
    )
  }
  return lines
}

function renderPlanning(costs: CostRecord): string[] {
  if (costs.plan.length === 0) return []
  const lines = [
    '### Planning large manifests',
    '',
    'A generated manifest with labels, a body per task and `depends-on` chains of ten tasks. ' +
      'In-process is `parseManifest` and `planTasks` from src/ in the bench process; dist/plan ' +
      'is the bundled action reading the file, writing its outputs and job summary.',
    '',
    '| tasks | manifest (KiB) | in-process (ms) | dist/plan (ms) | dist/plan peak memory (MiB) | matrix legs |',
    '| ---: | ---: | ---: | ---: | ---: | ---: |'
  ]
  for (const row of costs.plan) {
    lines.push(
      `| ${row.tasks.toLocaleString('en-US')} | ${Math.round(row.manifestBytes / 1024)} | ` +
        `${formatSummary(row.inProcessMs, 0)} | ${formatSummary(row.distWallMs, 0)} | ` +
        `${row.distMaxRssMiB ? row.distMaxRssMiB.median.toFixed(0) : ''} | ${row.matrixLegs} |`
    )
  }
  lines.push('')
  return lines
}

function renderInstall(install: InstallRecord | null): string[] {
  if (!install) return []
  const lines = [
    '## 5. Dependency install',
    '',
    `Fixtures: ${install.fixtures === 'bench' ? '`bench/fixtures/install/`, a server with express 4.21.2 and its dependencies (72 packages in the npm lockfile), one lockfile per manager' : '`test/fixtures/install/`, one dependency each'}. ` +
      `Each run (${install.runs} per manager) copies the fixture into a first worktree and installs ` +
      'with an empty cache (cold), then into a second worktree of the same lockfile that ' +
      "shares the first one's cache. Both installs go through the action's own code " +
      '(`resolveInstallPlan` and `runInstall` from src/install) and download from the npm ' +
      'registry. pnpm 9.12.0 and yarn 1.22.22 come from the npm registry, installed the way ' +
      'the install tests install them; corepack is not involved.',
    '',
    '| manager | command the action ran | cold (s) | second worktree, shared cache (s) | saved |',
    '| --- | --- | ---: | ---: | ---: |'
  ]
  for (const row of install.rows) {
    const saved =
      row.cold && row.warm ? `${Math.round((1 - row.warm.median / row.cold.median) * 100)} %` : ''
    lines.push(
      `| ${row.manager} | ${row.command ? `\`${row.command}\`` : ''} | ` +
        `${row.cold ? formatSummary(row.cold) : 'failed'} | ${row.warm ? formatSummary(row.warm) : 'failed'} | ${saved} |`
    )
  }
  for (const row of install.rows.filter((candidate) => candidate.error)) {
    lines.push('', `${row.manager}: ${row.error!.split('\n')[0]}`)
  }
  lines.push(
    '',
    '**Cache settings of the action.** The action sets no cache location, so each manager ' +
      "uses its default cache of the runner's user (npm's `~/.npm/_cacache`, pnpm's store, " +
      "yarn 1's cache folder). Tasks set up on one machine then share it: the tasks of a " +
      "shared matrix leg, or the CLI on a developer's machine. src/install/detect.ts relies on " +
      "npm's cache and pnpm's store being safe for concurrent installs, which the install " +
      'tests check with two installs at once. It runs yarn 1 with `--mutex network`, because ' +
      'yarn 1 can corrupt its cache when two installs write to it at once. On GitHub-hosted runners ' +
      'every leg starts with an empty cache, so a leg with one task pays the cold time. The ' +
      'bench moves each cache into a scratch folder (`npm_config_cache`; ' +
      '`npm_config_store_dir` and `npm_config_cache_dir`; `YARN_CACHE_FOLDER`) so that cold ' +
      'means empty; the action sets none of these.',
    ''
  )
  return lines
}

function renderGoals(record: BenchRecord): string[] {
  const rows: Array<[string, string, string]> = []
  const c = record.comparison
  if (c) {
    const measured = c.rows.filter((row) => !row.speedupIsEstimate && row.tasks > 1)
    if (measured.length > 0) {
      const slower = measured.filter((row) => row.speedup <= 1)
      rows.push([
        'parallel faster than sequential for every measured N > 1',
        measured.map((row) => `${row.speedup.toFixed(2)}× at ${row.tasks}`).join(', '),
        slower.length === 0 ? 'met' : 'not met'
      ])
    }
    for (const guide of GUIDE_TABLE) {
      const row = c.rows.find((candidate) => candidate.tasks === guide.tasks)
      if (!row || row.speedupIsEstimate) continue
      rows.push([
        `beat the guide's ${guide.improvementPercent} % at N = ${guide.tasks}`,
        `${row.savedPercent.toFixed(0)} % saved`,
        row.savedPercent > guide.improvementPercent ? 'met' : 'not met'
      ])
    }
    const goal = c.scaling.rows.find((row) => row.tasks === c.scaling.goalTasks)
    if (goal) {
      rows.push([
        `t(${c.scaling.goalTasks}) / t(${c.scaling.base}) ≤ ${c.scaling.goalRatio}, this machine`,
        goal.ratio.toFixed(2),
        goal.ratio <= c.scaling.goalRatio
          ? 'met'
          : 'not met: the machine is the bottleneck (section 2)'
      ])
      if (goal.perLegRatio !== null) {
        rows.push([
          'the same with one runner per leg: the slowest leg, measured',
          goal.perLegRatio.toFixed(2),
          goal.perLegRatio <= c.scaling.goalRatio ? 'met' : 'not met (section 2)'
        ])
      } else if (goal.isolatedRatio !== null) {
        rows.push([
          `the same for a lone leg, one runner per leg`,
          goal.isolatedRatio.toFixed(2),
          goal.isolatedRatio <= c.scaling.goalRatio ? 'met' : 'not met'
        ])
      }
    }
  }
  const costs = record.costs
  if (costs) {
    const max = Math.max(...costs.happyPath.requestsPerLeg)
    rows.push([
      'REST requests per leg on the happy path ≤ 3',
      `${max} at most`,
      max <= 3 ? 'met' : 'not met'
    ])
    rows.push([
      'no Search API requests',
      String(costs.happyPath.searchRequests),
      costs.happyPath.searchRequests === 0 ? 'met' : 'not met'
    ])
  }
  const l = record.limits
  if (l?.lastCreateMin !== null && l?.lastCreateMin !== undefined) {
    const ratio =
      l.lowerBound.windowMin > 0
        ? ` (${(l.lastCreateMin / l.lowerBound.windowMin).toFixed(2)} × the bound)`
        : ''
    rows.push([
      `${l.legs} legs under the secondary limits: every leg ready, no request rejected`,
      `last creation ${l.lastCreateMin.toFixed(2)} min against ${l.lowerBound.windowMin} min${ratio}; ` +
        `${l.secondaryRejections} rejected, ${l.failures} failed`,
      l.failures === 0 && l.secondaryRejections === 0 ? 'met' : 'not met'
    ])
  }
  rows.push(...cliGoalRows(record))
  const budget = BUDGET_S[record.mode]
  if (Number.isFinite(budget)) {
    rows.push([
      `${record.mode} run in under ${formatDuration(budget)} on 2 CPUs`,
      `${formatDuration(record.durationS)} on ${record.machine.cpus} CPUs`,
      record.durationS < budget ? 'met' : 'not met'
    ])
  }
  if (rows.length === 0) return []
  return [
    '## Goals',
    '',
    '| goal | this run | result |',
    '| --- | --- | --- |',
    ...rows.map(([goal, value, result]) => `| ${goal} | ${value} | ${result} |`),
    ''
  ]
}

function renderErrors(record: BenchRecord): string[] {
  if (record.errors.length === 0) return []
  return [
    '## Sections that failed',
    '',
    ...record.errors.map((error) => `- ${error.split('\n')[0]}`),
    ''
  ]
}

function formatSummary(summary: Summary, digits = 2): string {
  const median = summary.median.toFixed(digits)
  if (summary.runs === 1) return `${median} (1 run)`
  return `${median} (${summary.min.toFixed(digits)}–${summary.max.toFixed(digits)}, ${summary.runs} runs)`
}

function formatOptional(value: number | null, digits = 2): string {
  return value === null ? '' : value.toFixed(digits)
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}

function formatMs(ms: number): string {
  return `${Math.round(ms)} ms`
}

function formatDuration(seconds: number): string {
  if (seconds < 90) return `${seconds.toFixed(0)} s`
  return `${(seconds / 60).toFixed(1)} min`
}
