import { getOctokit } from '@actions/github'
import { DEFAULT_TOKEN, GitHubEmulator, type EmulatorOptions } from '../../test/emulator/index.js'

export type Client = ReturnType<typeof getOctokit>

/** Creates the unmodified @actions/github client against the emulator, optionally tagged with a leg id. */
export function clientFor(
  emulator: GitHubEmulator,
  options: { token?: string; leg?: string } = {}
): Client {
  const octokit = getOctokit(options.token ?? DEFAULT_TOKEN, { baseUrl: emulator.url })
  if (options.leg !== undefined) {
    const leg = options.leg
    octokit.hook.before('request', (request) => {
      request.headers['x-test-leg'] = leg
    })
  }
  return octokit
}

/** Repository coordinates of an emulator, for Octokit calls. */
export function repoOf(emulator: GitHubEmulator): { owner: string; repo: string } {
  return { owner: emulator.state.owner, repo: emulator.state.repo }
}

/** Returns the rejection of a request, failing the test if it succeeds. */
export async function rejectionOf(promise: Promise<unknown>): Promise<{
  status: number
  data: Record<string, unknown>
  headers: Record<string, string | undefined>
  message: string
}> {
  try {
    await promise
  } catch (error) {
    const failure = error as {
      status: number
      message: string
      response?: { data: unknown; headers: Record<string, string | undefined> }
    }
    return {
      status: failure.status,
      message: failure.message,
      data: (failure.response?.data ?? {}) as Record<string, unknown>,
      headers: failure.response?.headers ?? {}
    }
  }
  throw new Error('Expected the request to fail, but it succeeded')
}

/** Sends a raw HTTP request, for cases the Octokit client would not produce. */
export async function rawRequest(
  emulator: GitHubEmulator,
  method: string,
  path: string,
  options: { token?: string | null; body?: string; headers?: Record<string, string> } = {}
): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const token = options.token === undefined ? DEFAULT_TOKEN : options.token
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers: {
      ...(token === null ? {} : { authorization: `token ${token}` }),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(options.headers ?? {})
    },
    ...(options.body !== undefined ? { body: options.body } : {})
  })
  const text = await response.text()
  return {
    status: response.status,
    headers: response.headers,
    json: text === '' ? {} : JSON.parse(text)
  }
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<GitHubEmulator> {
  return GitHubEmulator.start(options)
}
