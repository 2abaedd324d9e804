import type { Task } from '../manifest/index.js'

/** GitHub runs at most 256 jobs from one matrix. */
export const MAX_MATRIX_JOBS = 256

/** One matrix leg. `task` is one id, or several joined by commas when tasks are grouped. */
export interface MatrixEntry {
  task: string
  title: string
  index: number
}

/**
 * Spreads tasks over at most `maxJobs` legs. Legs get contiguous runs of tasks in
 * manifest order, and their sizes differ by at most one, so every task is in exactly one
 * leg and the same manifest always gives the same matrix.
 */
export function buildMatrix(tasks: Task[], maxJobs: number): MatrixEntry[] {
  const legCount = Math.min(tasks.length, maxJobs)
  const entries: MatrixEntry[] = []
  const baseSize = Math.floor(tasks.length / Math.max(legCount, 1))
  const larger = tasks.length % Math.max(legCount, 1)
  let next = 0
  for (let index = 0; index < legCount; index++) {
    const size = baseSize + (index < larger ? 1 : 0)
    const group = tasks.slice(next, next + size)
    next += size
    entries.push({
      task: group.map((task) => task.id).join(','),
      title:
        group.length === 1 ? group[0]!.title : `${group[0]!.title} (+${group.length - 1} more)`,
      index
    })
  }
  return entries
}

/**
 * Orders tasks into waves by `depends-on` depth: wave 0 has no dependencies, wave n
 * depends only on earlier waves. Dependencies outside `tasks` (filtered out by `only`) are
 * treated as already done.
 */
export function buildWaves(tasks: Task[]): string[][] {
  const selected = new Map(tasks.map((task) => [task.id, task]))
  const depth = new Map<string, number>()
  const depthOf = (task: Task): number => {
    const known = depth.get(task.id)
    if (known !== undefined) return known
    let level = 0
    for (const dependency of task.dependsOn) {
      const parent = selected.get(dependency)
      if (parent) level = Math.max(level, depthOf(parent) + 1)
    }
    depth.set(task.id, level)
    return level
  }
  const waves: string[][] = []
  for (const task of tasks) {
    const level = depthOf(task)
    ;(waves[level] ??= []).push(task.id)
  }
  return waves
}
