import fs from 'node:fs'

/** The comment written above the keys that parallel-setup appends to a `.env` file. */
export const ENV_FILE_COMMENT = '# Set by parallel-setup for this task worktree'

/** Matches `KEY=value` and `export KEY = value`; group 1 keeps the text up to the value. */
const ASSIGNMENT = /^(\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*)/

/**
 * Sets `values` in the text of a `.env` file and leaves every other line as it was. A key
 * that is already assigned gets its value replaced on each line that assigns it, so the
 * file gives the same value whichever assignment a loader reads. Missing keys
 * are appended under one comment. The file's line ending (LF or CRLF) is kept. Values are
 * written as they are, so they must need no quoting, as port numbers do not.
 */
export function mergeEnvText(existing: string, values: Record<string, string>): string {
  const eol = existing.includes('\r\n') ? '\r\n' : '\n'
  const lines = existing === '' ? [] : existing.split(/\r?\n/)
  // A file that ends with a line ending splits into a last empty string, not a line.
  const endedWithNewline = lines.length > 0 && lines[lines.length - 1] === ''
  if (endedWithNewline) lines.pop()

  const assigned = new Set<string>()
  const merged = lines.map((line) => {
    const match = ASSIGNMENT.exec(line)
    const key = match?.[2]
    if (match === null || key === undefined || !Object.hasOwn(values, key)) return line
    assigned.add(key)
    return `${match[1]}${values[key]}`
  })

  const missing = Object.keys(values).filter((key) => !assigned.has(key))
  if (missing.length > 0) {
    if (!merged.includes(ENV_FILE_COMMENT)) merged.push(ENV_FILE_COMMENT)
    for (const key of missing) merged.push(`${key}=${values[key]}`)
  }
  if (merged.length === 0) return ''
  return merged.join(eol) + eol
}

/**
 * Sets `values` in the `.env` file at `file`, creating it when it does not exist. Returns
 * true when the file changed.
 */
export function updateEnvFile(file: string, values: Record<string, string>): boolean {
  let existing = ''
  try {
    existing = fs.readFileSync(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  const merged = mergeEnvText(existing, values)
  if (merged === existing) return false
  fs.writeFileSync(file, merged)
  return true
}
