/** One task after defaults are applied: what a matrix leg needs to set itself up. */
export interface Task {
  id: string
  title: string
  body: string
  labels: string[]
  assignees: string[]
  milestone?: string | number
  /** The branch name template, not yet expanded: see `expandBranch`. */
  branch: string
  base?: string
  /** `auto`, `none` or a command written by the manifest's author. */
  install: string
  /** Relative to the worktree's root; `.` is the root itself. */
  workingDirectory: string
  copy: string[]
  dependsOn: string[]
}

export type ManifestFormat = 'native' | 'promptune' | 'issue-body'

/** A validated manifest: where it came from and its tasks in manifest order. */
export interface Manifest {
  path: string
  format: ManifestFormat
  tasks: Task[]
}

export const DEFAULT_MANIFEST_PATH = '.github/parallel-setup.yml'
export const DEFAULT_BRANCH_TEMPLATE = 'task/{id}'
