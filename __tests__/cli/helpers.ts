/**
 * Shared setup for the CLI tests. It makes a scratch repository with a real npm lockfile,
 * whose origin is a local bare repository. It runs the CLI in two ways: the bundled dist/cli
 * under Node 24, as `npx parallel-setup` runs it, and main() in this process.
 */
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { main } from '../../src/cli/main.js'
import { createGitSandbox, type BareRemote, type GitSandbox } from '../../test/git/repos.js'
import { NODE24 } from '../../test/harness/run-action.js'

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
export const CLI_BUNDLE = path.join(repositoryRoot, 'dist', 'cli', 'index.js')
const NPM_APP = path.join(repositoryRoot, 'test', 'fixtures', 'install', 'npm-app')

export interface CliProject {
  sandbox: GitSandbox
  remote: BareRemote
  /** A full clone of the remote, as a developer has it. */
  checkout: string
  /** The npm cache every install of the project uses. */
  npmCache: string
  /** Environment for the CLI: git isolated from the machine's settings, no GitHub token. */
  env: Record<string, string>
  /** Runs `git` in the checkout and returns its output. */
  git(args: readonly string[], cwd?: string): string
  cleanup(): void
}

/**
 * Creates a bare remote whose main contains the npm fixture app, a .gitignore for
 * node_modules and .env, the manifest and `files`, and clones it.
 */
export function createCliProject(manifest: string, files: Record<string, string> = {}): CliProject {
  const sandbox = createGitSandbox('parallel-setup-cli-')
  const bare = path.join(sandbox.root, 'remote.git')
  sandbox.git(sandbox.root, ['init', '--bare', '--initial-branch=main', bare])
  const seed = path.join(sandbox.root, 'seed')
  fs.cpSync(NPM_APP, seed, { recursive: true })
  const all = {
    '.gitignore': 'node_modules/\n.env\n',
    '.github/parallel-setup.yml': manifest,
    ...files
  }
  for (const [name, content] of Object.entries(all)) {
    fs.mkdirSync(path.dirname(path.join(seed, name)), { recursive: true })
    fs.writeFileSync(path.join(seed, name), content)
  }
  sandbox.git(sandbox.root, ['init', '--quiet', '--initial-branch=main', seed])
  sandbox.git(seed, ['add', '--all'])
  sandbox.git(seed, ['commit', '--quiet', '-m', 'Start the app'])
  sandbox.git(seed, ['push', '--quiet', bare, 'main:main'])
  const remote = { path: bare, url: pathToFileURL(bare).href }
  const checkout = path.join(sandbox.root, 'checkout')
  sandbox.git(sandbox.root, ['clone', '--quiet', remote.url, checkout])

  const npmCache = path.join(sandbox.root, 'npm-cache')
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^(GH_TOKEN|GITHUB_.*)$/.test(key)) env[key] = value
  }
  Object.assign(env, sandbox.env, {
    npm_config_cache: npmCache,
    npm_config_update_notifier: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false'
  })
  return {
    sandbox,
    remote,
    checkout,
    npmCache,
    env,
    git: (args, cwd = checkout) => sandbox.git(cwd, args),
    cleanup: () => sandbox.cleanup()
  }
}

export interface CliRun {
  exitCode: number
  stdout: string
  stderr: string
}

/** Runs the bundled CLI with Node 24, the way `npx parallel-setup` runs it. */
export function runCliBundle(
  args: readonly string[],
  options: { cwd: string; env: Record<string, string> }
): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      NODE24,
      [CLI_BUNDLE, ...args],
      { cwd: options.cwd, env: options.env, encoding: 'utf8', timeout: 120_000 },
      (error, stdout, stderr) => {
        let exitCode = 0
        if (error) {
          // A process that did not exit by itself (killed, timed out) has no numeric code.
          exitCode = typeof error.code === 'number' ? error.code : -1
        }
        resolve({ exitCode, stdout, stderr })
      }
    )
  })
}

/** Runs main() in this process with recording streams. */
export async function runCliInProcess(
  args: string[],
  options: { cwd: string; env: Record<string, string> }
): Promise<CliRun> {
  let stdout = ''
  let stderr = ''
  const exitCode = await main(args, {
    cwd: options.cwd,
    env: options.env,
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) }
  })
  return { exitCode, stdout, stderr }
}

/** Reads a JSON file. */
export function readJson<T = Record<string, unknown>>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T
}
