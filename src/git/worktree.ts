import * as fs from 'node:fs/promises'
import * as path from 'node:path'

import type { GitCommandManager } from './command-manager.js'

export interface PrepareWorktreeOptions {
  /** The task branch, checked with git's own ref-name rules. */
  branch: string
  /** Branch a new task branch starts from; the remote's default branch when absent. */
  base?: string
  /** Folder of the task worktree, absolute or relative to the repository folder. */
  worktreePath: string
  remote?: string
  /**
   * Whether to run `git worktree prune` first (the default). A caller that sets up many tasks
   * in one checkout prunes once itself, because each prune blocks every worktree add.
   */
  prune?: boolean
}

export interface TaskWorktree {
  branch: string
  /** True when the remote did not have the branch, so this run (or a crashed earlier one) made it. */
  created: boolean
  /** Absolute path of the worktree folder. */
  worktree: string
  /** The commit the worktree has checked out once it is ready. */
  startPoint: string
  /** The base branch: the given one, or the remote's default branch. */
  baseBranch: string
  /** True when a worktree from an earlier run on this machine was kept instead of created. */
  reused: boolean
}

/**
 * Creates or reuses the worktree and branch of one task, never discarding commits.
 *
 * A branch that exists on the remote is fetched and checked out with its commits. A local branch
 * of the same name is fast-forwarded to it or kept when it is ahead, and the two having diverged
 * is reported as an error. A branch the remote lacks starts from the base branch (fetched with depth 1 in a
 * shallow clone). Leftovers of a run killed while creating the worktree are cleaned up first.
 */
export async function prepareTaskWorktree(
  git: GitCommandManager,
  options: PrepareWorktreeOptions
): Promise<TaskWorktree> {
  const remote = options.remote ?? 'origin'
  const { branch } = options
  await requireValidBranchName(git, branch, 'task branch')
  if (options.base !== undefined) await requireValidBranchName(git, options.base, 'base branch')
  const worktree = path.resolve(git.repoDir, options.worktreePath)

  if (options.prune !== false) await git.tryPruneWorktrees()
  const reused = await recoverWorktreeFolder(git, worktree, branch)

  const {
    baseBranch,
    baseSha,
    branchSha: remoteSha
  } = await git.remoteTaskBranches(remote, branch, options.base)
  const result = { branch, worktree, baseBranch, reused }

  if (remoteSha !== undefined) {
    const startPoint = await checkOutRemoteBranch(git, {
      branch,
      remote,
      worktree,
      remoteSha,
      reused
    })
    return { ...result, created: false, startPoint }
  }

  if (baseSha === undefined) {
    throw new Error(
      `Base branch '${baseBranch}' was not found on remote '${remote}'. Set the \`base\` input ` +
        `or the manifest's \`base\` to a branch that exists on the remote, or push ` +
        `'${baseBranch}' first.`
    )
  }

  if (reused) {
    const head = await git.resolveCommit('HEAD', worktree)
    return { ...result, created: true, startPoint: head ?? baseSha }
  }
  if (await git.branchExists(branch)) {
    // A run that crashed after creating the branch but before pushing it left the branch behind,
    // possibly with commits, so it is checked out as it is.
    git.logger.info(
      `Reusing local branch '${branch}', which an earlier run created but did not push.`
    )
    await git.addWorktree(worktree, { branch, newBranch: false })
    const head = await git.resolveCommit(`refs/heads/${branch}`)
    return { ...result, created: true, startPoint: head ?? baseSha }
  }

  const baseRef = `refs/remotes/${remote}/${baseBranch}`
  // actions/checkout, or another task of a CLI run, often fetched the base already. Skipping
  // the fetch then saves a round trip, and many tasks of one checkout do not wait for each
  // other's lock on the same ref.
  if ((await git.resolveCommit(baseRef)) !== baseSha) {
    const shallow = await git.isShallowRepository()
    await git.fetch(remote, [`+refs/heads/${baseBranch}:${baseRef}`], shallow ? { depth: 1 } : {})
  }
  const startPoint = git.dryRun ? baseSha : await requireCommit(git, baseRef)
  await git.addWorktree(worktree, {
    branch,
    newBranch: true,
    startPoint: git.dryRun ? baseRef : startPoint
  })
  git.logger.info(
    `Created branch '${branch}' from ${remote}/${baseBranch} (${startPoint.slice(0, 12)}) at ${worktree}.`
  )
  return { ...result, created: true, startPoint }
}

/**
 * Fetches a branch that exists on the remote and brings the worktree to it. Returns the commit
 * the worktree has checked out.
 */
