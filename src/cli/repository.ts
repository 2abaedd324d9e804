import fs from 'node:fs'
import path from 'node:path'
import { GitCommandManager, type GitLogger } from '../git/index.js'
import {
  DEFAULT_MANIFEST_PATH,
  findEscapingPath,
  loadManifest,
  type Manifest
} from '../manifest/index.js'
import { findResultProblem, type TaskResult } from '../results/record.js'
import type { PortRange } from '../setup/ports.js'

export const DEFAULT_WORKTREE_ROOT = '.worktrees'

/**
 * The main checkout and the folders the CLI keeps under the worktree root. Task ids cannot
 * start with '.', so the dot folders never clash with a task's worktree.
 */
export interface LocalRepository {
  /** Manager for the main checkout. */
  git: GitCommandManager
  /** Absolute folder of the main checkout, also when the CLI runs in a task worktree. */
  root: string
  /** Absolute folder that contains one worktree per task. */
  worktreeRoot: string
  /** One TaskResult file per task: `<task>.json`, readable by collect's results-dir. */
  resultsDir: string
  /** One LocalTaskRecord file per task, for status and clean. */
  stateDir: string
  /** One log per task with git's messages and the install's output. */
  logsDir: string
}

export interface OpenRepositoryOptions {
  cwd: string
  env: NodeJS.ProcessEnv
  /** The --worktree-root setting, relative to the main checkout. */
  worktreeRoot: string
  logger?: GitLogger
  dryRun?: boolean
}

/**
 * Finds the main checkout that `cwd` belongs to. Run inside a task worktree, it returns the
 * main checkout, because the task worktrees and their records live there.
 */
export async function openRepository(options: OpenRepositoryOptions): Promise<LocalRepository> {
  const escape = findEscapingPath(options.worktreeRoot)
  if (escape) {
    throw new Error(
      `Invalid --worktree-root '${options.worktreeRoot}': it ${escape}. Use a folder inside the repository, such as ${DEFAULT_WORKTREE_ROOT}.`
    )
  }
  const managerOptions = { env: options.env, logger: options.logger, dryRun: options.dryRun }
  const probe = await GitCommandManager.create(options.cwd, managerOptions)
  if (!(await probe.isInsideWorkTree())) {
    throw new Error(
      `${path.resolve(options.cwd)} is not inside a git repository. Run parallel-setup in a clone ` +
        'of the repository whose manifest lists the tasks.'
    )
  }
  const commonDir = await probe.commonGitDir()
  if (path.basename(commonDir) !== '.git') {
    throw new Error(
      `The git folder of this repository is ${commonDir}, not a .git folder inside a checkout, so ` +
        'parallel-setup cannot tell where the main checkout is. Run it in an ordinary clone.'
    )
  }
  const root = path.dirname(commonDir)
  const git =
    path.resolve(options.cwd) === root
      ? probe
      : await GitCommandManager.create(root, managerOptions)
  const worktreeRoot = path.resolve(root, options.worktreeRoot)
  return {
    git,
    root,
    worktreeRoot,
    resultsDir: path.join(worktreeRoot, '.results'),
    stateDir: path.join(worktreeRoot, '.state'),
    logsDir: path.join(worktreeRoot, '.logs')
  }
}

/**
 * Loads the manifest for a command. A path on the command line is relative to the current
 * folder, as in any shell command; the default is relative to the main checkout. The path
 * recorded in issue markers is relative to the main checkout, as the actions record it, so
 * the CLI finds the issues that the actions opened and the other way round.
 */
export function loadRepositoryManifest(
  repository: LocalRepository,
  manifestArgument: string | undefined,
  cwd: string
): Manifest {
  const absolute =
    manifestArgument === undefined
      ? path.join(repository.root, DEFAULT_MANIFEST_PATH)
      : path.resolve(cwd, manifestArgument)
  const relative = path.relative(repository.root, absolute).split(path.sep).join('/')
  if (relative.startsWith('../') || path.isAbsolute(relative)) {
    throw new Error(
      `The manifest ${absolute} is outside the repository ${repository.root}. Keep it in the ` +
        'repository, for example at .github/parallel-setup.yml.'
    )
  }
  if (!fs.existsSync(absolute)) throw missingManifestError(relative, 'run')
  return loadManifest(relative, repository.root)
}

/** Local record of a task between commands, besides its TaskResult. */
export interface LocalTaskRecord {
  task: string
  branch: string
  worktree: string
  /**
   * The commit the branch pointed to when the CLI first set the task up. A branch still
   * there has no commits of its own, which `clean --merged` distinguishes from a merged one.
   */
  startCommit: string
  ports: PortRange
}

export function readTaskRecord(
  repository: LocalRepository,
  task: string
): LocalTaskRecord | undefined {
  const value = readJson(path.join(repository.stateDir, `${task}.json`))
  if (value === null || typeof value !== 'object') return undefined
  const record = value as Partial<LocalTaskRecord>
  if (record.task !== task || typeof record.branch !== 'string') return undefined
  return record as LocalTaskRecord
}

export function writeTaskRecord(repository: LocalRepository, record: LocalTaskRecord): void {
  fs.mkdirSync(repository.stateDir, { recursive: true })
  fs.writeFileSync(
    path.join(repository.stateDir, `${record.task}.json`),
    `${JSON.stringify(record, null, 2)}\n`
  )
}

/** Reads the task's last result file; undefined when there is none or it cannot be read. */
export function readTaskResult(repository: LocalRepository, task: string): TaskResult | undefined {
  const value = readJson(path.join(repository.resultsDir, `${task}.json`))
  if (value === undefined || findResultProblem(value) !== undefined) return undefined
  return value as TaskResult
}

/** Lists the task ids that have a result file, sorted. */
export function listResultTasks(repository: LocalRepository): string[] {
  let names: string[]
  try {
    names = fs.readdirSync(repository.resultsDir)
  } catch {
    return []
  }
  return names
    .filter((name) => name.endsWith('.json'))
    .map((name) => name.slice(0, -'.json'.length))
    .sort()
}

/** Deletes the task's result, record and log files; missing ones are fine. */
export function removeTaskFiles(repository: LocalRepository, task: string): void {
  for (const file of [
    path.join(repository.resultsDir, `${task}.json`),
    path.join(repository.stateDir, `${task}.json`),
    path.join(repository.logsDir, `${task}.log`)
  ]) {
    fs.rmSync(file, { force: true })
  }
}

/** Returns `file` relative to the main checkout, for messages. */
export function shownPath(repository: LocalRepository, file: string): string {
  const relative = path.relative(repository.root, file)
  return relative === '' || relative.startsWith('..') ? file : relative
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'))
  } catch {
    return undefined
  }
}

/** Builds the error for a manifest path with no file, with the command that takes the path. */
export function missingManifestError(relative: string, command: 'run' | 'plan'): Error {
  return new Error(
    `No manifest at ${relative}. Create one that lists the tasks (see "The manifest" in the ` +
      `README), or pass its path, as in: parallel-setup ${command} path/to/manifest.yml`
  )
}
