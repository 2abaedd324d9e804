import fs from 'node:fs'
import path from 'node:path'

export interface CopyReport {
  copied: string[]
  /** Entries that did not exist in the checkout; a missing .env is common on CI, so it is no failure. */
  missing: string[]
}

/**
 * Copies the task's git-ignored files (such as .env) from the checkout into the worktree.
 * A source that resolves outside the checkout, directly or through a symlink, is rejected,
 * so a manifest cannot copy files from elsewhere on the runner.
 */
export function copyTaskFiles(entries: string[], checkout: string, worktree: string): CopyReport {
  const report: CopyReport = { copied: [], missing: [] }
  const checkoutRoot = fs.realpathSync(checkout)
  for (const entry of entries) {
    const source = path.resolve(checkout, entry)
    if (!fs.existsSync(source)) {
      report.missing.push(entry)
      continue
    }
    const real = fs.realpathSync(source)
    if (!isInside(real, checkoutRoot)) {
      throw new Error(
        `The copy entry '${entry}' resolves to '${real}', outside the checkout. ` +
          'List only files inside the repository, and do not point symlinks outside it.'
      )
    }
    const target = path.resolve(worktree, entry)
    fs.mkdirSync(path.dirname(target), { recursive: true })
    if (fs.statSync(real).isDirectory()) {
      fs.cpSync(real, target, {
        recursive: true,
        dereference: false,
        filter: (from) => isInside(fs.realpathSync(from), checkoutRoot)
      })
    } else {
      fs.copyFileSync(real, target)
    }
    report.copied.push(entry)
  }
  return report
}

function isInside(candidate: string, root: string): boolean {
  const relative = path.relative(root, candidate)
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))
}