async function checkOutRemoteBranch(
  git: GitCommandManager,
  task: { branch: string; remote: string; worktree: string; remoteSha: string; reused: boolean }
): Promise<string> {
  const { branch, remote, worktree, reused } = task
  const trackingRef = `refs/remotes/${remote}/${branch}`
  const localExists = reused || (await git.branchExists(branch))

  // Without a local branch no ancestry check is needed, so a shallow clone may stay shallow.
  // With one, the full history between the two tips is needed to tell whether they diverged.
  const shallow = !localExists && (await git.isShallowRepository())
  await git.fetch(remote, [`+refs/heads/${branch}:${trackingRef}`], shallow ? { depth: 1 } : {})
  const remoteHead = git.dryRun ? task.remoteSha : await requireCommit(git, trackingRef)

  if (!localExists) {
    await git.addWorktree(worktree, { branch, newBranch: true, startPoint: trackingRef })
    await git.setUpstream(branch, remote)
    git.logger.info(
      `Checked out branch '${branch}' from ${remote} (${remoteHead.slice(0, 12)}) at ${worktree}.`
    )
    return remoteHead
  }

  const localHead = await requireCommit(git, `refs/heads/${branch}`)
  let startPoint = localHead
  // A dry run fetched nothing, so the remote commit may be missing here and cannot be compared.
  const canCompare = !git.dryRun || (await git.resolveCommit(remoteHead)) !== undefined
  if (!canCompare) {
    git.logger.info(
      `[dry run] would compare local branch '${branch}' with ${remote}/${branch} after fetching it`
    )
  } else if (localHead !== remoteHead) {
    if (await git.isAncestor(localHead, remoteHead)) {
      if (reused) {
        await git.fastForward(worktree, trackingRef)
      } else {
        await git.updateBranch(branch, remoteHead, localHead)
      }
      startPoint = remoteHead
      git.logger.info(
        `Fast-forwarded local branch '${branch}' to ${remote}/${branch} (${remoteHead.slice(0, 12)}).`
      )
    } else if (await git.isAncestor(remoteHead, localHead)) {
      git.logger.info(
        `Local branch '${branch}' has commits that ${remote}/${branch} does not have yet; keeping them.`
      )
    } else {
      throw new Error(
        `Local branch '${branch}' and ${remote}/${branch} have diverged: each has commits the ` +
          `other lacks, and parallel-setup never resets or force-pushes a branch. Merge or rebase ` +
          `the local branch onto ${remote}/${branch}, or delete it with \`git branch -D ${branch}\` ` +
          `if its commits are not needed, then run again.`
      )
    }
  }

  await git.setUpstream(branch, remote)
  if (!reused) await git.addWorktree(worktree, { branch, newBranch: false })
  return startPoint
}

/**
 * Makes the worktree folder ready for `git worktree add`, or finds a healthy worktree of `branch`
 * there to reuse. Returns true when the existing worktree is reused.
 *
 * A run killed inside `git worktree add` leaves the registration locked with the reason
 * "initializing" and a partly checked-out folder, which `git worktree prune` keeps. Such a
 * worktree, a registered one whose folder is broken, and an unregistered folder holding a `.git`
 * file are removed so the worktree can be made again. Anything else in the way is reported.
 */
async function recoverWorktreeFolder(
  git: GitCommandManager,
  worktree: string,
  branch: string
): Promise<boolean> {
  const target = await canonicalPath(worktree)
  const entries = await git.listWorktrees()

  for (const entry of entries) {
    if (entry.branch === branch && (await canonicalPath(entry.path)) !== target) {
      throw new Error(
        `Branch '${branch}' is already checked out in ${entry.path}, and git allows a branch in ` +
          `only one worktree. Remove that worktree (\`git worktree remove ${entry.path}\`) or ` +
          `check out another branch there, then run again.`
      )
    }
  }

  const adminDir = await findWorktreeAdminDir(git, target)
  const registered = adminDir !== undefined
  if (registered) {
    const lockReason = await readOptional(path.join(adminDir, 'locked'))
    if (lockReason !== undefined && lockReason.trim() !== 'initializing') {
      throw new Error(
        `Worktree ${worktree} is locked (${lockReason.trim() || 'no reason given'}). If no other ` +
          `job uses it, run \`git worktree unlock ${worktree}\` and run again.`
      )
    }

    if (lockReason === undefined && (await git.isWorktreeRoot(worktree))) {
      const headRef = await git.currentBranchRef(worktree)
      if (headRef !== `refs/heads/${branch}`) {
        throw new Error(
          `Worktree ${worktree} has ${headRef ? `branch '${headRef.replace(/^refs\/heads\//, '')}'` : 'a detached HEAD'} ` +
            `checked out, not '${branch}'. Remove it with \`git worktree remove ${worktree}\` ` +
            `or choose another worktree path.`
        )
      }
      await removeStaleIndexLock(git, adminDir)
      git.logger.info(`Reusing worktree ${worktree} on branch '${branch}' from an earlier run.`)
      return true
    }

    git.logger.warning(
      `Worktree ${worktree} is incomplete, probably because an earlier run stopped while ` +
        `creating it. Removing it to create it again.`
    )
    await removeBrokenWorktree(git, worktree, adminDir)
    return false
  }

  const names = await readDirectoryIfExists(worktree)
  if (names === undefined || names.length === 0) return false
  if (names.includes('.git')) {
    git.logger.warning(
      `Folder ${worktree} contains files of a worktree that git no longer has registered. ` +
        `Removing it to create the worktree again.`
    )
    await removeFolder(git, worktree)
    return false
  }
  throw new Error(
    `Folder ${worktree} exists and is not a git worktree. Move or delete it, or choose another ` +
      `worktree path.`
  )
}

