import * as path from 'node:path'

import { type DetectedPackageManager, MAX_SEARCH_DEPTH, detectPackageManager } from './detect.js'
import { findExecutable, readToolVersion } from './executables.js'

/** The `install` setting: 'auto' detects the package manager, 'none' skips, anything else is a command. */
export type InstallSetting = 'auto' | 'none' | (string & {})

/** An install that can run: an argument vector and the folder to run it in. */
export interface ReadyInstallPlan {
  status: 'ready'
  /** The manager's name ('npm', 'pnpm', ...), or 'custom' for a command from the manifest. */
  packageManager: string
  /** The argument vector; the first element is the absolute path of the executable. */
  argv: string[]
  /** The command as a person would type it, for logs and summaries. */
  command: string
  directory: string
  lockfile?: string
  /** Variables added to the environment of the install. */
  env: Record<string, string>
  /** Reason the plan differs from the plain install command, when it does (for example corepack). */
  note?: string
}

export interface SkippedInstallPlan {
  status: 'skipped'
  reason: string
}

/** An install that cannot run; runInstall reports it as failed with `reason`. */
export interface FailedInstallPlan {
  status: 'failed'
  packageManager: string
  command: string
  reason: string
}

export type InstallPlan = ReadyInstallPlan | SkippedInstallPlan | FailedInstallPlan

export interface ResolveInstallOptions {
  /** Environment whose PATH is searched for the tools; the process environment when absent. */
  env?: Record<string, string | undefined>
  /**
   * Top folder (the task worktree) up to which package.json files are read for the
   * `packageManager` field; `dir` itself when absent.
   */
  root?: string
}

/**
 * Decides what `install` means for the project in `dir`: nothing for 'none', the command of the
 * detected package manager for 'auto', or the given command run by bash.
 */
export async function resolveInstallPlan(
  dir: string,
  setting: InstallSetting,
  options: ResolveInstallOptions = {}
): Promise<InstallPlan> {
  const directory = path.resolve(dir)
  const env = options.env ?? process.env
  const value = setting.trim()

  if (value === 'none') {
    return { status: 'skipped', reason: 'Dependency install is turned off (`install: none`).' }
  }
  if (value !== 'auto' && value !== '') {
    return planCustomCommand(directory, value, env)
  }

  const detection = await detectPackageManager(directory, { packageJsonRoot: options.root })
  if (detection === undefined) {
    return {
      status: 'skipped',
      reason:
        `No lockfile found in ${directory} or in its subfolders up to ${MAX_SEARCH_DEPTH} levels ` +
        `deep, so no dependencies were installed. Set \`install\` to a command if the project ` +
        `needs one.`
    }
  }
  if (detection.kind === 'ambiguous') {
    return { status: 'failed', packageManager: 'unknown', command: '', reason: detection.message }
  }
  return planDetected(detection, env)
}

/**
 * Plans the manifest author's command to run the way a workflow `run:` step runs it. Only the
 * command string is bash code, so callers pass task data in environment variables, which bash
 * does not evaluate.
 */
async function planCustomCommand(
  directory: string,
  command: string,
  env: Record<string, string | undefined>
): Promise<InstallPlan> {
  const bash = await findExecutable('bash', env)
  if (bash === undefined) {
    return {
      status: 'failed',
      packageManager: 'custom',
      command,
      reason:
        'bash was not found on PATH, and a custom install command runs in bash. Install bash on the runner.'
    }
  }
  return {
    status: 'ready',
    packageManager: 'custom',
    argv: [bash, '--noprofile', '--norc', '-eo', 'pipefail', '-c', command],
    command,
    directory,
    env: {}
  }
}

