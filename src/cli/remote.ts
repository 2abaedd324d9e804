import type { Repository } from '../github/index.js'

/** The GitHub repository a git remote points to, and the REST API that serves it. */
export interface GitHubRemote {
  /** Host name, with the port for an http(s) URL that names one. */
  host: string
  owner: string
  repo: string
  /** REST API root: https://api.github.com for github.com, HOST/api/v3 for other hosts. */
  apiUrl: string
}

/** API root and repository that the CLI sends its issue requests to. */
export interface GitHubTarget {
  apiUrl: string
  repository: Repository
  /** Setting that the API URL came from, for messages. */
  apiUrlSource: '--api-url' | 'GITHUB_API_URL' | 'origin' | 'default'
}

const GITHUB_COM_API = 'https://api.github.com'
const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i
/** scp-like syntax that git accepts for ssh: `[user@]host:path`, with no slash before the colon. */
const SCP_LIKE = /^(?:[^@/\s]+@)?([^:/\s]+):(.+)$/
const OWNER_AND_NAME = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/

/**
 * Reads the GitHub owner, repository and API URL from a git remote URL: https, http, ssh
 * and git URLs, and the scp-like `git@host:owner/repo.git`. Returns undefined for local
 * paths, file URLs and paths that are not exactly `owner/repo`.
 */
export function parseGitHubRemote(url: string): GitHubRemote | undefined {
  const text = url.trim()
  let host: string
  let apiBase: string
  let pathname: string

  const scheme = SCHEME.exec(text)?.[1]?.toLowerCase()
  if (scheme !== undefined) {
    let parsed: URL
    try {
      parsed = new URL(text)
    } catch {
      return undefined
    }
    if (scheme === 'https' || scheme === 'http') {
      host = parsed.host
      apiBase = `${scheme}://${parsed.host}`
    } else if (['ssh', 'git', 'git+ssh', 'ssh+git'].includes(scheme)) {
      // The ssh or git daemon port is unrelated to the web server's port, so the default is used.
      host = parsed.hostname
      apiBase = `https://${parsed.hostname}`
    } else {
      return undefined
    }
    pathname = decodeURIComponent(parsed.pathname)
  } else {
    const scp = SCP_LIKE.exec(text)
    // A one-letter host is a Windows drive such as C:\repo, not a remote.
    if (!scp || scp[1]!.length < 2) return undefined
    host = scp[1]!
    apiBase = `https://${host}`
    pathname = scp[2]!
  }

  const segments = pathname
    .replace(/^\/+|\/+$/g, '')
    .replace(/\.git$/, '')
    .split('/')
  if (segments.length !== 2 || segments.some((segment) => segment === '')) return undefined
  const [owner, repo] = segments as [string, string]
  const lowerHost = host.toLowerCase()
  // NOTE: GitHub Enterprise Cloud with data residency (*.ghe.com) serves its API from
  // another host name, which is not derived here; such users pass --api-url.
  const apiUrl = lowerHost === 'github.com' ? GITHUB_COM_API : `${apiBase}/api/v3`
  return { host: lowerHost, owner, repo, apiUrl }
}

/** Removes the user name and password from a URL before it is shown in a message. */
export function redactRemoteUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1')
}

export interface GitHubTargetOptions {
  /** The origin remote's URL, undefined when there is no origin. */
  originUrl?: string
  /** The --api-url flag. */
  apiUrlFlag?: string
  /** GITHUB_API_URL from the environment. */
  apiUrlEnv?: string
  /** The --repo flag, OWNER/NAME. */
  repoFlag?: string
}

/**
 * Decides which API and repository the issues go to. The API URL comes from --api-url,
 * then GITHUB_API_URL, then the origin remote's host. The repository comes from --repo,
 * then the origin remote. Throws with the flag to pass when neither names a repository.
 */
export function resolveGitHubTarget(options: GitHubTargetOptions): GitHubTarget {
  const remote = options.originUrl ? parseGitHubRemote(options.originUrl) : undefined

  let repository: Repository
  if (options.repoFlag !== undefined) {
    const value = options.repoFlag.trim()
    if (!OWNER_AND_NAME.test(value)) {
      throw new Error(
        `Invalid --repo '${options.repoFlag}': expected OWNER/NAME, such as octo-org/website.`
      )
    }
    const [owner, repo] = value.split('/') as [string, string]
    repository = { owner, repo }
  } else if (remote) {
    repository = { owner: remote.owner, repo: remote.repo }
  } else if (options.originUrl === undefined) {
    throw new Error(
      "This repository has no remote named 'origin', so the GitHub repository for the issues is unknown. " +
        'Pass --repo OWNER/NAME, or --no-issues to set up the tasks without issues.'
    )
  } else {
    throw new Error(
      `The origin remote ${redactRemoteUrl(options.originUrl)} is not a GitHub URL such as ` +
        'https://github.com/OWNER/NAME.git, so the GitHub repository for the issues is unknown. ' +
        'Pass --repo OWNER/NAME, or --no-issues to set up the tasks without issues.'
    )
  }

  if (options.apiUrlFlag !== undefined) {
    return {
      apiUrl: checkApiUrl(options.apiUrlFlag, '--api-url'),
      repository,
      apiUrlSource: '--api-url'
    }
  }
  if (options.apiUrlEnv) {
    return {
      apiUrl: checkApiUrl(options.apiUrlEnv, 'GITHUB_API_URL'),
      repository,
      apiUrlSource: 'GITHUB_API_URL'
    }
  }
  if (remote) return { apiUrl: remote.apiUrl, repository, apiUrlSource: 'origin' }
  return { apiUrl: GITHUB_COM_API, repository, apiUrlSource: 'default' }
}

function checkApiUrl(value: string, name: string): string {
  let parsed: URL | undefined
  try {
    parsed = new URL(value.trim())
  } catch {
    parsed = undefined
  }
  if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
    throw new Error(
      `Invalid ${name} '${value}': expected an http or https URL, such as https://api.github.com ` +
        'or https://HOST/api/v3 for GitHub Enterprise Server.'
    )
  }
  return value.trim().replace(/\/+$/, '')
}
