import { parseArgs } from 'node:util'
import { ManifestError } from '../manifest/index.js'
import { planCommand } from './plan.js'

const USAGE = `Usage: parallel-setup <command> [options]

Commands:
  plan [manifest]   Print the tasks, their waves and the job matrix the plan action outputs.

Run "parallel-setup <command> --help" for a command's options.`

const PLAN_USAGE = `Usage: parallel-setup plan [manifest] [options]

Reads a task manifest (default: .github/parallel-setup.yml) and prints the plan.

Options:
  --only <ids>       Task ids or globs to plan, separated by commas.
  --max-jobs <n>     The most matrix legs, from 1 to 256 (default 256).
  --json             Print machine-readable JSON.
  -h, --help         Show this help.`

/** Runs the CLI with its arguments and returns the exit code. */
export function main(argv: string[], cwd = process.cwd()): number {
  const [command, ...rest] = argv
  try {
    if (command === undefined || command === '--help' || command === '-h') {
      process.stdout.write(`${USAGE}\n`)
      return command === undefined ? 2 : 0
    }
    if (command === 'plan') {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          only: { type: 'string' },
          'max-jobs': { type: 'string' },
          json: { type: 'boolean' },
          help: { type: 'boolean', short: 'h' }
        }
      })
      if (values.help) {
        process.stdout.write(`${PLAN_USAGE}\n`)
        return 0
      }
      const output = planCommand({
        manifest: positionals[0],
        only: values.only,
        maxJobs: values['max-jobs'],
        json: values.json,
        cwd
      })
      process.stdout.write(`${output}\n`)
      return 0
    }
    process.stderr.write(`Unknown command '${command}'.\n\n${USAGE}\n`)
    return 2
  } catch (error) {
    const message =
      error instanceof ManifestError || error instanceof Error ? error.message : String(error)
    process.stderr.write(`parallel-setup: ${message}\n`)
    return 1
  }
}
