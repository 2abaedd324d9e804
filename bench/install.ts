/**
 * Section 5 of the report: a cold install against a second worktree of the same lockfile that
 * shares the package manager's cache, through the action's own install code (src/install).
 */
import fs from 'node:fs'
import path from 'node:path'
import { Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { resolveInstallPlan, runInstall } from '../src/install/index.js'
import { makeTempDir } from '../test/support/temp.js'
import type { InstallConfig } from './config.js'
import { roundSummary, summarize, type Summary } from './stats.js'

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

type Manager = InstallConfig['managers'][number]

/** Fixture folder per manager, and the subfolder that holds the lockfile. */
const FIXTURES: Record<InstallConfig['fixtures'], Record<Manager, { dir: string; sub: string }>> = {
  bench: {
    npm: { dir: 'bench/fixtures/install/npm', sub: '.' },
    pnpm: { dir: 'bench/fixtures/install/pnpm', sub: '.' },
    yarn: { dir: 'bench/fixtures/install/yarn', sub: '.' }
  },
  test: {
    npm: { dir: 'test/fixtures/install/npm-app', sub: '.' },
    pnpm: { dir: 'test/fixtures/install/pnpm-monorepo', sub: 'packages/app' },
    yarn: { dir: 'test/fixtures/install/yarn-app', sub: '.' }
  }
}

/**
 * Variables that move each manager's cache into a folder of the bench, so that "cold" means
 * an empty cache. The action itself sets none of them.
 */
function cacheEnv(manager: Manager, cache: string): Record<string, string> {
  switch (manager) {
    case 'npm':
      return { npm_config_cache: cache }
    case 'pnpm':
      return {
        npm_config_store_dir: path.join(cache, 'store'),
        npm_config_cache_dir: path.join(cache, 'metadata')
      }
    case 'yarn':
      return { YARN_CACHE_FOLDER: cache }
  }
}

export interface InstallRow {
  manager: Manager
  fixture: string
  /** The command the action ran, as its log shows it. */
  command: string | null
  /** Seconds; null when no run succeeded. */
  cold: Summary | null
  warm: Summary | null
  /** The first failure's message, if a run failed. */
  error: string | null
}

export interface InstallRecord {
  fixtures: InstallConfig['fixtures']
  runs: number
  rows: InstallRow[]
}

/**
 * Times each manager's installs. `tools` is the folder with pnpm and yarn from
 * provisionPackageManagers, or the error it threw.
 */
export async function runInstallBench(
  config: InstallConfig,
  tools: string | Error | undefined,
  log: (message: string) => void
): Promise<InstallRecord> {
  const toolsBin = typeof tools === 'string' ? tools : undefined
  const toolsError =
    tools instanceof Error
      ? `installing pnpm and yarn from the npm registry failed: ${tools.message}`
      : 'pnpm and yarn were not installed'

  const rows: InstallRow[] = []
  for (const manager of config.managers) {
    const fixture = FIXTURES[config.fixtures][manager]
    if (manager !== 'npm' && toolsBin === undefined) {
      rows.push({
        manager,
        fixture: fixture.dir,
        command: null,
        cold: null,
        warm: null,
        error: toolsError
      })
      continue
    }
    const pathValue = [toolsBin, process.env.PATH].filter(Boolean).join(path.delimiter)
    const cold: number[] = []
    const warm: number[] = []
    let command: string | null = null
    let error: string | null = null
    for (let run = 0; run < config.runs; run++) {
      const scratch = fs.realpathSync(makeTempDir(`bench-install-${manager}-`))
      const env = { ...cacheEnv(manager, path.join(scratch, 'cache')), PATH: pathValue }
      for (const [kind, list] of [
        ['cold', cold],
        ['warm', warm]
      ] as const) {
        const worktree = path.join(scratch, `worktree-${kind}`)
        fs.cpSync(path.join(repositoryRoot, fixture.dir), worktree, { recursive: true })
        const outcome = await installOnce(path.join(worktree, fixture.sub), worktree, env)
        command = outcome.command ?? command
        if (outcome.error) {
          error ??= `${kind} install: ${outcome.error}`
          continue
        }
        list.push(outcome.seconds)
      }
      fs.rmSync(scratch, { recursive: true, force: true })
    }
    rows.push({
      manager,
      fixture: fixture.dir,
      command,
      cold: cold.length > 0 ? roundSummary(summarize(cold)) : null,
      warm: warm.length > 0 ? roundSummary(summarize(warm)) : null,
      error
    })
    log(
      `install ${manager}: cold ${cold.map((s) => s.toFixed(2)).join('/')} s, warm ${warm.map((s) => s.toFixed(2)).join('/')} s` +
        (error ? ` (${error.split('\n')[0]})` : '')
    )
  }
  return { fixtures: config.fixtures, runs: config.runs, rows }
}

async function installOnce(
  directory: string,
  root: string,
  env: Record<string, string>
): Promise<{ seconds: number; command: string | null; error?: string }> {
  const processEnv = { ...process.env, ...env }
  const plan = await resolveInstallPlan(directory, 'auto', { env: processEnv, root })
  if (plan.status !== 'ready') {
    return {
      seconds: 0,
      command: plan.status === 'failed' ? plan.command : null,
      error: plan.reason
    }
  }
  const discard = new Writable({ write: (_chunk, _encoding, done) => done() })
  const started = performance.now()
  const result = await runInstall(plan, { env, outputStream: discard })
  const seconds = (performance.now() - started) / 1000
  return {
    seconds,
    command: result.command,
    error: result.status === 'success' ? undefined : (result.error ?? result.status)
  }
}
