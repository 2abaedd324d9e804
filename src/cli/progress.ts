import type { PhaseName, TaskResult } from '../results/record.js'

/**
 * Task state: waiting for a free slot, starting before its first phase, in a setup phase,
 * or done.
 */
export type TaskState = 'waiting' | 'starting' | PhaseName | 'ready' | 'failed'

/** One task's line in the progress display. */
export interface TaskProgress {
  task: string
  state: TaskState
  /** Epoch ms when the task left the queue; undefined while it waits. */
  startedAt?: number
  /** Epoch ms when the task finished. */
  finishedAt?: number
  /** The first line of the error of a failed task. */
  error?: string
}

/** Anything with a `write` for text, such as process.stderr. */
export interface TextOutput {
  write(text: string): unknown
}

/** Formats a duration for people: `4.2 s` under a minute, `2 min 05 s` above. */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(Math.max(ms, 0) / 1000).toFixed(1)} s`
  const seconds = Math.floor(ms / 1000)
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`
}

function elapsedOf(row: TaskProgress, now: number): number | undefined {
  if (row.startedAt === undefined) return undefined
  return (row.finishedAt ?? now) - row.startedAt
}

/** The terminal's size in characters. */
export interface TerminalSize {
  columns: number
  rows: number
}

/**
 * Renders one line per task: id, state and the time since the task started (its whole
 * duration once it finished). Lines are cut to `columns - 1` characters, and a frame is
 * at most `rows - 1` lines, because a line that wraps or a frame taller than the screen
 * would throw off the cursor movement of the next frame. When the tasks do not fit, the
 * running ones are shown and one last line counts the rest.
 */
export function renderProgressLines(
  rows: readonly TaskProgress[],
  now: number,
  size: TerminalSize = { columns: 80, rows: 24 }
): string[] {
  const maxLines = Math.max(size.rows - 1, 1)
  let visible: readonly TaskProgress[] = rows
  let rest: TaskProgress[] = []
  if (rows.length > maxLines) {
    const running = rows.filter((row) => isRunning(row.state))
    visible = running.slice(0, maxLines - 1)
    rest = rows.filter((row) => !visible.includes(row))
  }

  const idWidth = Math.max(...visible.map((row) => row.task.length), 4)
  const lines = visible.map((row) => {
    const elapsed = elapsedOf(row, now)
    let line = `${row.task.padEnd(idWidth)}  ${row.state.padEnd(8)}  ${
      elapsed === undefined ? '' : formatDuration(elapsed).padStart(9)
    }`
    if (row.state === 'failed' && row.error) line += `  ${row.error}`
    return line.trimEnd()
  })
  if (rest.length > 0) {
    const count = (state: TaskState | 'running'): number =>
      rest.filter((row) => (state === 'running' ? isRunning(row.state) : row.state === state))
        .length
    const parts = [
      `${count('running')} running`,
      `${count('waiting')} waiting`,
      `${count('ready')} ready`,
      `${count('failed')} failed`
    ]
    lines.push(`${rest.length} more tasks: ${parts.join(', ')}`)
  }
  return lines.map((line) =>
    line.length > size.columns - 1 ? `${line.slice(0, Math.max(size.columns - 4, 0))}...` : line
  )
}

function isRunning(state: TaskState): boolean {
  return state !== 'waiting' && state !== 'ready' && state !== 'failed'
}

/**
 * Builds the text that replaces the previous frame of `previousLineCount` lines with
 * `lines`: move the cursor to the start of the frame (CSI n A), clear from there to the
 * end of the screen (CSI J), write the lines. The cursor ends below the new frame.
 */
export function renderTtyFrame(lines: readonly string[], previousLineCount: number): string {
  const rewind = previousLineCount > 0 ? `\r\x1b[${previousLineCount}A` : '\r'
  const body = lines.map((line) => `${line}\n`).join('')
  return `${rewind}\x1b[J${body}`
}

