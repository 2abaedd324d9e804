import {
  PlainProgress,
  TtyProgress,
  formatDuration,
  renderProgressLines,
  renderTtyFrame,
  type TaskProgress
} from '../../src/cli/progress.js'
import type { TaskResult } from '../../src/results/record.js'

/** Creates a clock that the test advances by hand. */
function manualClock(start = 1_000_000): { now: () => number; advance(ms: number): void } {
  let time = start
  return { now: () => time, advance: (ms) => (time += ms) }
}

function recordingOutput(): { write(text: string): void; text: string } {
  return {
    text: '',
    write(text: string) {
      this.text += text
    }
  }
}

function resultOf(task: string, status: 'ready' | 'failed', error?: string): TaskResult {
  return {
    format: 1,
    task,
    title: task,
    status,
    ...(error ? { error } : {}),
    issueNumber: null,
    issueUrl: null,
    issueCreated: false,
    branch: `task/${task}`,
    branchCreated: true,
    worktree: null,
    packageManager: null,
    installCommand: null,
    installStatus: 'skipped',
    portRangeStart: null,
    phases: [],
    startedAt: '2025-01-01T00:00:00.000Z',
    finishedAt: '2025-01-01T00:00:01.000Z',
    durationMs: 1000,
    run: { repository: 'o/r', runId: 'local', runAttempt: 1, manifest: 'm.yml' }
  }
}

describe('formatDuration', () => {
  it.each([
    [0, '0.0 s'],
    [-5, '0.0 s'],
    [1234, '1.2 s'],
    [59_949, '59.9 s'],
    [60_000, '1 min 00 s'],
    [125_400, '2 min 05 s']
  ])('formats %i ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text)
  })
})

describe('renderProgressLines', () => {
  const now = 10_000
  const rows: TaskProgress[] = [
    { task: 'db', state: 'install', startedAt: now - 4200 },
    { task: 'session-api', state: 'waiting' },
    { task: 'ui', state: 'ready', startedAt: now - 9000, finishedAt: now - 1000 },
    { task: 'docs', state: 'failed', startedAt: now - 3000, finishedAt: now - 2000, error: 'boom' }
  ]

  it('renders one aligned line per task', () => {
    expect(renderProgressLines(rows, now)).toEqual([
      'db           install       4.2 s',
      'session-api  waiting',
      'ui           ready         8.0 s',
      'docs         failed        1.0 s  boom'
    ])
  })

  it('cuts lines to the terminal width', () => {
    const lines = renderProgressLines(
      [{ task: 'docs', state: 'failed', startedAt: 0, finishedAt: 1000, error: 'x'.repeat(100) }],
      now,
      { columns: 30, rows: 24 }
    )
    expect(lines).toEqual(['docs  failed        1.0 s ...'])
    expect(lines[0]!.length).toBe(29)
  })

  it('counts the tasks that do not fit', () => {
    expect(renderProgressLines(rows, now, { columns: 80, rows: 3 })).toEqual([
      'db    install       4.2 s',
      '3 more tasks: 0 running, 1 waiting, 1 ready, 1 failed'
    ])
  })
})

describe('renderTtyFrame', () => {
  it('writes the first frame in place', () => {
    expect(renderTtyFrame(['a', 'b'], 0)).toBe('\r\x1b[Ja\nb\n')
  })

  it('moves up over the previous frame', () => {
    expect(renderTtyFrame(['a', 'b', 'c'], 2)).toBe('\r\x1b[2A\x1b[Ja\nb\nc\n')
  })

  it('clears a frame with no lines', () => {
    expect(renderTtyFrame([], 3)).toBe('\r\x1b[3A\x1b[J')
  })
})

describe('PlainProgress', () => {
  it('prints one line per event', () => {
    const clock = manualClock()
    const output = recordingOutput()
    const progress = new PlainProgress(output, ['a', 'b'], clock.now)
    progress.started('a')
    progress.phase('a', 'worktree')
    clock.advance(1500)
    progress.started('b')
    progress.phase('a', 'install')
    progress.phase('b', 'worktree')
    progress.message('warning: slow registry')
    clock.advance(2000)
    progress.finished('a', resultOf('a', 'ready'))
    progress.finished('b', resultOf('b', 'failed', 'Installing dependencies failed\nmore detail'))
    progress.stop()
    expect(output.text).toBe(
      [
        'a: worktree (at 0.0 s)',
        'a: install (at 1.5 s)',
        'b: worktree (at 0.0 s)',
        'warning: slow registry',
        'a: ready in 3.5 s',
        'b: failed after 2.0 s: Installing dependencies failed',
        ''
      ].join('\n')
    )
  })

  it('rejects an unknown task', () => {
    const progress = new PlainProgress(recordingOutput(), ['a'])
    expect(() => progress.started('zzz')).toThrow("Progress for unknown task 'zzz'.")
  })
})

describe('TtyProgress', () => {
  it('redraws every task on each event', () => {
    const clock = manualClock()
    const output = recordingOutput()
    // A redraw interval longer than the test keeps the timer out of the output.
    const progress = new TtyProgress(
      output,
      ['a', 'b'],
      () => ({ columns: 80, rows: 24 }),
      clock.now,
      60_000
    )
    progress.started('a')
    clock.advance(1000)
    progress.phase('a', 'install')
    progress.message('note')
    progress.finished('a', resultOf('a', 'ready'))
    progress.stop()
    expect(output.text).toBe(
      [
        '\r\x1b[Ja     waiting\nb     waiting\n',
        '\r\x1b[2A\x1b[Ja     starting      0.0 s\nb     waiting\n',
        '\r\x1b[2A\x1b[Ja     install       1.0 s\nb     waiting\n',
        '\r\x1b[2A\x1b[Jnote\n',
        '\r\x1b[Ja     install       1.0 s\nb     waiting\n',
        '\r\x1b[2A\x1b[Ja     ready         1.0 s\nb     waiting\n',
        '\r\x1b[2A\x1b[Ja     ready         1.0 s\nb     waiting\n'
      ].join('')
    )
  })
})
