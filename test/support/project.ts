import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { createGitSandbox, type BareRemote, type GitSandbox } from '../git/repos.js'
import { DEFAULT_TOKEN, GitHubEmulator } from '../emulator/index.js'
import { runAction, type ActionRun } from '../harness/run-action.js'

/** A scratch project: a bare remote holding `files` on main, and the emulator for its API. */
export interface ScratchProject {
  sandbox: GitSandbox
  remote: BareRemote
  emulator: GitHubEmulator
  owner: string
  repo: string
  /** Clones the remote the way actions/checkout does, into a new folder. */
  checkout(name?: string): string
  /** Runs a bundled action in `workspace` with the runner's environment for this project. */
  run(
    action: string,
    workspace: string,
    inputs: Record<string, string>,
    env?: Record<string, string>,
    options?: { signal?: AbortSignal; killSignal?: NodeJS.Signals }
  ): Promise<ActionRun>
  stop(): Promise<void>
}

let checkouts = 0

export async function createScratchProject(files: Record<string, string>): Promise<ScratchProject> {
  const sandbox = createGitSandbox()
  const bare = path.join(sandbox.root, 'remote.git')
  sandbox.git(sandbox.root, ['init', '--bare', '--initial-branch=main', bare])
  const seed = path.join(sandbox.root, 'seed')
  sandbox.git(sandbox.root, ['init', '--initial-branch=main', seed])
  for (const [name, content] of Object.entries({ 'README.md': '# Scratch project\n', ...files })) {
    fs.mkdirSync(path.dirname(path.join(seed, name)), { recursive: true })
    fs.writeFileSync(path.join(seed, name), content)
  }
  sandbox.git(seed, ['add', '--all'])
  sandbox.git(seed, ['commit', '--quiet', '-m', 'Start the project'])
  sandbox.git(seed, ['push', '--quiet', bare, 'main:main'])
  const remote = { path: bare, url: pathToFileURL(bare).href }

  const owner = 'octo-org'
  const repo = 'scratch'
  const emulator = await GitHubEmulator.start({ owner, repo })

  const checkout = (name = `checkout-${++checkouts}`): string => {
    const dir = path.join(sandbox.root, name)
    fs.mkdirSync(dir)
    sandbox.git(dir, ['init', '--quiet'])
    sandbox.git(dir, ['remote', 'add', 'origin', remote.url])
    sandbox.git(dir, [
      'fetch',
      '--quiet',
      '--no-tags',
      '--depth=1',
      'origin',
      '+refs/heads/main:refs/remotes/origin/main'
    ])
    sandbox.git(dir, ['checkout', '--quiet', '--force', '-B', 'main', 'refs/remotes/origin/main'])
    return dir
  }

  return {
    sandbox,
    remote,
    emulator,
    owner,
    repo,
    checkout,
    run: (action, workspace, inputs, env = {}, options = {}) =>
      runAction(action, {
        ...options,
        workspace,
        inputs: { token: DEFAULT_TOKEN, ...inputs },
        env: {
          ...sandbox.env,
          GITHUB_REPOSITORY: `${owner}/${repo}`,
          GITHUB_API_URL: emulator.url,
          GITHUB_SERVER_URL: 'http://127.0.0.1',
          GITHUB_RUN_ID: '1001',
          GITHUB_RUN_ATTEMPT: '1',
          GITHUB_EVENT_NAME: 'workflow_dispatch',
          ...env
        }
      }),
    stop: async () => {
      await emulator.stop()
      sandbox.cleanup()
    }
  }
}
