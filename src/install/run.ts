import { exec } from '@actions/exec'
import { performance } from 'node:perf_hooks'
import type { Writable } from 'node:stream'

import { quoteToolPath } from './executables.js'
import { type InstallLogger, silentInstallLogger } from './logger.js'
import type { InstallPlan } from './plan.js'

export interface InstallResult {
  status: 'success' | 'failed' | 'skipped'
  /** The manager's name, 'custom' for a command from the manifest, or '' when skipped. */
  packageManager: string
  /** The command as a person would type it, '' when nothing was to run. */
  command: string
  durationMs: number
  exitCode?: number
  /** For a failed install: what went wrong, with the first and last lines of the output. */
  error?: string
  /** For a skipped install: why it was skipped. */
  reason?: string
}

export interface RunInstallOptions {
  logger?: InstallLogger
  /** Variables added to the process environment of the install. */
  env?: Record<string, string | undefined>
  /** Log the command instead of running it. */
  dryRun?: boolean
  /** Stream that receives the command's output; the process's stdout when absent. */
  outputStream?: Writable
}

/** How many lines from the start and from the end of the output a failure message keeps. */
const ERROR_HEAD_LINES = 10
const ERROR_TAIL_LINES = 20

/**
 * Runs an install plan inside its own log group, streaming the output. It never throws: a
 * failure comes back as status 'failed' with the first and last lines of the output in `error`.
 */
export async function runInstall(
  plan: InstallPlan,
  options: RunInstallOptions = {}
): Promise<InstallResult> {
  const logger = options.logger ?? silentInstallLogger

  if (plan.status === 'skipped') {
    logger.info(plan.reason)
    return {
      status: 'skipped',
      packageManager: '',
      command: '',
      durationMs: 0,
      reason: plan.reason
    }
  }
  // A failure is returned, not logged: the caller reports it once, with the task it belongs to.
  if (plan.status === 'failed') {
    return {
      status: 'failed',
      packageManager: plan.packageManager,
      command: plan.command,
      durationMs: 0,
      error: plan.reason
    }
  }

  const summary = { packageManager: plan.packageManager, command: plan.command }
  if (options.dryRun) {
    const reason = `[dry run] would run \`${plan.command}\` in ${plan.directory}`
    logger.info(reason)
    return { status: 'skipped', ...summary, durationMs: 0, reason }
  }

  const stdoutExcerpt = new OutputExcerpt(ERROR_HEAD_LINES, ERROR_TAIL_LINES)
  const stderrExcerpt = new OutputExcerpt(ERROR_HEAD_LINES, ERROR_TAIL_LINES)
  const env = withoutUndefined({ ...process.env, ...options.env, ...plan.env })
  const [executable, ...args] = plan.argv as [string, ...string[]]

  logger.startGroup(`Installing dependencies in ${plan.directory} (${shorten(plan.command, 80)})`)
  if (plan.note) logger.info(plan.note)
  const started = performance.now()
  let exitCode: number
  try {
    exitCode = await exec(quoteToolPath(executable), args, {
      cwd: plan.directory,
      env,
      ignoreReturnCode: true,
      outStream: options.outputStream ?? process.stdout,
      errStream: options.outputStream ?? process.stderr,
      listeners: {
        stdout: (data) => stdoutExcerpt.push(data),
        stderr: (data) => stderrExcerpt.push(data)
      }
    })
  } catch (error) {
    const durationMs = Math.round(performance.now() - started)
    const message = error instanceof Error ? error.message : String(error)
    logger.endGroup()
    return {
      status: 'failed',
      ...summary,
      durationMs,
      error: `\`${plan.command}\` could not start: ${message}`
    }
  }
  const durationMs = Math.round(performance.now() - started)
  logger.endGroup()

  if (exitCode === 0) {
    logger.info(
      `Installed dependencies with \`${plan.command}\` in ${(durationMs / 1000).toFixed(1)} s.`
    )
    return { status: 'success', ...summary, durationMs, exitCode }
  }

  // pnpm prints its errors to stdout, so stdout is used when stderr is empty.
  const output = stderrExcerpt.text() || stdoutExcerpt.text()
  const error = `${describeFailure(plan.command, exitCode, output)}\n${output}`.trimEnd()
  return { status: 'failed', ...summary, durationMs, exitCode, error }
}

/** Builds the first line of a failure message, with a hint for failures that have a known cause. */
function describeFailure(command: string, exitCode: number, output: string): string {
  const first = `\`${command}\` failed with exit code ${exitCode}.`
  if (
    /No compatible signature found|Cannot find matching keyid|not signed by any trusted keys/.test(
      output
    )
  ) {
    return (
      `${first} corepack could not verify the signature of the package manager it downloads: ` +
      `the registry's metadata lacks npm's signature (some registry proxies drop it) or this ` +
      `corepack is too old for npm's current keys. Install the package manager in an earlier ` +
      `step (for example pnpm/action-setup) or update corepack (\`npm install -g corepack@latest\`).`
    )
  }
  return first
}

/**
 * Keeps the first and the last lines of a byte stream. Tools such as npm print the cause first
 * and then pages of usage text, so the last lines alone can miss it.
 */
class OutputExcerpt {
  private head: string[] = []
  private tail: string[] = []
  private skipped = 0
  private partial = ''

  constructor(
    private readonly headLines: number,
    private readonly tailLines: number
  ) {}

  push(data: Buffer): void {
    const parts = (this.partial + data.toString('utf8')).split(/\r?\n/)
    this.partial = parts.pop() ?? ''
    for (const line of parts) this.addLine(line)
  }

  text(): string {
    const tail = this.partial.trim() === '' ? this.tail : [...this.tail, this.partial]
    const tailKept = tail.slice(-this.tailLines)
    const skipped = this.skipped + tail.length - tailKept.length
    const lines =
      skipped > 0
        ? [...this.head, `[... ${skipped} lines ...]`, ...tailKept]
        : [...this.head, ...tailKept]
    return lines.join('\n')
  }

  private addLine(line: string): void {
    if (line.trim() === '') return
    if (this.head.length < this.headLines) {
      this.head.push(line)
      return
    }
    this.tail.push(line)
    if (this.tail.length > this.tailLines) {
      this.tail.shift()
      this.skipped++
    }
  }
}

function shorten(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim()
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 3)}...`
}

function withoutUndefined(env: Record<string, string | undefined>): Record<string, string> {
  const result: Record<string, string> = {}
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined) result[key] = value
  }
  return result
}
