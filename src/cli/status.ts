import fs from 'node:fs'
import path from 'node:path'
import type { CommitSummary, WorktreeEntry } from '../git/index.js'
import type { Task } from '../manifest/index.js'
import type { PortRange } from '../setup/ports.js'
import { renderTable, type CliIo } from './io.js'
import {
  listResultTasks,
  loadRepositoryManifest,
  openRepository,
  readTaskRecord,
  readTaskResult,
  shownPath,
  type LocalRepository
} from './repository.js'

export interface StatusOptions {
  manifest?: string
  worktreeRoot: string
  json: boolean
}

/** One task's local state, as `parallel-setup status` reports it. */
export interface TaskStatus {
  task: string
  /** Absolute path of the task's worktree folder, whether or not it exists. */
  worktree: string
  /** True when the folder is a working git worktree. */
  exists: boolean
  /** The branch checked out there, or the branch the last run used when the worktree is gone. */
  branch: string | null
  lastCommit: CommitSummary | null
  /** Staged, unstaged or untracked changes; null without a worktree. */
  dirty: boolean | null
  issue: { number: number; url: string | null } | null
  /** The port range from the task's local record, written by `run`. */
  ports: PortRange | null
  /** The outcome of the last `run` for the task, from its result file. */
  lastRun: { status: 'ready' | 'failed'; finishedAt: string; error: string | null } | null
  /** False for a task that has a result file but is no longer in the manifest. */
  inManifest: boolean
}

/**
 * Runs `parallel-setup status`: for each task of the manifest, and each task that still has
 * a result file, its worktree, branch, last commit, uncommitted changes, issue and ports.
 */
export async function statusCommand(options: StatusOptions, io: CliIo): Promise<number> {
  const repository = await openRepository({
    cwd: io.cwd,
    env: io.env,
    worktreeRoot: options.worktreeRoot
  })
  const manifest = loadRepositoryManifest(repository, options.manifest, io.cwd)
  const statuses = await readTaskStatuses(repository, manifest.tasks)

  if (options.json) {
    io.stdout.write(`${JSON.stringify({ manifest: manifest.path, tasks: statuses }, null, 2)}\n`)
    return 0
  }
  const rows = statuses.map((status) => [
    status.inManifest ? status.task : `${status.task} (not in manifest)`,
    status.branch ?? '-',
    status.exists ? shownPath(repository, status.worktree) : 'none',
    status.lastCommit
      ? `${status.lastCommit.sha.slice(0, 7)} ${shorten(status.lastCommit.subject, 40)}`
      : '-',
    describeChanges(status.dirty),
    status.issue ? `#${status.issue.number}` : '-',
    status.ports ? `${status.ports.start}-${status.ports.end}` : '-',
    status.lastRun ? status.lastRun.status : 'never run'
  ])
  const lines = renderTable(
    ['Task', 'Branch', 'Worktree', 'Last commit', 'Changes', 'Issue', 'Ports', 'Last run'],
    rows
  )
  const withIssues = statuses.filter((status) => status.issue?.url)
  if (withIssues.length > 0) {
    lines.push('', ...withIssues.map((status) => `${status.task}: ${status.issue!.url}`))
  }
  io.stdout.write(`${lines.join('\n')}\n`)
  return 0
}

/** Reads every task's state from git, its result file and its local record. */
export async function readTaskStatuses(
  repository: LocalRepository,
  tasks: readonly Task[]
): Promise<TaskStatus[]> {
  const known = new Set(tasks.map((task) => task.id))
  const ids = [
    ...tasks.map((task) => task.id),
    ...listResultTasks(repository).filter((id) => !known.has(id))
  ]
  const worktrees = await repository.git.listWorktrees()
  const statuses: TaskStatus[] = []
  for (const id of ids) {
    const result = readTaskResult(repository, id)
    const record = readTaskRecord(repository, id)
    const worktree = result?.worktree ?? path.join(repository.worktreeRoot, id)
    const entry = findWorktreeEntry(worktrees, worktree)
    const exists = entry !== undefined && (await repository.git.isWorktreeRoot(worktree))
    statuses.push({
      task: id,
      worktree,
      exists,
      branch: entry?.branch ?? result?.branch ?? null,
      lastCommit: exists ? ((await repository.git.lastCommit(worktree)) ?? null) : null,
      dirty: exists ? await repository.git.hasUncommittedChanges(worktree) : null,
      issue:
        result && result.issueNumber !== null
          ? { number: result.issueNumber, url: result.issueUrl }
          : null,
      ports: record?.ports ?? null,
      lastRun: result
        ? { status: result.status, finishedAt: result.finishedAt, error: result.error ?? null }
        : null,
      inManifest: known.has(id)
    })
  }
  return statuses
}

/** Finds the registered worktree at `folder`, comparing real paths as git records them. */
export function findWorktreeEntry(
  entries: readonly WorktreeEntry[],
  folder: string
): WorktreeEntry | undefined {
  const target = realPath(folder)
  return entries.find((entry) => realPath(entry.path) === target)
}

function realPath(folder: string): string {
  try {
    return fs.realpathSync(folder)
  } catch {
    return path.resolve(folder)
  }
}

function describeChanges(dirty: boolean | null): string {
  if (dirty === null) return '-'
  return dirty ? 'uncommitted' : 'clean'
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`
}
