import { parseArgs, type ParseArgsConfig } from 'node:util'
import { suggestClosest } from '../manifest/suggest.js'
import { DEFAULT_PORT_BASE, DEFAULT_PORTS_PER_TASK } from '../setup/ports.js'
import { cleanCommand } from './clean.js'
import { errorMessage, type CliIo } from './io.js'
import { planCommand } from './plan.js'
import { DEFAULT_WORKTREE_ROOT } from './repository.js'
import { runCommand } from './run.js'
import { statusCommand } from './status.js'
import {
  CLEAN_USAGE,
  PLAN_USAGE,
  RUN_USAGE,
  STATUS_USAGE,
  USAGE,
  defaultConcurrency
} from './usage.js'

/** Exit code for a wrong command line, as most command-line tools use it. */
const USAGE_ERROR = 2

/** An invalid command line: printed with a pointer to the command's help. */
class UsageError extends Error {}

/**
 * Runs the CLI with its arguments and returns the exit code: 0 on success, 1 when the
 * command failed, 2 for a wrong command line.
 */
export async function main(argv: string[], overrides: Partial<CliIo> = {}): Promise<number> {
  const io: CliIo = {
    cwd: overrides.cwd ?? process.cwd(),
    env: overrides.env ?? process.env,
    stdout: overrides.stdout ?? process.stdout,
    stderr: overrides.stderr ?? process.stderr
  }
  const [command, ...rest] = argv
  try {
    switch (command) {
      case undefined:
        io.stderr.write(`${USAGE}\n`)
        return USAGE_ERROR
      case '--help':
      case '-h':
      case 'help':
        io.stdout.write(`${USAGE}\n`)
        return 0
      case 'plan':
        return runPlan(rest, io)
      case 'run':
        return await runRun(rest, io)
      case 'status':
        return await runStatus(rest, io)
      case 'clean':
        return await runClean(rest, io)
      default:
        io.stderr.write(`Unknown command '${command}'.\n\n${USAGE}\n`)
        return USAGE_ERROR
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(
        `parallel-setup ${command}: ${error.message} Run "parallel-setup ${command} --help" for the options.\n`
      )
      return USAGE_ERROR
    }
    io.stderr.write(`parallel-setup ${command}: ${errorMessage(error)}\n`)
    return 1
  }
}

type Options = NonNullable<ParseArgsConfig['options']>

const COMMON_OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' }
} satisfies Options

/** Parses a command's arguments; at most one positional argument, the manifest. */
function parseCommand<T extends Options>(args: string[], options: T) {
  let parsed
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true })
  } catch (error) {
    const unknown = /^Unknown option '(-{1,2}[^']+)'/.exec(errorMessage(error))
    if (unknown) {
      // node:util's own text suggests a positional argument after '--', which misleads after a typo.
      const known = Object.keys(options).map((name) => `--${name}`)
      const closest = suggestClosest(unknown[1]!, known)
      throw new UsageError(
        `Unknown option '${unknown[1]}'.` + (closest ? ` Did you mean '${closest}'?` : '')
      )
    }
    // node:util reports missing values in its own words, which name the option.
    const message = errorMessage(error)
    throw new UsageError(/[.!?]$/.test(message) ? message : `${message}.`)
  }
  if (parsed.positionals.length > 1) {
    throw new UsageError(
      `Expected at most one manifest path, got ${parsed.positionals.length}: ${parsed.positionals.join(' ')}.`
    )
  }
  return { values: parsed.values, manifest: parsed.positionals[0] }
}

function runPlan(args: string[], io: CliIo): number {
  const { values, manifest } = parseCommand(args, {
    ...COMMON_OPTIONS,
    only: { type: 'string' },
    'max-jobs': { type: 'string' }
  })
  if (values.help) {
    io.stdout.write(`${PLAN_USAGE}\n`)
    return 0
  }
  const output = planCommand({
    manifest,
    only: values.only,
    maxJobs: values['max-jobs'],
    json: values.json,
    cwd: io.cwd
  })
  io.stdout.write(`${output}\n`)
  return 0
}

