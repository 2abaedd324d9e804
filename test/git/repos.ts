/**
 * Real git repositories for tests: a bare repository that plays the remote, and clones of it
 * made the way `actions/checkout` makes them. Everything lives under one temporary folder.
 */
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { pathToFileURL } from 'node:url'

export interface GitSandbox {
  /** Temporary folder that contains every repository of the test. */
  root: string
  /** Environment that isolates git from the user's and the system's configuration. */
  env: Record<string, string>
  /** Runs git in `cwd` and returns its stdout without the final newline. Throws on failure. */
  git(cwd: string, args: readonly string[], input?: string): string
  /** Deletes the temporary folder. */
  cleanup(): void
}

export interface BareRemote {
  /** Folder of the bare repository. */
  path: string
  /** `file://` URL of it, so git uses the same transport code as for a real remote. */
  url: string
}

/**
 * Creates a temporary folder with a private global git configuration: a fixed identity, `main`
 * as the default branch, and no system configuration.
 */
export function createGitSandbox(prefix = 'parallel-setup-git-'): GitSandbox {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)))
  const globalConfig = path.join(root, 'gitconfig')
  fs.writeFileSync(
    globalConfig,
    [
      '[user]',
      '\tname = Test Author',
      '\temail = test-author@example.com',
      '[init]',
      '\tdefaultBranch = main',
      '[advice]',
      '\tdetachedHead = false',
      ''
    ].join('\n')
  )
  const env: Record<string, string> = {
    GIT_CONFIG_GLOBAL: globalConfig,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    LC_ALL: 'C'
  }
  const git = (cwd: string, args: readonly string[], input?: string): string =>
    execFileSync('git', args, {
      cwd,
      env: { ...process.env, ...env },
      input,
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe']
    }).replace(/\n$/, '')
  return {
    root,
    env,
    git,
    cleanup: () => fs.rmSync(root, { recursive: true, force: true })
  }
}

/**
 * Creates a bare repository `name`.git whose `main` has `commits` commits, each adding one file
 * `file-<n>.txt`, and whose HEAD points to main.
 */
export function createBareRemote(sandbox: GitSandbox, name = 'remote', commits = 3): BareRemote {
  const bare = path.join(sandbox.root, `${name}.git`)
  sandbox.git(sandbox.root, ['init', '--bare', '--initial-branch=main', bare])

  const seed = path.join(sandbox.root, `${name}-seed`)
  sandbox.git(sandbox.root, ['init', '--initial-branch=main', seed])
  for (let n = 1; n <= commits; n++) {
    commitFile(sandbox, seed, `file-${n}.txt`, `content ${n}\n`, `Add file ${n}`)
  }
  sandbox.git(seed, ['push', bare, 'main:main'])
  fs.rmSync(seed, { recursive: true, force: true })
  return { path: bare, url: pathToFileURL(bare).href }
}

/**
 * Clones the way `actions/checkout` v4 does: `git init`, add `origin`, fetch one branch into
 * refs/remotes/origin/<branch> (with `--depth`, 1 by default as in the action), then check it
 * out with `checkout -B`. Other branches of the remote are not fetched.
 */
export function cloneLikeCheckout(
  sandbox: GitSandbox,
  remote: BareRemote,
  folderName = 'checkout',
  options: { branch?: string; depth?: number } = {}
): string {
  const branch = options.branch ?? 'main'
  const depth = options.depth ?? 1
  const dir = path.join(sandbox.root, folderName)
  fs.mkdirSync(dir)
  sandbox.git(dir, ['init'])
  sandbox.git(dir, ['remote', 'add', 'origin', remote.url])
  const fetchArgs = ['fetch', '--no-tags', '--prune', '--no-recurse-submodules']
  if (depth > 0) fetchArgs.push(`--depth=${depth}`)
  sandbox.git(dir, [...fetchArgs, 'origin', `+refs/heads/${branch}:refs/remotes/origin/${branch}`])
  sandbox.git(dir, ['checkout', '--force', '-B', branch, `refs/remotes/origin/${branch}`])
  return dir
}

/** Writes a file in the work tree `dir`, commits it and returns the new commit's sha. */
export function commitFile(
  sandbox: GitSandbox,
  dir: string,
  fileName: string,
  content: string,
  message: string
): string {
  fs.mkdirSync(path.dirname(path.join(dir, fileName)), { recursive: true })
  fs.writeFileSync(path.join(dir, fileName), content)
  sandbox.git(dir, ['add', '--', fileName])
  sandbox.git(dir, ['commit', '--quiet', '-m', message])
  return sandbox.git(dir, ['rev-parse', 'HEAD'])
}

/**
 * Pushes a commit to `branch` of the remote from a separate full clone, as another person or
 * job would, and returns the sha of that commit. The branch is created from main if it is new.
 */
export function pushCommitAsSomeoneElse(
  sandbox: GitSandbox,
  remote: BareRemote,
  branch: string,
  fileName: string,
  content: string
): string {
  const dir = path.join(sandbox.root, `someone-else-${fs.readdirSync(sandbox.root).length}`)
  sandbox.git(sandbox.root, ['clone', '--quiet', remote.url, dir])
  const exists = sandbox.git(dir, ['ls-remote', '--heads', 'origin', `refs/heads/${branch}`]) !== ''
  sandbox.git(dir, exists ? ['checkout', '--quiet', branch] : ['checkout', '--quiet', '-b', branch])
  const sha = commitFile(sandbox, dir, fileName, content, `Someone else's commit on ${branch}`)
  sandbox.git(dir, ['push', '--quiet', 'origin', `${branch}:${branch}`])
  return sha
}

/** Returns the sha of `branch` in the bare remote, or undefined when it has no such branch. */
export function remoteBranchHead(
  sandbox: GitSandbox,
  remote: BareRemote,
  branch: string
): string | undefined {
  try {
    return sandbox.git(remote.path, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`])
  } catch {
    return undefined
  }
}

/**
 * Makes the bare remote reject every push with the message GitHub sends to a token without
 * `contents: write`, while fetches keep working. A pre-receive hook does it, so git reports
 * the push as `[remote rejected]` after printing the message.
 */
export function denyPushes(
  remote: BareRemote,
  message = 'Permission to octo-org/scratch.git denied to github-actions[bot].'
): void {
  const hook = path.join(remote.path, 'hooks', 'pre-receive')
  fs.writeFileSync(hook, `#!/bin/sh\necho '${message}' >&2\nexit 1\n`, { mode: 0o755 })
}

/** Returns the sha of any ref in the bare remote, or undefined when it has no such ref. */
export function remoteRef(
  sandbox: GitSandbox,
  remote: BareRemote,
  ref: string
): string | undefined {
  try {
    return sandbox.git(remote.path, ['rev-parse', '--verify', '--quiet', ref])
  } catch {
    return undefined
  }
}
