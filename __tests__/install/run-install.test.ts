/**
 * Real installs from the npm registry with npm, pnpm and yarn 1, each with caches in the test's
 * temporary folder. pnpm and yarn come from the npm registry (see helpers.ts).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { PassThrough } from 'node:stream'

import {
  type InstallPlan,
  type ReadyInstallPlan,
  resolveInstallPlan,
  runInstall
} from '../../src/install/index.js'
import {
  PNPM_VERSION,
  YARN_VERSION,
  copyFixture,
  linkExecutables,
  makeTempDir,
  provisionPackageManagers,
  recordingLogger,
  writeScript
} from './helpers.js'

let toolsBin: string
let tmp: string
let cleanup: () => void

beforeAll(() => {
  toolsBin = provisionPackageManagers()
}, 120_000)

beforeEach(() => {
  ;({ dir: tmp, cleanup } = makeTempDir('parallel-setup-install-'))
})

afterEach(() => cleanup())

/** Environment with the provisioned pnpm and yarn first on PATH and every cache under `tmp`. */
function testEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: `${toolsBin}${path.delimiter}${process.env.PATH ?? ''}`,
    npm_config_cache: path.join(tmp, 'npm-cache'),
    npm_config_store_dir: path.join(tmp, 'pnpm-store'),
    npm_config_cache_dir: path.join(tmp, 'pnpm-cache'),
    npm_config_update_notifier: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    YARN_CACHE_FOLDER: path.join(tmp, 'yarn-cache'),
    ...extra
  }
}

/** Creates a stream that keeps what the install prints. */
function outputCollector(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough()
  const chunks: Buffer[] = []
  stream.on('data', (chunk: Buffer) => chunks.push(chunk))
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') }
}

function installedVersion(projectDir: string, name: string): string {
  const manifest = path.join(projectDir, 'node_modules', name, 'package.json')
  return (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string }).version
}

async function planAndRun(
  dir: string,
  env: Record<string, string>,
  setting = 'auto',
  root?: string
): Promise<{
  plan: InstallPlan
  result: Awaited<ReturnType<typeof runInstall>>
  logger: ReturnType<typeof recordingLogger>
  output: string
}> {
  const plan = await resolveInstallPlan(dir, setting, { env, root })
  const logger = recordingLogger()
  const output = outputCollector()
  const result = await runInstall(plan, { logger, env, outputStream: output.stream })
  return { plan, result, logger, output: output.text() }
}

