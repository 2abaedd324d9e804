import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const folder = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'build',
  'figures'
)

/**
 * Saves what a reliability test tried and what it found, as build/figures/<name>.json, so that
 * docs/reliability.md can quote the last run's figures instead of numbers typed by hand.
 */
export function recordFigures(name: string, figures: Record<string, unknown>): void {
  fs.mkdirSync(folder, { recursive: true })
  fs.writeFileSync(
    path.join(folder, `${name}.json`),
    `${JSON.stringify({ ...figures, recordedAt: new Date().toISOString() }, null, 2)}\n`
  )
}
