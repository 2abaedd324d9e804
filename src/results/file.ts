import fs from 'node:fs'
import path from 'node:path'
import type { TaskResult } from './record.js'

/**
 * Writes a task's result under `directory` as `<task>.json`, replacing an earlier write
 * atomically, so a reader never sees half a file.
 */
export function writeResultFile(directory: string, result: TaskResult): string {
  fs.mkdirSync(directory, { recursive: true })
  const file = path.join(directory, `${result.task}.json`)
  const temporary = `${file}.${process.pid}.tmp`
  fs.writeFileSync(temporary, `${JSON.stringify(result, null, 2)}\n`)
  fs.renameSync(temporary, file)
  return file
}
