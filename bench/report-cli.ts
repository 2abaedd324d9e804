/** Renders section 6 of docs/benchmarks.md: the local CLI, every task at once against each alone. */
import type { CliBenchRecord, CliVariantRecord } from './cli.js'
import type { BenchRecord } from './record.js'
import type { Summary } from './stats.js'

/**
 * This bench's reading of "about the time of the slowest single task": the run with every
 * task takes at most this many times the slowest task run alone.
 */
export const CLI_GOAL_RATIO = 1.5

/** The GitHub client's minimum time between two writes on GitHub (src/github/client.ts). */
const WRITE_SPACING_MS = 1_000

export function renderCli(record: BenchRecord): string[] {
  const cli = record.cli
  if (!cli) return []
  const cpus = record.machine.cpus
  const lines = [
    '## 6. The local CLI: every task at once against each task alone',
    '',
    `\`parallel-setup run\` is the bundled CLI (dist/cli, copied at the start) run by Node 24 in a ` +
      `clone of a local bare repository, with a manifest of ${cli.tasks} tasks on ` +
      `\`${cli.fixture}\` (is-number 7.0.0 in an npm lockfile). Each task installs in one of two ways:`,
    '',
    `- **npm ci:** \`install: auto\`, so the CLI runs \`${cli.installCommand}\` in every worktree, ` +
      'a real install from an npm cache that one untimed install filled first ' +
      '(`npm_config_prefer_offline`), as the second and later worktrees of a developer find ' +
      'it. This install mostly uses the CPU.',
    ...(cli.variants.some((variant) => variant.install === 'wait')
      ? [
          `- **Waiting install:** \`install: ${waitSetting(cli)}\`, a stand-in for an install ` +
            'that spends its time waiting for downloads, as a cold install on a new machine ' +
            `does. At the scale of 1/${cli.scale}, its ${(cli.installWaitMs / 1000).toFixed(0)} s ` +
            `stand for ${((cli.installWaitMs * cli.scale) / 60_000).toFixed(0)} min of downloads, ` +
            'an assumed figure. It separates how well the CLI overlaps the tasks from how much ' +
            'CPU their installs need.'
        ]
      : []),
    '',
    'The step latencies are those of section 1: ' +
      `${Math.round(cli.createLatencyMs)} ms added to each issue creation in the emulator and ` +
      `${Math.round(cli.worktreeDelayMs)} ms of sleep before each \`git worktree add\`.`,
    '',
    `- **At once:** one \`parallel-setup run --concurrency ${cli.tasks}\` in a new clone, so ` +
      'every task starts at the same moment.',
    '- **Alone:** `parallel-setup run --only <task>` once for each task, one after another in ' +
      'another new clone, so that the later tasks find the earlier ones set up, as the tasks ' +
      'of the run at once find each other. Where the table counts fewer tasks alone than the ' +
      'run at once has, only the first ones ran alone, to keep the bench within its time.',
    '- **With issues** passes `--repo octo-org/bench --api-url <emulator>` with a token in ' +
      '`GH_TOKEN`; **without issues** passes `--no-issues`.',
    '',
    'Wall time in seconds, from spawning the CLI to its exit: median (min–max, runs). CPU is ' +
      'the CPU time of the CLI process and of every git and npm process it ran. The machine ' +
      `bound is (CPU of the run at once + the bench process's CPU for the emulator) ÷ ${cpus} CPUs.`,
    '',
    `| variant | ${cli.tasks} tasks at once (s) | one task alone (s) | at once ÷ slowest alone | at once ÷ median alone | CPU at once (s) | CPU alone (s) | machine bound (s) | other processes (CPU-s) |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |'
  ]
  for (const variant of cli.variants) {
    lines.push(
      `| ${variantName(variant)} | ${formatSummary(variant.all)} | ${formatSingles(variant.single)} | ` +
        `${variant.ratioToSlowestSingle.toFixed(2)} (${variant.ratioToSlowestSingleRange.min.toFixed(2)}–${variant.ratioToSlowestSingleRange.max.toFixed(2)}) | ` +
        `${variant.ratioToMedianSingle.toFixed(2)} | ${variant.allCpuS ? formatSummary(variant.allCpuS) : ''} | ` +
        `${variant.singleCpuS ? variant.singleCpuS.median.toFixed(2) : ''} | ${formatOptional(variant.machineBoundS)} | ` +
        `${formatOptional(variant.otherCpuS, 1)} |`
    )
  }
  lines.push(
    '',
    'A ratio in brackets is the range over the runs at once, each against the same slowest ' +
      'task alone.',
    '',
    '### Where a CLI task spends its time',
    '',
    "Phase durations from the tasks' result records, in milliseconds.",
    '',
    `| variant | phase | at once: median | at once: slowest | alone: median |`,
    '| --- | --- | ---: | ---: | ---: |'
  )
  for (const variant of cli.variants) {
    for (const phase of variant.phases) {
      lines.push(
        `| ${variantName(variant)} | ${phase.phase} | ${phase.allMedianMs} | ${phase.allMaxMs} | ${phase.singleMedianMs} |`
      )
    }
  }
  lines.push('', ...describeCli(cli, cpus))
  const failures = cli.variants.reduce((sum, variant) => sum + variant.failures, 0)
  lines.push(
    failures === 0
      ? 'Every task of every run ended ready.'
      : `${failures} runs had a task that did not end ready; benchmarks.json has the end of their output.`,
    ''
  )
  return lines
}

/** Explains the ratios by the issue spacing, the repository lock and the CPU time. */
function describeCli(cli: CliBenchRecord, cpus: number): string[] {
  const lines: string[] = []
  const npm = cli.variants.filter((variant) => variant.install !== 'wait')
  const issues = npm.find((variant) => variant.variant === 'issues')
  const noIssues = npm.find((variant) => variant.variant === 'no-issues')
  const issuePhase = issues?.phases.find((phase) => phase.phase === 'issue')
  if (issues && issuePhase) {
    const spacing = ((cli.tasks - 1) * WRITE_SPACING_MS) / 1000
    lines.push(
      `**With issues, npm ci,** the run at once took ${issues.all.median.toFixed(2)} s, and the slowest ` +
        `issue phase ${(issuePhase.allMaxMs / 1000).toFixed(2)} s against ` +
        `${(issuePhase.singleMedianMs / 1000).toFixed(2)} s alone. The CLI sets every task up in ` +
        'one process with one GitHub client, which leaves one second between two writes, as ' +
        `GitHub's docs request. On GitHub, ${cli.tasks} new issues therefore take at least ` +
        `${spacing.toFixed(0)} s; here that wait is scaled like the other steps, to ` +
        `${((spacing * 1000) / cli.scale / 1000).toFixed(2)} s. When the branch template does not ` +
        "use `{issue}`, a task's worktree and install run while its issue waits, so the wait " +
        'overlaps with the installs.',
      ''
    )
  }
  if (noIssues) {
    const worktree = noIssues.phases.find((phase) => phase.phase === 'worktree')
    const push = noIssues.phases.find((phase) => phase.phase === 'push')
    const install = noIssues.phases.find((phase) => phase.phase === 'install')
    const parts = [
      `**Without issues, npm ci,** the run at once took ${noIssues.all.median.toFixed(2)} s, ` +
        `${noIssues.ratioToSlowestSingle.toFixed(2)} times the slowest task alone.`
    ]
    if (noIssues.machineBoundS !== null && noIssues.allCpuS) {
      parts.push(
        `Its ${cli.tasks} tasks used ${noIssues.allCpuS.median.toFixed(1)} CPU-seconds, so ` +
          `${cpus} CPUs need at least ${noIssues.machineBoundS.toFixed(2)} s for them, ` +
          `${(noIssues.machineBoundS / noIssues.single.max).toFixed(2)} times the slowest task ` +
          'alone: the machine alone keeps this run from the time of one task.'
      )
    }
    if (worktree && push) {
      parts.push(
        'The tasks run their git commands at the same time; a command that meets a lock file ' +
          'of the shared .git folder is retried after a short random wait. Alone the worktree ' +
          `phase and the push took ${worktree.singleMedianMs} and ${push.singleMedianMs} ms; ` +
          `at once their median was ${worktree.allMedianMs} and ${push.allMedianMs} ms.`
      )
    }
    if (install) {
      parts.push(
        `Each \`npm ci\` took ${install.singleMedianMs} ms alone and ${install.allMedianMs} ms ` +
          `(median) with ${cli.tasks} at once on ${cpus} CPUs.`
      )
    }
    if (noIssues.defaultConcurrency) {
      parts.push(
        `Without \`--concurrency\`, the CLI runs ${noIssues.defaultConcurrency.concurrency} tasks ` +
          `at a time (one per CPU) and took ${noIssues.defaultConcurrency.wallS.toFixed(2)} s.`
      )
    }
    lines.push(parts.join(' '), '')
  }
  lines.push(...describeWaitingInstall(cli))
  if (issues?.defaultConcurrency) {
    lines.push(
      `With issues and without \`--concurrency\` (${issues.defaultConcurrency.concurrency} at a ` +
        `time) the run took ${issues.defaultConcurrency.wallS.toFixed(2)} s.`,
      ''
    )
  }
  return lines
}

