import fs from 'node:fs'
import path from 'node:path'
import { readSource } from './document.js'
import { ManifestError } from './errors.js'
import { isPromptunePlan, readPromptunePlan } from './promptune.js'
import type { Manifest } from './types.js'
import { validateManifest } from './validate.js'

/**
 * Reads, validates and resolves a manifest file. `manifestPath` is relative to `root`,
 * the repository checkout. The format (native or Promptune) comes from the content.
 */
export function loadManifest(manifestPath: string, root: string = process.cwd()): Manifest {
  const absolute = path.resolve(root, manifestPath)
  const shown = path.relative(root, absolute) || manifestPath
  const text = readManifestText(absolute, shown)
  return parseManifest(text, shown, root)
}

/** Validates manifest text that was already read; `file` names it in errors. */
export function parseManifest(text: string, file: string, root: string = process.cwd()): Manifest {
  return readSource(text, file, 0, (source): Manifest => {
    if (isPromptunePlan(source.data)) {
      return { path: file, format: 'promptune', tasks: readPromptunePlan(source, root, {}) }
    }
    return { path: file, format: 'native', tasks: validateManifest(source) }
  })
}

function readManifestText(absolute: string, shown: string): string {
  let stat: fs.Stats
  try {
    stat = fs.statSync(absolute)
  } catch {
    throw new ManifestError(
      `the manifest '${shown}' does not exist`,
      shown,
      undefined,
      "Create it, or set the 'manifest' input to its path; the default is .github/parallel-setup.yml, and a checkout step must run first"
    )
  }
  if (stat.isDirectory()) {
    throw new ManifestError(
      `the manifest path '${shown}' is a folder`,
      shown,
      undefined,
      'Point it at a YAML or JSON file'
    )
  }
  return fs.readFileSync(absolute, 'utf8')
}
