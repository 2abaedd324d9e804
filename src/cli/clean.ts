import path from 'node:path'
import { DEFAULT_BRANCH_TEMPLATE, expandBranch, type Task } from '../manifest/index.js'
import { parseOnly, selectTasks } from '../plan/index.js'
import { errorMessage, type CliIo } from './io.js'
import {
  listResultTasks,
  loadRepositoryManifest,
  openRepository,
  readTaskRecord,
  readTaskResult,
  removeTaskFiles,
  shownPath,
  type LocalRepository
} from './repository.js'
import { findWorktreeEntry } from './status.js'

export interface CleanOptions {
  manifest?: string
  only?: string
  worktreeRoot: string
  base?: string
  /** Remove only branches whose own commits are in the base, not untouched ones. */
  merged: boolean
  /** Remove worktrees with uncommitted changes too, discarding the changes. */
  force: boolean
  dryRun: boolean
  json: boolean
}

/** What `clean` found out about one task before it decides. */
export interface CleanFacts {
  /** The task's branch name, undefined when the task has none locally. */
  branch?: string
  worktreeExists: boolean
  /** The worktree has a branch checked out other than the task's. */
  otherBranchCheckedOut?: string
  dirty: boolean
  /**
   * Every commit of the branch (of the worktree's HEAD when there is no branch) is in the
   * base, on origin or locally.
   */
  inBase: boolean
  /** The branch still points to the commit it had when `run` set it up. */
  untouched: boolean
  base: string
  /** The worktree folder, relative to the main checkout, for messages. */
  worktree: string
}

export interface CleanDecision {
  remove: boolean
  /** Why, in a sentence that follows "Removed a:" or "Kept a:". */
  reason: string
}

/**
 * Decides whether `clean` removes a task. A branch with commits that the base lacks is
 * always kept, because deleting it could lose work that exists nowhere else. A squash or
 * rebase merge leaves the base without the branch's commits, so such a branch counts as
 * not merged. Uncommitted changes keep the worktree unless `force`.
 */
export function decideClean(
  facts: CleanFacts,
  options: { merged: boolean; force: boolean }
): CleanDecision {
  const { branch, base, worktree } = facts
  if (facts.otherBranchCheckedOut !== undefined) {
    return {
      remove: false,
      reason: `its worktree ${worktree} has branch '${facts.otherBranchCheckedOut}' checked out, not the task's. Remove it by hand if it is no longer needed.`
    }
  }
  if (!facts.inBase) {
    if (branch === undefined) {
      return {
        remove: false,
        reason: `its worktree ${worktree} has a detached HEAD with commits that '${base}' does not have. Create a branch for them, or remove the worktree by hand: git worktree remove ${worktree}`
      }
    }
    const removeWorktree = facts.worktreeExists ? `git worktree remove ${worktree} && ` : ''
    return {
      remove: false,
      reason:
        `branch '${branch}' has commits that '${base}' does not have (a squash or rebase merge counts as not merged). ` +
        `Merge them, or delete the task by hand: ${removeWorktree}git branch -D ${branch}`
    }
  }
  if (branch !== undefined && facts.untouched && options.merged) {
    return {
      remove: false,
      reason: `branch '${branch}' has no commits of its own yet, and --merged removes only merged branches.`
    }
  }
  if (facts.worktreeExists && facts.dirty && !options.force) {
    return {
      remove: false,
      reason: `its worktree ${worktree} has uncommitted changes. Commit or stash them, or pass --force to discard them.`
    }
  }
  const cause =
    branch === undefined
      ? 'its branch no longer exists'
      : facts.untouched
        ? `branch '${branch}' has no commits of its own`
        : `branch '${branch}' is merged into '${base}'`
  return {
    remove: true,
    reason: facts.worktreeExists && facts.dirty ? `${cause}; uncommitted changes discarded` : cause
  }
}