/** Explains the runs with the waiting install, where the CPU is not the limit. */
function describeWaitingInstall(cli: CliBenchRecord): string[] {
  const lines: string[] = []
  for (const variant of cli.variants.filter((candidate) => candidate.install === 'wait')) {
    const install = variant.phases.find((phase) => phase.phase === 'install')
    const parts = [
      `**${capitalize(variantName(variant))}:** the run at once took ` +
        `${variant.all.median.toFixed(2)} s, ${variant.ratioToSlowestSingle.toFixed(2)} times ` +
        `the slowest of ${variant.single.runs} tasks alone (${variant.single.max.toFixed(2)} s).`
    ]
    if (variant.machineBoundS !== null && variant.allCpuS) {
      parts.push(
        `Its ${cli.tasks} tasks used ${variant.allCpuS.median.toFixed(1)} CPU-seconds, so the ` +
          `machine bound is ${variant.machineBoundS.toFixed(2)} s.`
      )
    }
    if (install) {
      parts.push(
        `The install phase took ${install.singleMedianMs} ms alone and ${install.allMedianMs} ms ` +
          `(median) with ${cli.tasks} at once, against the ${cli.installWaitMs} ms it waits.`
      )
    }
    lines.push(parts.join(' '), '')
  }
  return lines
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

/** Rows for the goals table: one per variant. */
export function cliGoalRows(record: BenchRecord): Array<[string, string, string]> {
  const cli = record.cli
  if (!cli) return []
  return cli.variants.map((variant) => [
    `CLI, ${variantName(variant)}: ${cli.tasks} tasks at once in about the time of the slowest ` +
      `task alone (≤ ${CLI_GOAL_RATIO}×)`,
    `${variant.ratioToSlowestSingle.toFixed(2)}×`,
    variant.ratioToSlowestSingle <= CLI_GOAL_RATIO ? 'met' : 'not met (section 6)'
  ])
}

function variantName(variant: CliVariantRecord): string {
  const issues = variant.variant === 'issues' ? 'with issues' : 'without issues'
  // Records written before the waiting install existed have no install field: they ran npm ci.
  return `${issues}, ${variant.install === 'wait' ? 'waiting install' : 'npm ci'}`
}

function waitSetting(cli: CliBenchRecord): string {
  return cli.variants.find((variant) => variant.install === 'wait')?.installSetting ?? ''
}

function formatSingles(summary: Summary): string {
  return `${summary.median.toFixed(2)} (${summary.min.toFixed(2)}–${summary.max.toFixed(2)}, ${summary.runs} tasks)`
}

function formatSummary(summary: Summary): string {
  if (summary.runs === 1) return `${summary.median.toFixed(2)} (1 run)`
  return `${summary.median.toFixed(2)} (${summary.min.toFixed(2)}–${summary.max.toFixed(2)}, ${summary.runs} runs)`
}

function formatOptional(value: number | null, digits = 2): string {
  return value === null ? '' : value.toFixed(digits)
}
