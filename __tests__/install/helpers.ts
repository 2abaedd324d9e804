/**
 * Shared setup for the install tests: temporary copies of the fixtures, pnpm and yarn installed
 * from the npm registry, and PATH folders that hold only chosen executables.
 */
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

import type { InstallLogger } from '../../src/install/index.js'

export const PNPM_VERSION = '9.12.0'
export const YARN_VERSION = '1.22.22'

export const FIXTURES = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../test/fixtures/install'
)

/** Creates a temporary folder; `cleanup` deletes it. */
export function makeTempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)))
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) }
}

/** Copies fixture `name` to `target` and returns `target`. */
export function copyFixture(name: string, target: string): string {
  fs.cpSync(path.join(FIXTURES, name), target, { recursive: true })
  return target
}

/**
 * Installs pnpm and yarn 1 from the npm registry once per machine and returns the folder with
 * their executables. The folder is kept in the temporary directory so later runs reuse it, and
 * it is filled under another name and renamed, so two test workers never see it half written.
 */
export function provisionPackageManagers(): string {
  const home = path.join(
    os.tmpdir(),
    'parallel-setup-test-tools',
    `pnpm-${PNPM_VERSION}-yarn-${YARN_VERSION}`
  )
  const bin = path.join(home, 'node_modules', '.bin')
  if (fs.existsSync(path.join(home, 'complete'))) return bin

  fs.mkdirSync(path.dirname(home), { recursive: true })
  const staging = fs.mkdtempSync(`${home}.staging-`)
  execFileSync(
    'npm',
    [
      'install',
      '--prefix',
      staging,
      '--no-save',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      `pnpm@${PNPM_VERSION}`,
      `yarn@${YARN_VERSION}`
    ],
    { stdio: 'pipe' }
  )
  fs.writeFileSync(path.join(staging, 'complete'), '')
  try {
    fs.renameSync(staging, home)
  } catch {
    // Another worker finished first; its copy is as good as this one.
    fs.rmSync(staging, { recursive: true, force: true })
  }
  return bin
}

/**
 * Creates a folder with links to the named executables of this machine (found on the current
 * PATH), for a PATH that leaves out everything else, such as a global corepack.
 */
export function linkExecutables(dir: string, names: readonly string[]): string {
  fs.mkdirSync(dir, { recursive: true })
  for (const name of names) {
    const found = execFileSync('bash', ['-c', 'command -v -- "$1"', 'bash', name], {
      encoding: 'utf8'
    }).trim()
    fs.symlinkSync(found, path.join(dir, name))
  }
  return dir
}

/** Writes an executable bash script `name` into `dir`. */
export function writeScript(dir: string, name: string, body: string): string {
  fs.mkdirSync(dir, { recursive: true })
  const file = path.join(dir, name)
  fs.writeFileSync(file, `#!/bin/bash\n${body}\n`, { mode: 0o755 })
  return file
}

/** Creates a logger that keeps every message, so tests can check what a user would read. */
export function recordingLogger(): InstallLogger & { lines: string[] } {
  const lines: string[] = []
  return {
    lines,
    info: (message) => lines.push(`info: ${message}`),
    warning: (message) => lines.push(`warning: ${message}`),
    debug: () => undefined,
    startGroup: (name) => lines.push(`group: ${name}`),
    endGroup: () => lines.push('endgroup')
  }
}
