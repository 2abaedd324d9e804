import os from 'node:os'
import type { Repository } from '../github/index.js'

/** What the runner tells every step about the run, read once from its environment. */
export interface RunContext {
  workspace: string
  repository: Repository
  apiUrl: string
  serverUrl: string
  runId: string
  runAttempt: number
  runnerTemp: string
  eventName: string
  eventPath?: string
}

export function readRunContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  const [owner = '', repo = ''] = (env.GITHUB_REPOSITORY ?? '').split('/')
  const attempt = Number(env.GITHUB_RUN_ATTEMPT ?? '1')
  return {
    workspace: env.GITHUB_WORKSPACE || process.cwd(),
    repository: { owner, repo },
    // The runner always sets these; without them no API call is made and the caller says why.
    apiUrl: env.GITHUB_API_URL ?? '',
    serverUrl: env.GITHUB_SERVER_URL ?? '',
    runId: env.GITHUB_RUN_ID || 'local',
    runAttempt: Number.isInteger(attempt) && attempt > 0 ? attempt : 1,
    runnerTemp: env.RUNNER_TEMP || os.tmpdir(),
    eventName: env.GITHUB_EVENT_NAME ?? '',
    eventPath: env.GITHUB_EVENT_PATH || undefined
  }
}
