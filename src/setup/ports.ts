/** First port of the first task's range, unless the user sets another. */
export const DEFAULT_PORT_BASE = 3000
/** Ports each task gets: room for a dev server, an API and a few helpers. */
export const DEFAULT_PORTS_PER_TASK = 10
const MAX_PORT = 65535

/** The ports one task may use, both ends included. */
export interface PortRange {
  start: number
  end: number
}

/**
 * Gives the task at `index` (its position in the manifest) its own port range, so dev
 * servers in parallel worktrees do not collide: task 0 gets `base` to `base + size - 1`,
 * task 1 the next `size` ports, and so on. Throws when the range passes port 65535.
 */
export function allocatePortRange(index: number, base: number, size: number): PortRange {
  if (!Number.isInteger(base) || base < 1 || base > MAX_PORT) {
    throw new Error(`Invalid port base ${base}: expected a whole number from 1 to ${MAX_PORT}.`)
  }
  if (!Number.isInteger(size) || size < 1) {
    throw new Error(`Invalid number of ports per task ${size}: expected a whole number from 1.`)
  }
  const start = base + index * size
  const end = start + size - 1
  if (end > MAX_PORT) {
    throw new Error(
      `The port range of task ${index + 1} would end at ${end}, above the highest port ${MAX_PORT}. ` +
        'Use a lower port base or fewer ports per task.'
    )
  }
  return { start, end }
}

/** Returns the variables that give a task's tools their ports. PORT is the range's first port. */
export function portEnvironment(range: PortRange): Record<string, string> {
  return {
    PORT: String(range.start),
    PORT_RANGE_START: String(range.start),
    PORT_RANGE_END: String(range.end)
  }
}