describe('runInstall with real package managers', () => {
  test('npm ci installs the fixture', async () => {
    const project = copyFixture('npm-app', path.join(tmp, 'npm-app'))
    const { result, logger, output } = await planAndRun(project, testEnv())

    expect(result).toEqual({
      status: 'success',
      packageManager: 'npm',
      command: 'npm ci',
      durationMs: expect.any(Number),
      exitCode: 0
    })
    expect(installedVersion(project, 'is-number')).toBe('7.0.0')
    expect(logger.lines[0]).toBe(`group: Installing dependencies in ${project} (npm ci)`)
    expect(logger.lines[1]).toBe('endgroup')
    expect(logger.lines[2]).toMatch(/^info: Installed dependencies with `npm ci` in \d+\.\d s\.$/)
    expect(output).toContain('added 1 package')
  })

  test('pnpm in a monorepo subfolder', async () => {
    const repo = copyFixture('pnpm-monorepo', path.join(tmp, 'repo'))
    const { plan, result } = await planAndRun(repo, testEnv(), 'auto', repo)

    expect(plan).toMatchObject({
      status: 'ready',
      packageManager: 'pnpm',
      directory: path.join(repo, 'packages/app'),
      command: 'pnpm install --frozen-lockfile'
    })
    expect(result).toMatchObject({ status: 'success', exitCode: 0 })
    expect(installedVersion(path.join(repo, 'packages/app'), 'is-number')).toBe('7.0.0')
  })

  test('yarn 1 installs the fixture', async () => {
    const project = copyFixture('yarn-app', path.join(tmp, 'yarn-app'))
    const { result } = await planAndRun(project, testEnv())

    expect(result).toMatchObject({
      status: 'success',
      packageManager: 'yarn',
      command: 'yarn install --frozen-lockfile --mutex network'
    })
    expect(installedVersion(project, 'is-number')).toBe('7.0.0')
  })

  // corepack downloads pnpm and yarn itself, which fails on this machine's registry (see the
  // opt-in test below), so a stand-in records what it was asked and runs the provisioned tool.
  test.each([
    ['pnpm-monorepo', `pnpm@${PNPM_VERSION}`, 'packages/app', 'install --frozen-lockfile'],
    ['yarn-app', `yarn@${YARN_VERSION}`, '.', 'install --frozen-lockfile --mutex network']
  ])('%s through corepack', async (fixture, spec, subfolder, args) => {
    const repo = copyFixture(fixture, path.join(tmp, 'repo'))
    const bin = linkExecutables(path.join(tmp, 'bin'), ['node'])
    const log = path.join(tmp, 'corepack.log')
    writeScript(
      bin,
      'corepack',
      [
        `printf '%s prompt=%s autopin=%s\\n' "$*" "$COREPACK_ENABLE_DOWNLOAD_PROMPT" "$COREPACK_ENABLE_AUTO_PIN" >> ${JSON.stringify(log)}`,
        'tool="${1%%@*}"; shift',
        `exec ${JSON.stringify(toolsBin)}/"$tool" "$@"`
      ].join('\n')
    )
    const env = testEnv({ PATH: bin })
    const { plan, result } = await planAndRun(repo, env, 'auto', repo)

    expect(plan).toMatchObject({ command: `corepack ${spec} ${args}` })
    expect(result).toMatchObject({ status: 'success', exitCode: 0 })
    expect(fs.readFileSync(log, 'utf8')).toBe(`${spec} ${args} prompt=0 autopin=0\n`)
    expect(installedVersion(path.join(repo, subfolder), 'is-number')).toBe('7.0.0')
  })

  test.each([
    ['npm-app', 'npm ci'],
    ['pnpm-monorepo', 'pnpm install --frozen-lockfile'],
    ['yarn-app', 'yarn install --frozen-lockfile --mutex network']
  ])('two concurrent installs of %s', async (fixture, command) => {
    // Two worktrees of one repository install the same lockfile at once with one shared cache,
    // as parallel legs on one machine do. The cache starts empty so both download.
    const first = copyFixture(fixture, path.join(tmp, 'worktree-1'))
    const second = copyFixture(fixture, path.join(tmp, 'worktree-2'))
    const env = testEnv()

    const results = await Promise.all(
      [first, second].map(async (dir) => {
        const plan = await resolveInstallPlan(dir, 'auto', { env, root: dir })
        return runInstall(plan, { env, outputStream: new PassThrough().resume() })
      })
    )

    expect(results.map((r) => [r.status, r.command, r.error])).toEqual([
      ['success', command, undefined],
      ['success', command, undefined]
    ])
    const app = fixture === 'pnpm-monorepo' ? 'packages/app' : '.'
    expect(installedVersion(path.join(first, app), 'is-number')).toBe('7.0.0')
    expect(installedVersion(path.join(second, app), 'is-number')).toBe('7.0.0')
  })
})

