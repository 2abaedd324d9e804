import { renderRunReport, type TaskFiles } from '../../src/cli/run-report.js'
import { mergeResults } from '../../src/results/merge.js'
import type { TaskResult } from '../../src/results/record.js'

function result(task: string, overrides: Partial<TaskResult>): TaskResult {
  return {
    format: 1,
    task,
    title: `Task ${task}`,
    status: 'ready',
    issueNumber: null,
    issueUrl: null,
    issueCreated: false,
    branch: `task/${task}`,
    branchCreated: true,
    worktree: `/repo/.worktrees/${task}`,
    packageManager: 'npm',
    installCommand: 'npm ci',
    installStatus: 'success',
    portRangeStart: null,
    phases: [],
    startedAt: '2025-01-01T00:00:00.000Z',
    finishedAt: '2025-01-01T00:00:04.000Z',
    durationMs: 4000,
    run: {
      repository: 'o/r',
      runId: 'local',
      runAttempt: 1,
      manifest: '.github/parallel-setup.yml'
    },
    ...overrides
  }
}

const RUN = { runId: 'local', manifest: '.github/parallel-setup.yml' }

describe('renderRunReport', () => {
  it('renders the table, failures and totals', () => {
    const merged = mergeResults(
      ['a', 'b', 'c'],
      {
        results: [
          { source: 'a', result: result('a', { issueNumber: 7, issueCreated: true }) },
          {
            source: 'b',
            result: result('b', {
              status: 'failed',
              installStatus: 'failed',
              error: 'Installing dependencies failed\nnpm ERR! 404',
              startedAt: '2025-01-01T00:00:02.000Z',
              finishedAt: '2025-01-01T00:00:04.000Z',
              durationMs: 2000
            })
          }
        ],
        rejected: []
      },
      RUN
    )
    const files = new Map<string, TaskFiles>([
      [
        'a',
        {
          ports: { start: 3000, end: 3009 },
          resultFile: '.worktrees/.results/a.json',
          logFile: '.worktrees/.logs/a.log'
        }
      ],
      [
        'b',
        {
          ports: { start: 3010, end: 3019 },
          resultFile: '.worktrees/.results/b.json',
          logFile: '.worktrees/.logs/b.log'
        }
      ],
      ['c', { ports: { start: 3020, end: 3029 } }]
    ])
    expect(
      renderRunReport(merged, {
        files,
        dryRun: false,
        worktreeRoot: '.worktrees',
        resultsDir: '.worktrees/.results',
        logsDir: '.worktrees/.logs'
      })
    ).toBe(
      [
        '3 tasks: 1 ready, 1 failed, 1 missing',
        '',
        'Task  Status   Issue     Branch  Install        Ports      Time',
        'a     ready    #7 (new)  task/a  success (npm)  3000-3009  4.0 s',
        'b     failed   -         task/b  failed (npm)   3010-3019  2.0 s',
        'c     missing  -         -       -              3020-3029  -',
        '',
        'b failed: Installing dependencies failed',
        '  npm ERR! 404',
        '  Log: .worktrees/.logs/b.log',
        '',
        'c missing: no result was recorded for it',
        '',
        'Wall time 4.0 s, sum of the task times 6.0 s, parallel efficiency 75% (sum / (wall time x tasks)).',
        'Worktrees: .worktrees/<task>. Results: .worktrees/.results/<task>.json. Logs: .worktrees/.logs/<task>.log.',
        ''
      ].join('\n')
    )
  })

  it('marks a dry run and names no files', () => {
    const merged = mergeResults(
      ['a'],
      {
        results: [
          { source: 'a', result: result('a', { installStatus: 'skipped', packageManager: null }) }
        ],
        rejected: []
      },
      RUN
    )
    expect(
      renderRunReport(merged, {
        files: new Map([['a', { ports: { start: 3000, end: 3009 } }]]),
        dryRun: true,
        worktreeRoot: '.worktrees',
        resultsDir: '.worktrees/.results',
        logsDir: '.worktrees/.logs'
      })
    ).toBe(
      [
        '1 task: 1 ready, 0 failed, 0 missing (dry run: nothing was changed)',
        '',
        'Task  Status  Issue  Branch  Install  Ports      Time',
        'a     ready   -      task/a  skipped  3000-3009  4.0 s',
        '',
        'Wall time 4.0 s, sum of the task times 4.0 s, parallel efficiency 100% (sum / (wall time x tasks)).',
        ''
      ].join('\n')
    )
  })
})