async function planDetected(
  detection: DetectedPackageManager,
  env: Record<string, string | undefined>
): Promise<InstallPlan> {
  const { manager, directory, lockfile } = detection
  const [tool, ...args] = detection.command as [string, ...string[]]
  const base = { packageManager: manager, directory, lockfile }

  if (manager === 'pnpm' || manager === 'yarn') {
    return planCorepackManager(detection, tool, args, env)
  }

  // Some runners have only `python3`, for example Debian and Ubuntu without python-is-python3.
  const candidates = manager === 'pip' ? ['python', 'python3'] : [tool]
  for (const name of candidates) {
    const executable = await findExecutable(name, env)
    if (executable !== undefined) {
      return {
        status: 'ready',
        ...base,
        argv: [executable, ...args],
        command: displayCommand([name, ...args]),
        env: {}
      }
    }
  }
  return {
    status: 'failed',
    packageManager: manager,
    command: displayCommand(detection.command),
    reason:
      `${lockfile} was found in ${directory}, but ${candidates.join(' or ')} is not installed on ` +
      `this runner. Add a step that sets up ${manager} before this action, or set \`install\` ` +
      `to 'none' or to a command.`
  }
}

/**
 * Plans a pnpm or yarn install. A tool on PATH is used when the project pins no version or the
 * same major version; otherwise corepack runs the pinned version. `corepack enable` is not used
 * because it writes links into Node's bin folder, which may not be writable.
 */
async function planCorepackManager(
  detection: DetectedPackageManager,
  tool: string,
  args: string[],
  env: Record<string, string | undefined>
): Promise<InstallPlan> {
  const { manager, directory, lockfile, pinnedVersion } = detection
  const base = { packageManager: manager, directory, lockfile }
  const runEnv = definedValues(env)

  const direct = await findExecutable(tool, env)
  let note: string | undefined
  if (direct !== undefined) {
    if (pinnedVersion === undefined) {
      return {
        status: 'ready',
        ...base,
        argv: [direct, ...args],
        command: displayCommand([tool, ...args]),
        env: {}
      }
    }
    const installed = await readToolVersion(direct, directory, runEnv)
    if (installed !== undefined && majorOf(installed) === majorOf(pinnedVersion)) {
      return {
        status: 'ready',
        ...base,
        argv: [direct, ...args],
        command: displayCommand([tool, ...args]),
        env: {}
      }
    }
    note =
      `${tool} ${installed ?? '(version unknown)'} on PATH does not match the pinned ` +
      `${tool}@${pinnedVersion}, so corepack runs the pinned version.`
  }

  const spec = pinnedVersion === undefined ? tool : `${tool}@${pinnedVersion}`
  const corepack = await findExecutable('corepack', env)
  if (corepack === undefined) {
    const missing = direct === undefined ? `${tool} is not installed` : note!
    return {
      status: 'failed',
      packageManager: manager,
      command: displayCommand([tool, ...args]),
      reason:
        `${missing}, and corepack, which would provide ${spec}, was not found either. Add a step ` +
        `that installs ${spec} before this action (for example pnpm/action-setup for pnpm), or ` +
        `use a Node.js that ships corepack (Node.js 14.19 to 24).`
    }
  }

  return {
    status: 'ready',
    ...base,
    argv: [corepack, spec, ...args],
    command: displayCommand(['corepack', spec, ...args]),
    env: {
      // A runner has no one to answer corepack's download question.
      COREPACK_ENABLE_DOWNLOAD_PROMPT: '0',
      // Some corepack versions add a packageManager field to a package.json without one, which
      // would leave the task worktree with a change the task did not make.
      COREPACK_ENABLE_AUTO_PIN: '0'
    },
    note: note ?? `${tool} is not on PATH, so corepack provides ${spec}.`
  }
}

/** Formats an argument vector for display, quoting arguments that a shell would split. */
export function displayCommand(argv: readonly string[]): string {
  return argv.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : JSON.stringify(arg))).join(' ')
}

function majorOf(version: string): number {
  return Number.parseInt(version, 10)
}

function definedValues(env: Record<string, string | undefined>): Record<string, string> {
  const result: Record<string, string> = {}
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined) result[key] = value
  }
  return result
}
