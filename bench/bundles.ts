/**
 * The bundled actions the bench runs. runBench copies dist/ once at its start, so that a
 * rebuild during a long run cannot mix two builds or catch a bundle half written.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const ACTIONS = ['plan', 'setup', 'collect'] as const

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
let directory = path.join(repositoryRoot, 'dist')

/** Copies dist/ into `target` and runs the bundles from there until the next call. */
export function snapshotBundles(target: string): Record<string, string> {
  fs.cpSync(path.join(repositoryRoot, 'dist'), target, { recursive: true })
  directory = target
  return Object.fromEntries(
    ACTIONS.map((action) => {
      const hash = createHash('sha256').update(fs.readFileSync(bundlePath(action)))
      return [action, hash.digest('hex').slice(0, 12)]
    })
  )
}

/** Runs the bundles from dist/ again. */
export function restoreBundles(): void {
  directory = path.join(repositoryRoot, 'dist')
}

/** Returns the path of an action's bundle, dist/<action>/index.js or its copy. */
export function bundlePath(action: string): string {
  return path.join(directory, action, 'index.js')
}