/** Removes a broken worktree, its folder and its registration, and checks that all are gone. */
async function removeBrokenWorktree(
  git: GitCommandManager,
  worktree: string,
  adminDir: string
): Promise<void> {
  if (git.dryRun) {
    git.logger.info(`[dry run] would remove the broken worktree ${worktree}`)
    return
  }
  try {
    await git.removeWorktree(worktree, { force: 'locked' })
  } catch (error) {
    git.logger.debug(`git worktree remove failed, removing by hand: ${String(error)}`)
  }
  await removeFolder(git, worktree)
  if ((await readDirectoryIfExists(adminDir)) !== undefined) {
    // With the folder gone, an unlocked registration is pruned like any stale one.
    await fs.rm(path.join(adminDir, 'locked'), { force: true })
    await git.tryPruneWorktrees()
  }
  if ((await readDirectoryIfExists(adminDir)) !== undefined) {
    throw new Error(
      `Could not remove the broken worktree registration ${adminDir}. Delete that folder and ` +
        `run \`git worktree prune\`, then run again.`
    )
  }
}

/** Deletes the `index.lock` that a git process killed in this worktree left behind. */
async function removeStaleIndexLock(git: GitCommandManager, adminDir: string): Promise<void> {
  const lock = path.join(adminDir, 'index.lock')
  if ((await readOptional(lock)) === undefined) return
  if (git.dryRun) {
    git.logger.info(`[dry run] would delete the leftover ${lock}`)
    return
  }
  // NOTE: this assumes no other git process is working in this worktree, which holds when only
  // this job uses the task's worktree.
  git.logger.warning(`Deleting ${lock}, left by a git process that an earlier run stopped.`)
  await fs.rm(lock, { force: true })
}

/**
 * Finds `.git/worktrees/<name>` of the worktree at `target` by its `gitdir` file. Reading the
 * files instead of `git worktree list` also finds a registration whose folder is broken.
 */
async function findWorktreeAdminDir(
  git: GitCommandManager,
  target: string
): Promise<string | undefined> {
  const worktreesDir = path.join(await git.commonGitDir(), 'worktrees')
  const names = (await readDirectoryIfExists(worktreesDir)) ?? []
  for (const name of names) {
    const gitdirFile = await readOptional(path.join(worktreesDir, name, 'gitdir'))
    if (gitdirFile === undefined) continue
    const registeredFolder = path.dirname(path.resolve(worktreesDir, name, gitdirFile.trim()))
    if ((await canonicalPath(registeredFolder)) === target) return path.join(worktreesDir, name)
  }
  return undefined
}

async function requireValidBranchName(
  git: GitCommandManager,
  name: string,
  role: string
): Promise<void> {
  if (await git.checkBranchName(name)) return
  throw new Error(
    `Invalid ${role} name '${name}': git check-ref-format --branch rejects it. A branch name ` +
      `may not be empty, start with '-' or '.', end with '/', '.' or '.lock', or contain '..', ` +
      `'@{', '//', spaces, control characters or any of ~ ^ : ? * [ \\.`
  )
}

async function requireCommit(git: GitCommandManager, ref: string): Promise<string> {
  const sha = await git.resolveCommit(ref)
  if (sha === undefined)
    throw new Error(`Expected ${ref} to name a commit after fetching it, but it does not.`)
  return sha
}

async function removeFolder(git: GitCommandManager, folder: string): Promise<void> {
  if (git.dryRun) {
    git.logger.info(`[dry run] would delete ${folder}`)
    return
  }
  await fs.rm(folder, { recursive: true, force: true })
}

/** Resolves symbolic links (as git does for /tmp on macOS), also for a path that does not exist. */
async function canonicalPath(p: string): Promise<string> {
  const absolute = path.resolve(p)
  try {
    return await fs.realpath(absolute)
  } catch {
    const parent = path.dirname(absolute)
    if (parent === absolute) return absolute
    return path.join(await canonicalPath(parent), path.basename(absolute))
  }
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8')
  } catch {
    return undefined
  }
}

async function readDirectoryIfExists(dir: string): Promise<string[] | undefined> {
  try {
    return await fs.readdir(dir)
  } catch {
    return undefined
  }
}