describe('runInstall failures', () => {
  test('out-of-sync lockfile fails with npm output', async () => {
    const project = copyFixture('npm-app', path.join(tmp, 'npm-app'))
    const manifest = JSON.parse(fs.readFileSync(path.join(project, 'package.json'), 'utf8'))
    manifest.dependencies['is-odd'] = '3.0.1'
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify(manifest))

    const { result, logger } = await planAndRun(project, testEnv())

    expect(result.status).toBe('failed')
    expect(result.exitCode).toBe(1)
    expect(result.error?.split('\n')[0]).toBe('`npm ci` failed with exit code 1.')
    expect(result.error).toContain(
      'can only install packages when your package.json and package-lock.json'
    )
    // The caller reports the failure, so runInstall logs no warning of its own.
    expect(logger.lines.filter((line) => line.startsWith('warning'))).toEqual([])
    expect(fs.existsSync(path.join(project, 'node_modules', 'is-number'))).toBe(false)
  })

  test('corepack signature failure gets a hint', async () => {
    const repo = copyFixture('pnpm-monorepo', path.join(tmp, 'repo'))
    const bin = path.join(tmp, 'bin')
    // The error corepack 0.34.6 printed on this machine for `corepack pnpm@9.12.0 --version`.
    writeScript(
      bin,
      'corepack',
      [
        "echo '  if (!Array.isArray(signatures) || !signatures.length) throw new Error(`No compatible signature found in package metadata`);' >&2",
        "echo 'Error: No compatible signature found in package metadata' >&2",
        'exit 1'
      ].join('\n')
    )
    const { result } = await planAndRun(repo, testEnv({ PATH: bin }), 'auto', repo)

    expect(result).toMatchObject({
      status: 'failed',
      exitCode: 1,
      command: 'corepack pnpm@9.12.0 install --frozen-lockfile'
    })
    expect(result.error?.split('\n')[0]).toBe(
      '`corepack pnpm@9.12.0 install --frozen-lockfile` failed with exit code 1. corepack could ' +
        "not verify the signature of the package manager it downloads: the registry's metadata " +
        "lacks npm's signature (some registry proxies drop it) or this corepack is too old for " +
        "npm's current keys. Install the package manager in an earlier step (for example " +
        'pnpm/action-setup) or update corepack (`npm install -g corepack@latest`).'
    )
    expect(result.error).toContain('Error: No compatible signature found in package metadata')
  })

  test('command that cannot start', async () => {
    const plan: ReadyInstallPlan = {
      status: 'ready',
      packageManager: 'npm',
      argv: [path.join(tmp, 'missing', 'npm'), 'ci'],
      command: 'npm ci',
      directory: tmp,
      env: {}
    }
    const result = await runInstall(plan, { outputStream: new PassThrough().resume() })
    expect(result.status).toBe('failed')
    expect(result.exitCode).toBeUndefined()
    expect(result.error).toMatch(/^`npm ci` could not start: Unable to locate executable file: /)
  })

  test('plans that do not run', async () => {
    const logger = recordingLogger()
    expect(await runInstall({ status: 'skipped', reason: 'Nothing to do.' }, { logger })).toEqual({
      status: 'skipped',
      packageManager: '',
      command: '',
      durationMs: 0,
      reason: 'Nothing to do.'
    })
    expect(
      await runInstall(
        { status: 'failed', packageManager: 'unknown', command: '', reason: 'Ambiguous.' },
        { logger }
      )
    ).toEqual({
      status: 'failed',
      packageManager: 'unknown',
      command: '',
      durationMs: 0,
      error: 'Ambiguous.'
    })
    expect(logger.lines).toEqual(['info: Nothing to do.'])
  })

  test('dry run installs nothing', async () => {
    const project = copyFixture('npm-app', path.join(tmp, 'npm-app'))
    const env = testEnv()
    const plan = await resolveInstallPlan(project, 'auto', { env })
    const logger = recordingLogger()
    const result = await runInstall(plan, { logger, env, dryRun: true })

    expect(result).toEqual({
      status: 'skipped',
      packageManager: 'npm',
      command: 'npm ci',
      durationMs: 0,
      reason: `[dry run] would run \`npm ci\` in ${project}`
    })
    expect(logger.lines).toEqual([`info: [dry run] would run \`npm ci\` in ${project}`])
    expect(fs.existsSync(path.join(project, 'node_modules'))).toBe(false)
  })
})