/** The outcome of `clean` for one task. */
export interface CleanOutcome {
  task: string
  branch: string | null
  worktree: string | null
  removed: boolean
  reason: string
  /** Set when removing failed. */
  error?: string
}

/**
 * Runs `parallel-setup clean`: removes the worktrees and local branches of finished tasks
 * (see decideClean), and their result, record and log files. Remote branches and issues
 * stay. Returns 1 when a removal failed, 0 otherwise, also when tasks were kept.
 */
export async function cleanCommand(options: CleanOptions, io: CliIo): Promise<number> {
  const repository = await openRepository({
    cwd: io.cwd,
    env: io.env,
    worktreeRoot: options.worktreeRoot
  })
  const { git } = repository
  const manifest = loadRepositoryManifest(repository, options.manifest, io.cwd)
  const known = new Set(manifest.tasks.map((task) => task.id))
  const candidates = [
    ...manifest.tasks,
    ...listResultTasks(repository)
      .filter((id) => !known.has(id))
      .map(taskWithoutManifestEntry)
  ]
  const tasks = selectTasks(candidates, parseOnly(options.only ?? ''))

  if (!options.dryRun) await git.tryPruneWorktrees()
  const worktrees = await git.listWorktrees()
  const bases = new BaseBranches(repository, options.base, (message) =>
    io.stderr.write(`warning: ${message}\n`)
  )

  const outcomes: CleanOutcome[] = []
  for (const task of tasks) {
    const result = readTaskResult(repository, task.id)
    const record = readTaskRecord(repository, task.id)
    const worktree = result?.worktree ?? path.join(repository.worktreeRoot, task.id)
    const entry = findWorktreeEntry(worktrees, worktree)
    const worktreeExists = entry !== undefined && (await git.isWorktreeRoot(worktree))
    const expected =
      record?.branch ?? result?.branch ?? defaultBranchName(task) ?? entry?.branch ?? undefined
    const branch =
      expected !== undefined && (await git.branchExists(expected)) ? expected : undefined
    if (!worktreeExists && branch === undefined) continue

    const tip =
      branch !== undefined
        ? await git.resolveCommit(`refs/heads/${branch}`)
        : worktreeExists
          ? entry?.head
          : undefined
    const base = await bases.baseFor(task)
    const facts = {
      branch,
      worktreeExists,
      otherBranchCheckedOut:
        worktreeExists && entry?.branch !== undefined && entry.branch !== expected
          ? entry.branch
          : undefined,
      dirty: worktreeExists && (await git.hasUncommittedChanges(worktree)),
      inBase: tip === undefined ? true : await bases.contains(base, tip),
      untouched: branch !== undefined && record?.branch === branch && record?.startCommit === tip,
      base,
      worktree: shownPath(repository, worktree)
    }
    const decision = decideClean(facts, options)
    const outcome: CleanOutcome = {
      task: task.id,
      branch: branch ?? null,
      worktree: worktreeExists ? worktree : null,
      removed: false,
      reason: decision.reason
    }
    if (decision.remove && !options.dryRun) {
      try {
        if (worktreeExists) await git.removeWorktree(worktree, { force: facts.dirty })
        // `git branch -d` compares with the upstream branch, not the base, so it would reject a
        // branch merged into the base but ahead of origin. inBase has checked the base already.
        if (branch !== undefined) await git.deleteLocalBranch(branch, { force: true })
        removeTaskFiles(repository, task.id)
        outcome.removed = true
      } catch (error) {
        outcome.error = errorMessage(error)
      }
    } else {
      outcome.removed = decision.remove
    }
    outcomes.push(outcome)
  }

  if (options.json) {
    io.stdout.write(`${JSON.stringify({ dryRun: options.dryRun, tasks: outcomes }, null, 2)}\n`)
  } else {
    io.stdout.write(renderCleanReport(repository, outcomes, options.dryRun))
  }
  return outcomes.some((outcome) => outcome.error !== undefined) ? 1 : 0
}