/** Receives the run's events; the CLI picks the terminal or the plain implementation. */
export interface ProgressReporter {
  started(task: string): void
  phase(task: string, phase: PhaseName): void
  finished(task: string, result: TaskResult): void
  /** Prints a message, such as a warning, without breaking the progress display. */
  message(text: string): void
  stop(): void
}

/** Returns the first line of an error, for one-line displays. */
export function firstLine(text: string): string {
  return text.split('\n', 1)[0]!.trim()
}

/** Tracks every task's state; both reporters draw from it. */
class ProgressBoard {
  readonly rows: TaskProgress[]

  constructor(
    tasks: readonly string[],
    private readonly now: () => number
  ) {
    this.rows = tasks.map((task) => ({ task, state: 'waiting' }))
  }

  row(task: string): TaskProgress {
    const row = this.rows.find((candidate) => candidate.task === task)
    if (!row) throw new Error(`Progress for unknown task '${task}'.`)
    return row
  }

  start(task: string): TaskProgress {
    const row = this.row(task)
    row.state = 'starting'
    row.startedAt = this.now()
    return row
  }

  finish(task: string, result: TaskResult): TaskProgress {
    const row = this.row(task)
    row.state = result.status
    row.finishedAt = this.now()
    row.startedAt ??= row.finishedAt
    if (result.error) row.error = firstLine(result.error)
    return row
  }
}

/**
 * Prints one plain line per event, for logs and pipes: `a: install (at 1.2 s)` when a
 * phase starts, `a: ready in 4.0 s` when the task ends.
 */
export class PlainProgress implements ProgressReporter {
  private readonly board: ProgressBoard

  constructor(
    private readonly output: TextOutput,
    tasks: readonly string[],
    private readonly now: () => number = Date.now
  ) {
    this.board = new ProgressBoard(tasks, now)
  }

  started(task: string): void {
    this.board.start(task)
  }

  phase(task: string, phase: PhaseName): void {
    const row = this.board.row(task)
    row.state = phase
    const elapsed = elapsedOf(row, this.now()) ?? 0
    this.output.write(`${task}: ${phase} (at ${formatDuration(elapsed)})\n`)
  }

  finished(task: string, result: TaskResult): void {
    const row = this.board.finish(task, result)
    const duration = formatDuration(elapsedOf(row, this.now()) ?? 0)
    this.output.write(
      result.status === 'ready'
        ? `${task}: ready in ${duration}\n`
        : `${task}: failed after ${duration}: ${row.error ?? 'no reason given'}\n`
    )
  }

  message(text: string): void {
    this.output.write(`${text}\n`)
  }

  stop(): void {}
}

/**
 * Redraws one line per task in place on a terminal, with ANSI cursor movement, a few
 * times a second so the elapsed times advance.
 */
export class TtyProgress implements ProgressReporter {
  private readonly board: ProgressBoard
  private drawnLines = 0
  private timer: ReturnType<typeof setInterval> | undefined

  constructor(
    private readonly output: TextOutput,
    tasks: readonly string[],
    private readonly size: () => TerminalSize,
    private readonly now: () => number = Date.now,
    redrawMs = 250
  ) {
    this.board = new ProgressBoard(tasks, now)
    this.draw()
    this.timer = setInterval(() => this.draw(), redrawMs)
    // The redraw alone must not keep the process alive after the run.
    this.timer.unref()
  }

  started(task: string): void {
    this.board.start(task)
    this.draw()
  }

  phase(task: string, phase: PhaseName): void {
    this.board.row(task).state = phase
    this.draw()
  }

  finished(task: string, result: TaskResult): void {
    this.board.finish(task, result)
    this.draw()
  }

  message(text: string): void {
    // The message goes where the frame was, and the frame is drawn again below it.
    this.output.write(renderTtyFrame([], this.drawnLines) + `${text}\n`)
    this.drawnLines = 0
    this.draw()
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
    this.draw()
  }

  private draw(): void {
    const lines = renderProgressLines(this.board.rows, this.now(), this.size())
    this.output.write(renderTtyFrame(lines, this.drawnLines))
    this.drawnLines = lines.length
  }
}