async function runRun(args: string[], io: CliIo): Promise<number> {
  const { values, manifest } = parseCommand(args, {
    ...COMMON_OPTIONS,
    only: { type: 'string' },
    concurrency: { type: 'string' },
    'no-issues': { type: 'boolean' },
    'no-push': { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    'allow-dirty': { type: 'boolean' },
    base: { type: 'string' },
    install: { type: 'string' },
    'port-base': { type: 'string' },
    'ports-per-task': { type: 'string' },
    'worktree-root': { type: 'string' },
    'api-url': { type: 'string' },
    repo: { type: 'string' },
    'tracking-label': { type: 'string' }
  })
  if (values.help) {
    io.stdout.write(`${RUN_USAGE}\n`)
    return 0
  }
  return runCommand(
    {
      manifest,
      only: values.only,
      concurrency: readWholeNumber(
        '--concurrency',
        values.concurrency,
        defaultConcurrency(),
        1,
        256
      ),
      issues: !values['no-issues'],
      push: !values['no-push'],
      dryRun: values['dry-run'] ?? false,
      json: values.json ?? false,
      allowDirty: values['allow-dirty'] ?? false,
      base: readNonEmpty('--base', values.base),
      install: readNonEmpty('--install', values.install),
      worktreeRoot: values['worktree-root'] ?? DEFAULT_WORKTREE_ROOT,
      apiUrl: values['api-url'],
      repo: values.repo,
      trackingLabel: readNonEmpty('--tracking-label', values['tracking-label']) ?? 'parallel-setup',
      portBase: readWholeNumber('--port-base', values['port-base'], DEFAULT_PORT_BASE, 1, 65535),
      portsPerTask: readWholeNumber(
        '--ports-per-task',
        values['ports-per-task'],
        DEFAULT_PORTS_PER_TASK,
        1,
        65535
      )
    },
    io
  )
}

async function runStatus(args: string[], io: CliIo): Promise<number> {
  const { values, manifest } = parseCommand(args, {
    ...COMMON_OPTIONS,
    'worktree-root': { type: 'string' }
  })
  if (values.help) {
    io.stdout.write(`${STATUS_USAGE}\n`)
    return 0
  }
  return statusCommand(
    {
      manifest,
      worktreeRoot: values['worktree-root'] ?? DEFAULT_WORKTREE_ROOT,
      json: values.json ?? false
    },
    io
  )
}

async function runClean(args: string[], io: CliIo): Promise<number> {
  const { values, manifest } = parseCommand(args, {
    ...COMMON_OPTIONS,
    only: { type: 'string' },
    merged: { type: 'boolean' },
    force: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    base: { type: 'string' },
    'worktree-root': { type: 'string' }
  })
  if (values.help) {
    io.stdout.write(`${CLEAN_USAGE}\n`)
    return 0
  }
  return cleanCommand(
    {
      manifest,
      only: values.only,
      worktreeRoot: values['worktree-root'] ?? DEFAULT_WORKTREE_ROOT,
      base: readNonEmpty('--base', values.base),
      merged: values.merged ?? false,
      force: values.force ?? false,
      dryRun: values['dry-run'] ?? false,
      json: values.json ?? false
    },
    io
  )
}

function readWholeNumber(
  flag: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number
): number {
  if (value === undefined) return fallback
  const number = Number(value)
  if (value.trim() === '' || !Number.isInteger(number) || number < min || number > max) {
    throw new UsageError(
      `Invalid ${flag} '${value}': expected a whole number from ${min} to ${max}.`
    )
  }
  return number
}

function readNonEmpty(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  if (value.trim() === '') throw new UsageError(`Invalid ${flag}: it is empty.`)
  return value.trim()
}
