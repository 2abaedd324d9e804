import * as fs from 'node:fs'
import * as path from 'node:path'

import { displayCommand, resolveInstallPlan } from '../../src/install/index.js'
import { linkExecutables, makeTempDir, writeScript } from './helpers.js'

let root: string
let cleanup: () => void

beforeEach(() => {
  ;({ dir: root, cleanup } = makeTempDir('parallel-setup-plan-'))
})

afterEach(() => cleanup())

function write(name: string, content: string): void {
  fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true })
  fs.writeFileSync(path.join(root, name), content)
}

/** Builds a PATH of one folder that contains exactly the given scripts and links. */
function pathWith(scripts: Record<string, string>, links: string[] = []): Record<string, string> {
  const bin = path.join(root, '.bin')
  linkExecutables(bin, links)
  for (const [name, body] of Object.entries(scripts)) writeScript(bin, name, body)
  return { PATH: bin }
}

describe('resolveInstallPlan', () => {
  test('none skips the install', async () => {
    write('package-lock.json', '{}')
    expect(await resolveInstallPlan(root, 'none')).toEqual({
      status: 'skipped',
      reason: 'Dependency install is turned off (`install: none`).'
    })
  })

  test('auto without a lockfile skips', async () => {
    expect(await resolveInstallPlan(root, 'auto')).toEqual({
      status: 'skipped',
      reason:
        `No lockfile found in ${root} or in its subfolders up to 3 levels deep, so no ` +
        'dependencies were installed. Set `install` to a command if the project needs one.'
    })
  })

  test('ambiguous lockfiles fail', async () => {
    write('a/package-lock.json', '{}')
    write('b/Cargo.lock', '')
    expect(await resolveInstallPlan(root, 'auto')).toEqual({
      status: 'failed',
      packageManager: 'unknown',
      command: '',
      reason:
        'Found lockfiles in 2 folders, so the dependency install cannot pick one: ' +
        'a (package-lock.json), b (Cargo.lock). Set `working-directory` to the folder to ' +
        'install, or set `install` to a command.'
    })
  })

  test('custom command runs in bash', async () => {
    const env = pathWith({}, ['bash'])
    const command = 'make deps && echo "$TASK_TITLE"'
    expect(await resolveInstallPlan(root, command, { env })).toEqual({
      status: 'ready',
      packageManager: 'custom',
      argv: [
        path.join(root, '.bin', 'bash'),
        '--noprofile',
        '--norc',
        '-eo',
        'pipefail',
        '-c',
        command
      ],
      command,
      directory: root,
      env: {}
    })
  })

  test('npm on PATH runs directly', async () => {
    write('package-lock.json', '{}')
    const env = pathWith({ npm: 'exit 0' })
    expect(await resolveInstallPlan(root, 'auto', { env })).toEqual({
      status: 'ready',
      packageManager: 'npm',
      argv: [path.join(root, '.bin', 'npm'), 'ci'],
      command: 'npm ci',
      directory: root,
      lockfile: 'package-lock.json',
      env: {}
    })
  })

  test('missing tool names the fix', async () => {
    write('uv.lock', '')
    expect(await resolveInstallPlan(root, 'auto', { env: pathWith({}) })).toEqual({
      status: 'failed',
      packageManager: 'uv',
      command: 'uv sync --frozen',
      reason:
        `uv.lock was found in ${root}, but uv is not installed on this runner. Add a step that ` +
        "sets up uv before this action, or set `install` to 'none' or to a command."
    })
  })

  test('pip falls back to python3', async () => {
    write('requirements.txt', 'requests==2.32.3\n')
    const plan = await resolveInstallPlan(root, 'auto', { env: pathWith({ python3: 'exit 0' }) })
    expect(plan).toMatchObject({
      status: 'ready',
      argv: [path.join(root, '.bin', 'python3'), '-m', 'pip', 'install', '-r', 'requirements.txt'],
      command: 'python3 -m pip install -r requirements.txt'
    })
  })

  test('pnpm with a matching major runs directly', async () => {
    write('pnpm-lock.yaml', '')
    write('package.json', JSON.stringify({ packageManager: 'pnpm@9.12.0' }))
    const env = pathWith({ pnpm: 'echo 9.15.4' })
    expect(await resolveInstallPlan(root, 'auto', { env })).toEqual({
      status: 'ready',
      packageManager: 'pnpm',
      argv: [path.join(root, '.bin', 'pnpm'), 'install', '--frozen-lockfile'],
      command: 'pnpm install --frozen-lockfile',
      directory: root,
      lockfile: 'pnpm-lock.yaml',
      env: {}
    })
  })

  test('pnpm with another major uses corepack', async () => {
    write('pnpm-lock.yaml', '')
    write('package.json', JSON.stringify({ packageManager: 'pnpm@9.12.0+sha512.abc' }))
    const env = pathWith({ pnpm: 'echo 8.15.9', corepack: 'exit 0' })
    expect(await resolveInstallPlan(root, 'auto', { env })).toEqual({
      status: 'ready',
      packageManager: 'pnpm',
      argv: [path.join(root, '.bin', 'corepack'), 'pnpm@9.12.0', 'install', '--frozen-lockfile'],
      command: 'corepack pnpm@9.12.0 install --frozen-lockfile',
      directory: root,
      lockfile: 'pnpm-lock.yaml',
      env: { COREPACK_ENABLE_DOWNLOAD_PROMPT: '0', COREPACK_ENABLE_AUTO_PIN: '0' },
      note: 'pnpm 8.15.9 on PATH does not match the pinned pnpm@9.12.0, so corepack runs the pinned version.'
    })
  })

  test('missing yarn without a pin uses corepack', async () => {
    write('yarn.lock', '')
    const env = pathWith({ corepack: 'exit 0' })
    expect(await resolveInstallPlan(root, 'auto', { env })).toMatchObject({
      status: 'ready',
      argv: [
        path.join(root, '.bin', 'corepack'),
        'yarn',
        'install',
        '--frozen-lockfile',
        '--mutex',
        'network'
      ],
      command: 'corepack yarn install --frozen-lockfile --mutex network',
      note: 'yarn is not on PATH, so corepack provides yarn.'
    })
  })

  test('missing pnpm and corepack fail clearly', async () => {
    write('pnpm-lock.yaml', '')
    write('package.json', JSON.stringify({ packageManager: 'pnpm@9.12.0' }))
    expect(await resolveInstallPlan(root, 'auto', { env: pathWith({}) })).toEqual({
      status: 'failed',
      packageManager: 'pnpm',
      command: 'pnpm install --frozen-lockfile',
      reason:
        'pnpm is not installed, and corepack, which would provide pnpm@9.12.0, was not found ' +
        'either. Add a step that installs pnpm@9.12.0 before this action (for example ' +
        'pnpm/action-setup for pnpm), or use a Node.js that ships corepack (Node.js 14.19 to 24).'
    })
  })

  test('pin from the worktree root', async () => {
    write('package.json', JSON.stringify({ packageManager: 'pnpm@9.12.0' }))
    write('packages/app/package.json', '{}')
    write('packages/app/pnpm-lock.yaml', '')
    const env = pathWith({ corepack: 'exit 0' })
    const app = path.join(root, 'packages/app')
    expect(await resolveInstallPlan(app, 'auto', { env, root })).toMatchObject({
      directory: app,
      command: 'corepack pnpm@9.12.0 install --frozen-lockfile'
    })
  })
})

describe('displayCommand', () => {
  test('quotes only what a shell would split', () => {
    expect(displayCommand(['npm', 'ci'])).toBe('npm ci')
    expect(displayCommand(['corepack', 'pnpm@9.12.0', 'install'])).toBe(
      'corepack pnpm@9.12.0 install'
    )
    expect(displayCommand(['echo', 'two words', '$(x)'])).toBe('echo "two words" "$(x)"')
  })
})