describe('custom install commands', () => {
  test('task data stays data', async () => {
    const title = 'Fix $(touch pwned) and `touch pwned2`; touch pwned3'
    const env = testEnv({ TASK_TITLE: title })
    const { result } = await planAndRun(tmp, env, `printf '%s\\n' "$TASK_TITLE" > title.txt`)

    expect(result).toMatchObject({ status: 'success', packageManager: 'custom', exitCode: 0 })
    expect(fs.readFileSync(path.join(tmp, 'title.txt'), 'utf8')).toBe(`${title}\n`)
    expect(fs.readdirSync(tmp).filter((name) => name.startsWith('pwned'))).toEqual([])
  })

  test('folder name with shell syntax', async () => {
    const project = copyFixture('npm-app', path.join(tmp, 'app $(touch pwned) `touch pwned2`'))
    const { result } = await planAndRun(project, testEnv())

    expect(result.status).toBe('success')
    expect(installedVersion(project, 'is-number')).toBe('7.0.0')
    expect(fs.readdirSync(tmp).filter((name) => name.startsWith('pwned'))).toEqual([])
    expect(fs.readdirSync(project).filter((name) => name.startsWith('pwned'))).toEqual([])
  })

  test('bash runs with errexit and pipefail', async () => {
    const errexit = await planAndRun(tmp, testEnv(), 'false; touch after.txt')
    expect(errexit.result).toMatchObject({ status: 'failed', exitCode: 1 })
    expect(fs.existsSync(path.join(tmp, 'after.txt'))).toBe(false)

    const pipefail = await planAndRun(tmp, testEnv(), 'false | true')
    expect(pipefail.result).toMatchObject({ status: 'failed', exitCode: 1 })
  })

  test('failure keeps the start and end of stderr', async () => {
    const script = 'for i in $(seq 1 40); do echo "line $i" >&2; done; exit 3'
    const { result } = await planAndRun(tmp, testEnv(), script)

    expect(result.exitCode).toBe(3)
    const head = Array.from({ length: 10 }, (_, i) => `line ${i + 1}`)
    const tail = Array.from({ length: 20 }, (_, i) => `line ${i + 21}`)
    expect(result.error).toBe(
      [`\`${script}\` failed with exit code 3.`, ...head, '[... 10 lines ...]', ...tail].join('\n')
    )
  })

  test('short stderr is kept whole', async () => {
    const { result } = await planAndRun(tmp, testEnv(), 'echo one >&2; echo; echo two >&2; exit 2')
    expect(result.error).toBe(
      '`echo one >&2; echo; echo two >&2; exit 2` failed with exit code 2.\none\ntwo'
    )
  })

  test('stdout used when stderr is empty', async () => {
    const { result } = await planAndRun(tmp, testEnv(), 'echo "ERR_PNPM_SOMETHING bad"; exit 1')
    expect(result.error).toBe(
      '`echo "ERR_PNPM_SOMETHING bad"; exit 1` failed with exit code 1.\nERR_PNPM_SOMETHING bad'
    )
  })
})

// NOTE: corepack 0.34.6 on this machine fails to download any package manager because the
// registry serves metadata without npm's signatures. Set TEST_REAL_COREPACK=1 where corepack can
// download to run the install through the real corepack.
const withRealCorepack = process.env.TEST_REAL_COREPACK === '1' ? test : test.skip
withRealCorepack('pnpm through the real corepack', async () => {
  const repo = copyFixture('pnpm-monorepo', path.join(tmp, 'repo'))
  const bin = linkExecutables(path.join(tmp, 'bin'), ['node', 'corepack'])
  const env = testEnv({ PATH: bin, COREPACK_HOME: path.join(tmp, 'corepack-home') })
  const { plan, result } = await planAndRun(repo, env, 'auto', repo)

  expect(plan).toMatchObject({ command: `corepack pnpm@${PNPM_VERSION} install --frozen-lockfile` })
  expect(result).toMatchObject({ status: 'success', exitCode: 0 })
  expect(installedVersion(path.join(repo, 'packages/app'), 'is-number')).toBe('7.0.0')
})
