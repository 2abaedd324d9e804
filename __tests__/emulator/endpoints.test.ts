import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import type { GitHubEmulator } from '../../test/emulator/index.js'
import { clientFor, rejectionOf, repoOf, startEmulator, type Client } from './helpers.js'

let emulator: GitHubEmulator
let octokit: Client

beforeEach(async () => {
  emulator = await startEmulator({ owner: 'acme', repo: 'rockets', defaultBranch: 'trunk' })
  octokit = clientFor(emulator)
})

afterEach(async () => {
  await emulator.stop()
})

describe('repository', () => {
  test('reports default branch and push permission', async () => {
    const response = await octokit.rest.repos.get({ ...repoOf(emulator) })

    expect(response.data.full_name).toBe('acme/rockets')
    expect(response.data.default_branch).toBe('trunk')
    expect(response.data.permissions).toEqual({
      admin: false,
      maintain: false,
      push: true,
      triage: true,
      pull: true
    })
    expect(response.headers['x-accepted-github-permissions']).toBe('metadata=read')
    emulator.assertContract()
  })

  test('matches owner and name case-insensitively', async () => {
    const response = await octokit.rest.repos.get({ owner: 'ACME', repo: 'Rockets' })

    expect(response.data.id).toBe(emulator.state.repositoryId)
  })
})

describe('actions jobs', () => {
  test('filter jobs by attempt', async () => {
    const first = emulator.state.addJob({ runId: 77, name: 'leg (1)', conclusion: 'failure' })
    emulator.state.addJob({ runId: 77, name: 'leg (2)', status: 'in_progress' })
    const retried = emulator.state.addJob({ runId: 77, runAttempt: 2, name: 'leg (1)' })
    emulator.state.addJob({ runId: 78, name: 'other run' })

    const latest = await octokit.rest.actions.listJobsForWorkflowRun({
      ...repoOf(emulator),
      run_id: 77
    })
    const all = await octokit.rest.actions.listJobsForWorkflowRun({
      ...repoOf(emulator),
      run_id: 77,
      filter: 'all'
    })
    const attempt = await octokit.rest.actions.listJobsForWorkflowRunAttempt({
      ...repoOf(emulator),
      run_id: 77,
      attempt_number: 1
    })

    expect(latest.data.total_count).toBe(1)
    expect(latest.data.jobs.map((job) => job.id)).toEqual([retried.id])
    expect(
      all.data.jobs.map((job) => [job.name, job.run_attempt, job.status, job.conclusion])
    ).toEqual([
      ['leg (1)', 1, 'completed', 'failure'],
      ['leg (2)', 1, 'in_progress', null],
      ['leg (1)', 2, 'completed', 'success']
    ])
    expect(attempt.data.jobs.map((job) => job.id)).toEqual([first.id, first.id + 1])
    emulator.assertContract()
  })

  test('paginate and reflect updates', async () => {
    const jobs = [1, 2, 3].map((index) =>
      emulator.state.addJob({
        runId: 5,
        name: `leg (${index})`,
        status: 'queued',
        steps: [{ name: 'Install' }]
      })
    )
    emulator.state.updateJob(jobs[2]!.id, {
      status: 'completed',
      conclusion: 'cancelled',
      completedAt: Date.now()
    })

    const all = await octokit.paginate(octokit.rest.actions.listJobsForWorkflowRun, {
      ...repoOf(emulator),
      run_id: 5,
      per_page: 2
    })

    expect(all.map((job) => job.name)).toEqual(['leg (1)', 'leg (2)', 'leg (3)'])
    expect(all[2]?.conclusion).toBe('cancelled')
    expect(all[0]?.steps?.[0]).toMatchObject({ name: 'Install', number: 1, status: 'completed' })
    expect(
      emulator.log.count({ route: 'GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs' })
    ).toBe(2)
  })

  test('list an empty registered run', async () => {
    emulator.state.addRun(12, 2)

    const latest = await octokit.rest.actions.listJobsForWorkflowRun({
      ...repoOf(emulator),
      run_id: 12
    })
    const attempt = await octokit.rest.actions.listJobsForWorkflowRunAttempt({
      ...repoOf(emulator),
      run_id: 12,
      attempt_number: 2
    })

    expect(latest.data).toEqual({ total_count: 0, jobs: [] })
    expect(attempt.data).toEqual({ total_count: 0, jobs: [] })
  })

  test('answer 404 for an unknown run or attempt', async () => {
    emulator.state.addJob({ runId: 9, name: 'only' })

    const run = await rejectionOf(
      octokit.rest.actions.listJobsForWorkflowRun({ ...repoOf(emulator), run_id: 10 })
    )
    const attempt = await rejectionOf(
      octokit.rest.actions.listJobsForWorkflowRunAttempt({
        ...repoOf(emulator),
        run_id: 9,
        attempt_number: 3
      })
    )

    expect(run.status).toBe(404)
    expect(attempt.status).toBe(404)
  })
})

describe('search', () => {
  test('finds issues by qualifiers and words', async () => {
    emulator.state.addIssue({ title: 'Install leg 1', labels: ['leg'] })
    emulator.state.addIssue({ title: 'Install leg 2', labels: ['leg'], state: 'closed' })
    emulator.state.addIssue({ title: 'Unrelated' })

    const response = await octokit.rest.search.issuesAndPullRequests({
      q: 'repo:acme/rockets is:issue is:open label:leg install'
    })
    const otherRepo = await octokit.rest.search.issuesAndPullRequests({
      q: 'repo:acme/other install'
    })

    expect(response.data.total_count).toBe(1)
    expect(response.data.items.map((item) => item.title)).toEqual(['Install leg 1'])
    expect(response.headers['x-ratelimit-resource']).toBe('search')
    expect(response.headers['x-ratelimit-limit']).toBe('30')
    expect(otherRepo.data.total_count).toBe(0)
    expect(emulator.log.count({ route: 'GET /search/issues' })).toBe(2)
    emulator.assertContract()
  })
})

describe('rate limit endpoint', () => {
  test('reports limits without counting itself', async () => {
    await octokit.rest.repos.get({ ...repoOf(emulator) })

    const first = await octokit.rest.rateLimit.get()
    const second = await octokit.rest.rateLimit.get()

    expect(first.data.resources.core).toMatchObject({ limit: 1000, used: 1, remaining: 999 })
    expect(first.data.resources.search).toMatchObject({ limit: 30, used: 0, remaining: 30 })
    expect(second.data.rate.used).toBe(1)
    expect(second.headers['x-ratelimit-used']).toBe('1')
    emulator.assertContract()
  })
})
