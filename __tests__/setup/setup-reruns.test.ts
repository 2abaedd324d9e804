import fs from 'node:fs'
import path from 'node:path'
import { createScratchProject, type ScratchProject } from '../../test/support/project.js'
import {
  copyFixture,
  linkExecutables,
  makeTempDir,
  provisionPackageManagers,
  writeScript
} from '../install/helpers.js'

function issuesOf(project: ScratchProject) {
  return [...project.emulator.state.issues.values()]
}

describe('setup across re-runs', () => {
  let project: ScratchProject

  afterEach(async () => {
    project.emulator.assertContract()
    await project.stop()
  })

  it('keeps 14 issues over a run, a re-run and a re-run of failed legs', async () => {
    // Tasks t3 and t7 fail their install on the first attempt; the re-run of the failed legs
    // overrides the install, as a user who fixed the cause would.
    const tasks = Array.from({ length: 14 }, (_, i) => ({
      id: `t${i}`,
      title: `Task ${i}`,
      install: i === 3 || i === 7 ? 'exit 7' : 'none'
    }))
    project = await createScratchProject({
      '.github/parallel-setup.yml': JSON.stringify({ version: 1, tasks })
    })
    const runLegs = (ids: string[], attempt: number, inputs: Record<string, string> = {}) =>
      Promise.all(
        ids.map((id, index) =>
          project.run(
            'setup',
            project.checkout(),
            { task: id, index: String(index), ...inputs },
            { GITHUB_RUN_ATTEMPT: String(attempt) }
          )
        )
      )
    const ids = tasks.map((task) => task.id)

    const first = await runLegs(ids, 1)
    expect(first.map((run) => run.outputs.status)).toEqual(
      ids.map((id) => (id === 't3' || id === 't7' ? 'failed' : 'ready'))
    )
    expect(first.map((run) => run.outputs['issue-created'])).toEqual(ids.map(() => 'true'))

    const second = await runLegs(ids, 2)
    for (const run of second) {
      expect(Object.keys(run.outputs).sort()).toEqual([
        'branch',
        'branch-created',
        'install-command',
        'install-status',
        'issue-created',
        'issue-number',
        'issue-url',
        'package-manager',
        'result',
        'result-file',
        'status',
        'worktree'
      ])
      expect(run.outputs['issue-created']).toBe('false')
      expect(run.outputs['branch-created']).toBe('false')
    }
    expect(second.map((run) => run.outputs['issue-number'])).toEqual(
      first.map((run) => run.outputs['issue-number'])
    )

    const failed = await runLegs(['t3', 't7'], 3, { install: 'none' })
    expect(failed.map((run) => [run.outputs.status, run.outputs['issue-created']])).toEqual([
      ['ready', 'false'],
      ['ready', 'false']
    ])
    expect(issuesOf(project)).toHaveLength(14)
    expect(new Set(issuesOf(project).map((issue) => issue.title)).size).toBe(14)
  })

  it('names the subfolder of a failed install', async () => {
    // The lockfile lists no dependency, so npm ci fails before it reads the registry.
    const app = { name: 'app', version: '1.0.0', dependencies: { 'is-number': '7.0.0' } }
    const lock = {
      name: 'app',
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: { '': { name: 'app', version: '1.0.0' } }
    }
    project = await createScratchProject({
      'packages/app/package.json': JSON.stringify(app),
      'packages/app/package-lock.json': JSON.stringify(lock),
      '.github/parallel-setup.yml': JSON.stringify({ version: 1, tasks: [{ id: 'a', title: 'A' }] })
    })

    const run = await project.run('setup', project.checkout(), { task: 'a' })
    expect(run.outputs['install-status']).toBe('failed')
    const errors = run.annotations.filter((annotation) => annotation.level === 'error')
    expect(errors).toHaveLength(1)
    const folder = path.join(run.outputs.worktree!, 'packages', 'app')
    expect(errors[0]!.message).toContain(`Installing dependencies failed in ${folder}: `)
  })

  it('installs a pnpm monorepo app through corepack in two legs at once', async () => {
    // The lockfile is only in packages/app, the project pins pnpm, and pnpm is not on PATH.
    const fixture = makeTempDir('pnpm-fixture-')
    const files: Record<string, string> = {}
    const copy = copyFixture('pnpm-monorepo', path.join(fixture.dir, 'repo'))
    for (const relative of [
      'package.json',
      'packages/app/package.json',
      'packages/app/pnpm-lock.yaml'
    ]) {
      files[relative] = fs.readFileSync(path.join(copy, relative), 'utf8')
    }
    const manifest = {
      version: 1,
      tasks: [
        { id: 'a', title: 'A' },
        { id: 'b', title: 'B' }
      ]
    }
    project = await createScratchProject({
      ...files,
      '.github/parallel-setup.yml': JSON.stringify(manifest)
    })

    const toolsBin = provisionPackageManagers()
    const bin = linkExecutables(path.join(fixture.dir, 'bin'), ['node', 'git', 'bash', 'env'])
    // corepack cannot download pnpm on this machine, so a stand-in runs the provisioned pnpm.
    writeScript(
      bin,
      'corepack',
      ['tool="${1%%@*}"; shift', `exec ${JSON.stringify(toolsBin)}/"$tool" "$@"`].join('\n')
    )
    const env = { PATH: bin, npm_config_store_dir: path.join(fixture.dir, 'pnpm-store') }

    const runs = await Promise.all(
      ['a', 'b'].map((task) => project.run('setup', project.checkout(), { task }, env))
    )
    for (const run of runs) {
      expect(run.outputs['install-status']).toBe('success')
      expect(run.outputs['package-manager']).toBe('pnpm')
      expect(run.outputs['install-command']).toBe('corepack pnpm@9.12.0 install --frozen-lockfile')
      expect(
        fs.existsSync(
          path.join(run.outputs.worktree!, 'packages', 'app', 'node_modules', 'is-number')
        )
      ).toBe(true)
    }
    fixture.cleanup()
  })
})
