import type { TaskResult } from '../../src/results/record.js'

/** Builds a result record for tests; times count from `startOffsetMs` after a fixed origin. */
export function makeResult(
  task: string,
  overrides: Partial<TaskResult> = {},
  startOffsetMs = 0
): TaskResult {
  const origin = Date.parse('2026-12-01T10:00:00.000Z') + startOffsetMs
  const at = (ms: number): string => new Date(origin + ms).toISOString()
  return {
    format: 1,
    task,
    title: `Task ${task}`,
    status: 'ready',
    issueNumber: 10,
    issueUrl: `http://127.0.0.1/issues/10`,
    issueCreated: true,
    branch: `task/${task}`,
    branchCreated: true,
    worktree: `/work/.worktrees/${task}`,
    packageManager: 'npm',
    installCommand: 'npm ci',
    installStatus: 'success',
    portRangeStart: null,
    phases: [
      { name: 'issue', startedAt: at(0), durationMs: 1000 },
      { name: 'worktree', startedAt: at(1000), durationMs: 500 },
      { name: 'push', startedAt: at(1500), durationMs: 500 },
      { name: 'install', startedAt: at(2000), durationMs: 3000 }
    ],
    startedAt: at(0),
    finishedAt: at(5000),
    durationMs: 5000,
    run: {
      repository: 'octo/repo',
      runId: '100',
      runAttempt: 1,
      manifest: '.github/parallel-setup.yml'
    },
    ...overrides
  }
}

/** A task id of exactly `length` characters that sorts by `index`, such as `task-00042-xxxx`. */
export function longTaskId(index: number, length: number): string {
  const start = `task-${String(index).padStart(5, '0')}-`
  return start + 'x'.repeat(Math.max(length - start.length, 0))
}

/**
 * Builds `count` expected tasks with long ids: every tenth failed with `error`, the one
 * after it missing, the rest ready. Legs start 100 ms apart.
 */
export function makeManyResults(
  count: number,
  options: { idLength: number; title?: string; error: string }
): { expected: string[]; results: TaskResult[] } {
  const expected: string[] = []
  const results: TaskResult[] = []
  for (let i = 0; i < count; i++) {
    const id = longTaskId(i, options.idLength)
    expected.push(id)
    if (i % 10 === 1) continue
    const failed = i % 10 === 0
    results.push(
      makeResult(
        id,
        {
          title: options.title ?? `Task ${id}`,
          ...(failed ? { status: 'failed', error: options.error } : {})
        },
        i * 100
      )
    )
  }
  return { expected, results }
}
