/**
 * Scratch projects for benchmark runs. Each has a bare repository that plays the GitHub
 * remote, the API emulator on 127.0.0.1 with contract checks off, and a checkout that every
 * leg copies. A `git` wrapper on the legs' PATH adds a fixed delay to `git worktree add`.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { DEFAULT_TOKEN, GitHubEmulator } from '../test/emulator/index.js'
import { runAction, type ActionRun } from '../test/harness/run-action.js'
import { bundlePath } from './bundles.js'
import { cloneLikeCheckout, createGitSandbox } from '../test/git/repos.js'

export const OWNER = 'octo-org'
export const REPO = 'bench'
export const MANIFEST_PATH = '.github/parallel-setup.yml'
export const CREATE_ISSUE_ROUTE = 'POST /repos/{owner}/{repo}/issues'

export interface ProjectOptions {
  /** Task ids of the manifest, in order. */
  taskIds: string[]
  /** Real milliseconds that every `git worktree add` sleeps before git runs. */
  worktreeDelayMs: number
  /** Real milliseconds added to each issue creation. */
  createLatencyMs: number
  /** GitHub's secondary limits in the emulator; false turns them off. */
  secondary: false | { contentPerMinute: number; maxConcurrent: number }
  /** Emulated time speed (faults.timeScale), also passed to the legs. Default 1. */
  timeScale?: number
}

export interface BenchProject {
  root: string
  emulator: GitHubEmulator
  taskIds: string[]
  /** Copies the checkout into a new folder, as actions/checkout would have made it. */
  newWorkspace(): string
  /** Runs a bundled action in `workspace` with this project's runner environment. */
  run(
    action: string,
    workspace: string,
    inputs: Record<string, string>,
    options?: {
      timeoutMs?: number
      signal?: AbortSignal
      script?: string
      env?: Record<string, string>
    }
  ): Promise<ActionRun>
  stop(): Promise<void>
}

let runIds = 5000

/** Writes a manifest with one task per id and `install: none`, so no leg installs anything. */
export function manifestText(taskIds: readonly string[]): string {
  const tasks = taskIds.map((id) => `  - id: ${id}\n    title: Bench task ${id}\n`)
  return ['version: 1', 'defaults:', '  install: none', 'tasks:', ...tasks, ''].join('\n')
}

export async function createBenchProject(options: ProjectOptions): Promise<BenchProject> {
  const sandbox = createGitSandbox('parallel-setup-bench-')
  const bare = path.join(sandbox.root, 'remote.git')
  sandbox.git(sandbox.root, ['init', '--quiet', '--bare', '--initial-branch=main', bare])
  const seed = path.join(sandbox.root, 'seed')
  sandbox.git(sandbox.root, ['init', '--quiet', '--initial-branch=main', seed])
  fs.writeFileSync(path.join(seed, 'README.md'), '# Bench project\n')
  fs.mkdirSync(path.join(seed, '.github'))
  fs.writeFileSync(path.join(seed, MANIFEST_PATH), manifestText(options.taskIds))
  sandbox.git(seed, ['add', '--all'])
  sandbox.git(seed, ['commit', '--quiet', '-m', 'Start the bench project'])
  sandbox.git(seed, ['push', '--quiet', bare, 'main:main'])
  const template = cloneLikeCheckout(
    sandbox,
    { path: bare, url: pathToFileURL(bare).href },
    'checkout-template'
  )
  const shim = writeGitShim(sandbox.root, options.worktreeDelayMs)

  const emulator = await GitHubEmulator.start({ owner: OWNER, repo: REPO, contract: false })
  const timeScale = options.timeScale ?? 1
  emulator.faults.timeScale = timeScale
  // The emulator's latency is in emulated milliseconds, so it is scaled to stay the same in real time.
  emulator.faults.latencyMs[CREATE_ISSUE_ROUTE] = options.createLatencyMs * timeScale
  if (options.secondary === false) {
    emulator.faults.secondary.enabled = false
  } else {
    emulator.faults.secondary.contentPerMinute = options.secondary.contentPerMinute
    emulator.faults.secondary.maxConcurrent = options.secondary.maxConcurrent
  }

  const runId = String(++runIds)
  let copies = 0
  const env: Record<string, string> = {
    ...sandbox.env,
    PATH: `${shim}${path.delimiter}${process.env.PATH ?? ''}`,
    GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
    GITHUB_API_URL: emulator.url,
    GITHUB_SERVER_URL: 'http://127.0.0.1',
    GITHUB_RUN_ID: runId,
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_EVENT_NAME: 'workflow_dispatch',
    PARALLEL_SETUP_TIME_SCALE: String(timeScale)
  }

  return {
    root: sandbox.root,
    emulator,
    taskIds: options.taskIds,
    newWorkspace: () => {
      const target = path.join(sandbox.root, `workspace-${++copies}`)
      fs.cpSync(template, target, { recursive: true, verbatimSymlinks: true })
      return target
    },
    run: (action, workspace, inputs, runOptions = {}) =>
      runAction(action, {
        workspace,
        inputs: { token: DEFAULT_TOKEN, ...inputs },
        env: { ...env, ...runOptions.env },
        timeoutMs: runOptions.timeoutMs ?? 600_000,
        signal: runOptions.signal,
        script: runOptions.script ?? bundlePath(action)
      }),
    stop: async () => {
      await emulator.stop()
      sandbox.cleanup()
    }
  }
}

/**
 * Writes a `git` script that sleeps before `git worktree add` and then runs the real git. It
 * stands for the part of a worktree's cost that a local bare repository does not have, such
 * as a large checkout. Every other git command runs unchanged, through one extra `sh`.
 */
export function writeGitShim(root: string, delayMs: number): string {
  const realGit = execFileSync('bash', ['-c', 'command -v git'], { encoding: 'utf8' }).trim()
  const dir = path.join(root, 'git-shim')
  fs.mkdirSync(dir)
  const seconds = (delayMs / 1000).toFixed(3)
  fs.writeFileSync(
    path.join(dir, 'git'),
    [
      '#!/bin/sh',
      `if [ "$1" = worktree ] && [ "$2" = add ]; then sleep ${seconds}; fi`,
      `exec '${realGit}' "$@"`,
      ''
    ].join('\n'),
    { mode: 0o755 }
  )
  return dir
}
