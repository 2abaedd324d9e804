import { decideClean, type CleanFacts } from '../../src/cli/clean.js'

const base: CleanFacts = {
  branch: 'task/a',
  worktreeExists: true,
  dirty: false,
  inBase: true,
  untouched: false,
  base: 'main',
  worktree: '.worktrees/a'
}
const defaults = { merged: false, force: false }

describe('decideClean', () => {
  it('removes a merged branch', () => {
    expect(decideClean(base, defaults)).toEqual({
      remove: true,
      reason: "branch 'task/a' is merged into 'main'"
    })
  })

  it('removes an untouched branch', () => {
    expect(decideClean({ ...base, untouched: true }, defaults)).toEqual({
      remove: true,
      reason: "branch 'task/a' has no commits of its own"
    })
  })

  it('keeps an untouched branch with --merged', () => {
    expect(decideClean({ ...base, untouched: true }, { merged: true, force: false })).toEqual({
      remove: false,
      reason:
        "branch 'task/a' has no commits of its own yet, and --merged removes only merged branches."
    })
  })

  it('removes a merged branch with --merged', () => {
    expect(decideClean(base, { merged: true, force: false }).remove).toBe(true)
  })

  it('keeps an unmerged branch even with --force', () => {
    const expected = {
      remove: false,
      reason:
        "branch 'task/a' has commits that 'main' does not have (a squash or rebase merge counts as not merged). " +
        'Merge them, or delete the task by hand: git worktree remove .worktrees/a && git branch -D task/a'
    }
    expect(decideClean({ ...base, inBase: false }, defaults)).toEqual(expected)
    expect(decideClean({ ...base, inBase: false }, { merged: false, force: true })).toEqual(
      expected
    )
  })

  it('keeps a dirty worktree', () => {
    expect(decideClean({ ...base, dirty: true }, defaults)).toEqual({
      remove: false,
      reason:
        'its worktree .worktrees/a has uncommitted changes. Commit or stash them, or pass --force to discard them.'
    })
  })

  it('removes a dirty worktree with --force', () => {
    expect(decideClean({ ...base, dirty: true }, { merged: false, force: true })).toEqual({
      remove: true,
      reason: "branch 'task/a' is merged into 'main'; uncommitted changes discarded"
    })
  })

  it('keeps a worktree on another branch', () => {
    expect(
      decideClean({ ...base, otherBranchCheckedOut: 'experiment' }, { merged: false, force: true })
    ).toEqual({
      remove: false,
      reason:
        "its worktree .worktrees/a has branch 'experiment' checked out, not the task's. Remove it by hand if it is no longer needed."
    })
  })

  it('removes a worktree whose branch is gone', () => {
    expect(decideClean({ ...base, branch: undefined }, defaults)).toEqual({
      remove: true,
      reason: 'its branch no longer exists'
    })
  })

  it('keeps a detached worktree with new commits', () => {
    expect(decideClean({ ...base, branch: undefined, inBase: false }, defaults)).toEqual({
      remove: false,
      reason:
        "its worktree .worktrees/a has a detached HEAD with commits that 'main' does not have. Create a branch for them, or remove the worktree by hand: git worktree remove .worktrees/a"
    })
  })

  it('removes a branch without a worktree', () => {
    expect(
      decideClean({ ...base, worktreeExists: false, dirty: false, untouched: true }, defaults)
    ).toEqual({ remove: true, reason: "branch 'task/a' has no commits of its own" })
  })
})
