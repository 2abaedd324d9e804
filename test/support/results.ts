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