function renderCleanReport(
  repository: LocalRepository,
  outcomes: CleanOutcome[],
  dryRun: boolean
): string {
  if (outcomes.length === 0) return 'No task worktrees or branches to remove.\n'
  const lines = outcomes.map((outcome) => {
    const parts = [
      outcome.worktree ? `worktree ${shownPath(repository, outcome.worktree)}` : undefined,
      outcome.branch ? `branch ${outcome.branch}` : undefined
    ].filter(Boolean)
    if (outcome.error !== undefined) {
      return `Could not remove ${outcome.task} (${parts.join(', ')}): ${outcome.error}`
    }
    if (!outcome.removed) return `Kept ${outcome.task}: ${outcome.reason}`
    return `${dryRun ? 'Would remove' : 'Removed'} ${outcome.task} (${parts.join(', ')}): ${outcome.reason}.`
  })
  const removed = outcomes.filter((outcome) => outcome.removed).length
  lines.push(
    '',
    `${dryRun ? 'Would remove' : 'Removed'} ${removed} of ${outcomes.length} ${outcomes.length === 1 ? 'task' : 'tasks'}. Remote branches and issues are left as they are.`
  )
  return lines.join('\n') + '\n'
}

/** Finds each task's base branch once, fetches it from origin once, and checks ancestry. */
class BaseBranches {
  private defaultBranch: Promise<string> | undefined
  private readonly fetched = new Map<string, Promise<string[]>>()

  constructor(
    private readonly repository: LocalRepository,
    private readonly override: string | undefined,
    private readonly warn: (message: string) => void
  ) {}

  async baseFor(task: Task): Promise<string> {
    const named = this.override ?? task.base
    if (named !== undefined) return named
    this.defaultBranch ??= this.repository.git.remoteDefaultBranch('origin').catch((error) => {
      throw new Error(
        `Could not read the default branch of origin, which decides what counts as merged: ${errorMessage(
          error
        )} Pass --base with the branch the tasks merge into.`,
        { cause: error }
      )
    })
    return this.defaultBranch
  }

  /** Tells whether `commit` is in `base` on origin (after a fetch) or in the local `base`. */
  async contains(base: string, commit: string): Promise<boolean> {
    let refs = this.fetched.get(base)
    if (refs === undefined) {
      refs = this.fetchBase(base)
      this.fetched.set(base, refs)
    }
    for (const ref of await refs) {
      if (await this.repository.git.isAncestor(commit, ref)) return true
    }
    return false
  }

  /** Returns the refs of `base` that exist after fetching it, origin's first. */
  private async fetchBase(base: string): Promise<string[]> {
    const { git } = this.repository
    const remoteRef = `refs/remotes/origin/${base}`
    try {
      await git.fetch('origin', [`+refs/heads/${base}:${remoteRef}`])
    } catch (error) {
      this.warn(
        `Fetching '${base}' from origin failed, so merges made there since the last fetch are not ` +
          `seen: ${errorMessage(error)}`
      )
    }
    const refs: string[] = []
    for (const ref of [remoteRef, `refs/heads/${base}`]) {
      if ((await git.resolveCommit(ref)) !== undefined) refs.push(ref)
    }
    return refs
  }
}

/** Returns the task's branch name, or undefined when its template needs the issue number. */
function defaultBranchName(task: Task): string | undefined {
  if (task.branch.includes('{issue}')) return undefined
  return expandBranch(task.branch, { id: task.id, title: task.title })
}

/** Builds a task for an id that has a result file but is no longer in the manifest. */
function taskWithoutManifestEntry(id: string): Task {
  return {
    id,
    title: id,
    body: '',
    labels: [],
    assignees: [],
    branch: DEFAULT_BRANCH_TEMPLATE,
    install: 'auto',
    workingDirectory: '.',
    copy: [],
    dependsOn: []
  }
}
