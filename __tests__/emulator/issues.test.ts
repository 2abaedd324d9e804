import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { DEFAULT_TOKEN, type GitHubEmulator } from '../../test/emulator/index.js'
import {
  clientFor,
  rawRequest,
  rejectionOf,
  repoOf,
  startEmulator,
  type Client
} from './helpers.js'

const NO_PUSH_TOKEN = 'ghs_noPushToken'
const CREATE_DOCS = 'https://docs.github.com/rest/issues/issues#create-an-issue'

let emulator: GitHubEmulator
let octokit: Client

beforeEach(async () => {
  emulator = await startEmulator({
    owner: 'acme',
    repo: 'widgets',
    token: [DEFAULT_TOKEN, NO_PUSH_TOKEN]
  })
  octokit = clientFor(emulator)
})

afterEach(async () => {
  await emulator.stop()
})

function labelNamesOf(labels: Array<string | { name?: string }>): Array<string | undefined> {
  return labels.map((label) => (typeof label === 'string' ? label : label.name))
}

describe('issue create', () => {
  test('returns 201 with the stored issue', async () => {
    const response = await octokit.rest.issues.create({
      ...repoOf(emulator),
      title: 'Leg 1: install',
      body: 'Set up leg 1',
      labels: ['parallel-setup', 'leg'],
      assignees: ['octocat']
    })

    expect(response.status).toBe(201)
    expect(response.data.number).toBe(1)
    expect(response.data.title).toBe('Leg 1: install')
    expect(response.data.body).toBe('Set up leg 1')
    expect(response.data.state).toBe('open')
    expect(response.data.state_reason).toBeNull()
    expect(labelNamesOf(response.data.labels)).toEqual(['parallel-setup', 'leg'])
    expect(response.data.assignees?.map((user) => user.login)).toEqual(['octocat'])
    expect(response.data.assignee?.login).toBe('octocat')
    expect(response.data.user?.login).toBe('github-actions[bot]')
    expect(response.data.url).toBe(`${emulator.url}/repos/acme/widgets/issues/1`)
    expect(response.headers.location).toBe(response.data.url)
    expect(response.data.id).toBe(emulator.state.issue(1)?.id)
    expect(response.data.id).not.toBe(1)
    emulator.assertContract()
  })

  test('auto-creates missing labels with color ededed', async () => {
    emulator.state.addLabel({ name: 'Bug', color: 'd73a4a' })

    const response = await octokit.rest.issues.create({
      ...repoOf(emulator),
      title: 'Labels',
      labels: ['bug', 'new-label']
    })

    expect(labelNamesOf(response.data.labels)).toEqual(['Bug', 'new-label'])
    expect(emulator.state.label('bug')?.color).toBe('d73a4a')
    expect(emulator.state.label('new-label')?.color).toBe('ededed')
    expect(emulator.state.labels.size).toBe(2)
  })

  test('drops privileged fields without push', async () => {
    emulator.faults.tokenAccess[NO_PUSH_TOKEN] = 'no-push'
    const milestone = emulator.state.addMilestone({ title: 'v1' })
    const noPush = clientFor(emulator, { token: NO_PUSH_TOKEN })

    const response = await noPush.rest.issues.create({
      ...repoOf(emulator),
      title: 'Without push',
      labels: ['dropped'],
      assignees: ['octocat'],
      milestone: milestone.number
    })

    expect(response.status).toBe(201)
    expect(response.data.labels).toEqual([])
    expect(response.data.assignees).toEqual([])
    expect(response.data.milestone).toBeNull()
    expect(emulator.state.label('dropped')).toBeUndefined()
  })

  test('rejects an unknown assignee with 422', async () => {
    const failure = await rejectionOf(
      octokit.rest.issues.create({ ...repoOf(emulator), title: 'Assign', assignees: ['nobody'] })
    )

    expect(failure.status).toBe(422)
    expect(failure.data).toEqual({
      message: 'Validation Failed',
      errors: [{ resource: 'Issue', code: 'invalid', field: 'assignees', value: 'nobody' }],
      documentation_url: CREATE_DOCS,
      status: '422'
    })
    expect(emulator.state.issues.size).toBe(0)
  })

  test('accepts an added collaborator as assignee', async () => {
    emulator.state.collaborators.push('hubot')

    const response = await octokit.rest.issues.create({
      ...repoOf(emulator),
      title: 'Assign',
      assignees: ['HUBOT']
    })

    expect(response.data.assignees?.map((user) => user.login)).toEqual(['hubot'])
  })

  test('rejects an unknown milestone with 422', async () => {
    const failure = await rejectionOf(
      octokit.rest.issues.create({ ...repoOf(emulator), title: 'Milestone', milestone: 7 })
    )

    expect(failure.status).toBe(422)
    expect(failure.data.errors).toEqual([
      { resource: 'Issue', code: 'invalid', field: 'milestone', value: 7 }
    ])
  })

  test('sets a known milestone', async () => {
    const milestone = emulator.state.addMilestone({ title: 'Wave 1' })

    const response = await octokit.rest.issues.create({
      ...repoOf(emulator),
      title: 'Milestone',
      milestone: milestone.number
    })

    expect(response.data.milestone?.title).toBe('Wave 1')
    expect(response.data.milestone?.open_issues).toBe(1)
  })

  test('rejects a body of 65,537 characters', async () => {
    const failure = await rejectionOf(
      octokit.rest.issues.create({ ...repoOf(emulator), title: 'Long', body: 'x'.repeat(65_537) })
    )

    expect(failure.status).toBe(422)
    expect(failure.data).toEqual({
      message: 'Validation Failed',
      errors: [
        {
          resource: 'Issue',
          code: 'custom',
          field: 'body',
          message: 'body is too long (maximum is 65536 characters)'
        }
      ],
      documentation_url: CREATE_DOCS,
      status: '422'
    })
  })

  test('accepts a body of 65,536 characters', async () => {
    const response = await octokit.rest.issues.create({
      ...repoOf(emulator),
      title: 'Long',
      body: 'x'.repeat(65_536)
    })

    expect(response.data.body?.length).toBe(65_536)
  })

  test('accepts 1,024-character titles and rejects 1,025', async () => {
    const accepted = await octokit.rest.issues.create({
      ...repoOf(emulator),
      title: 't'.repeat(1_024)
    })
    const failure = await rejectionOf(
      octokit.rest.issues.create({ ...repoOf(emulator), title: 't'.repeat(1_025) })
    )

    expect(accepted.data.title.length).toBe(1_024)
    expect(failure.status).toBe(422)
    expect(failure.data.errors).toEqual([
      {
        resource: 'Issue',
        code: 'custom',
        field: 'title',
        message: 'title is too long (maximum is 1024 characters)'
      }
    ])
  })

  test('rejects a blank title', async () => {
    const failure = await rejectionOf(
      octokit.rest.issues.create({ ...repoOf(emulator), title: '  ' })
    )

    expect(failure.status).toBe(422)
    expect(failure.data.errors).toEqual([
      { resource: 'Issue', code: 'missing_field', field: 'title' }
    ])
  })

  test('rejects a missing title as an invalid request', async () => {
    const response = await rawRequest(emulator, 'POST', '/repos/acme/widgets/issues', {
      body: JSON.stringify({ body: 'no title' })
    })

    expect(response.status).toBe(422)
    expect(response.json).toEqual({
      message: 'Invalid request.\n\n"title" wasn\'t supplied.',
      documentation_url: CREATE_DOCS,
      status: '422'
    })
  })
})

describe('issue get and update', () => {
  test('returns an issue by number', async () => {
    const seeded = emulator.state.addIssue({ title: 'Seeded', body: 'Body', labels: ['leg'] })

    const response = await octokit.rest.issues.get({
      ...repoOf(emulator),
      issue_number: seeded.number
    })

    expect(response.status).toBe(200)
    expect(response.data.id).toBe(seeded.id)
    expect(response.data.title).toBe('Seeded')
    expect(labelNamesOf(response.data.labels)).toEqual(['leg'])
    emulator.assertContract()
  })

  test('answers 404 for an unknown issue', async () => {
    const failure = await rejectionOf(
      octokit.rest.issues.get({ ...repoOf(emulator), issue_number: 99 })
    )

    expect(failure.status).toBe(404)
    expect(failure.data).toEqual({
      message: 'Not Found',
      documentation_url: 'https://docs.github.com/rest/issues/issues#get-an-issue',
      status: '404'
    })
  })

  test('answers 404 for another repository', async () => {
    const failure = await rejectionOf(
      octokit.rest.issues.get({ owner: 'acme', repo: 'other', issue_number: 1 })
    )

    expect(failure.status).toBe(404)
  })

  test('closes with a state reason and reopens', async () => {
    const issue = emulator.state.addIssue({ title: 'Close me' })

    const closed = await octokit.rest.issues.update({
      ...repoOf(emulator),
      issue_number: issue.number,
      state: 'closed',
      state_reason: 'not_planned'
    })
    const reopened = await octokit.rest.issues.update({
      ...repoOf(emulator),
      issue_number: issue.number,
      state: 'open'
    })

    expect(closed.data.state).toBe('closed')
    expect(closed.data.state_reason).toBe('not_planned')
    expect(closed.data.closed_by?.login).toBe('github-actions[bot]')
    expect(closed.data.closed_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/)
    expect(reopened.data.state).toBe('open')
    expect(reopened.data.state_reason).toBe('reopened')
    expect(reopened.data.closed_at).toBeNull()
    emulator.assertContract()
  })

  test('closing without a reason records completed', async () => {
    const issue = emulator.state.addIssue({ title: 'Done' })

    const closed = await octokit.rest.issues.update({
      ...repoOf(emulator),
      issue_number: issue.number,
      state: 'closed'
    })

    expect(closed.data.state_reason).toBe('completed')
  })

  test('replaces title, body and labels', async () => {
    const issue = emulator.state.addIssue({ title: 'Old', body: 'old', labels: ['a', 'b'] })

    const updated = await octokit.rest.issues.update({
      ...repoOf(emulator),
      issue_number: issue.number,
      title: 'New',
      body: 'new',
      labels: ['c']
    })

    expect(updated.data.title).toBe('New')
    expect(updated.data.body).toBe('new')
    expect(labelNamesOf(updated.data.labels)).toEqual(['c'])
  })

  test('rejects an update body of 65,537 characters', async () => {
    const issue = emulator.state.addIssue({ title: 'Edit' })

    const failure = await rejectionOf(
      octokit.rest.issues.update({
        ...repoOf(emulator),
        issue_number: issue.number,
        body: 'y'.repeat(65_537)
      })
    )

    expect(failure.status).toBe(422)
    expect(failure.data.errors).toEqual([
      {
        resource: 'Issue',
        code: 'custom',
        field: 'body',
        message: 'body is too long (maximum is 65536 characters)'
      }
    ])
    expect(emulator.state.issue(issue.number)?.body).toBeNull()
  })
})

describe('issue list', () => {
  test('paginates with GitHub Link headers', async () => {
    for (let index = 1; index <= 5; index++) emulator.state.addIssue({ title: `Issue ${index}` })

    const page = await octokit.rest.issues.listForRepo({
      ...repoOf(emulator),
      state: 'all',
      per_page: 2,
      page: 2
    })
    const all = await octokit.paginate(octokit.rest.issues.listForRepo, {
      ...repoOf(emulator),
      per_page: 2
    })

    const base = `${emulator.url}/repositories/${emulator.state.repositoryId}/issues`
    expect(page.headers.link).toBe(
      `<${base}?state=all&per_page=2&page=1>; rel="prev", ` +
        `<${base}?state=all&per_page=2&page=3>; rel="next", ` +
        `<${base}?state=all&per_page=2&page=3>; rel="last", ` +
        `<${base}?state=all&per_page=2&page=1>; rel="first"`
    )
    expect(page.data.map((issue) => issue.number)).toEqual([3, 2])
    expect(all.map((issue) => issue.number)).toEqual([5, 4, 3, 2, 1])
    expect(emulator.log.count({ route: 'GET /repos/{owner}/{repo}/issues' })).toBe(4)
    emulator.assertContract()
  })

  test('edge pages omit inapplicable relations', async () => {
    for (let index = 1; index <= 3; index++) emulator.state.addIssue({ title: `Issue ${index}` })

    const first = await octokit.rest.issues.listForRepo({ ...repoOf(emulator), per_page: 2 })
    const last = await octokit.rest.issues.listForRepo({
      ...repoOf(emulator),
      per_page: 2,
      page: 2
    })
    const single = await octokit.rest.issues.listForRepo({ ...repoOf(emulator) })

    const base = `${emulator.url}/repositories/${emulator.state.repositoryId}/issues`
    expect(first.headers.link).toBe(
      `<${base}?per_page=2&page=2>; rel="next", <${base}?per_page=2&page=2>; rel="last"`
    )
    expect(last.headers.link).toBe(
      `<${base}?per_page=2&page=1>; rel="prev", <${base}?per_page=2&page=1>; rel="first"`
    )
    expect(single.headers.link).toBeUndefined()
  })

  test('defaults to 30 per page and caps per_page at 100', async () => {
    for (let index = 1; index <= 101; index++) emulator.state.addIssue({ title: `Issue ${index}` })

    const defaults = await octokit.rest.issues.listForRepo({ ...repoOf(emulator) })
    const capped = await octokit.rest.issues.listForRepo({ ...repoOf(emulator), per_page: 500 })

    expect(defaults.data.length).toBe(30)
    expect(capped.data.length).toBe(100)
    expect(capped.headers.link).toContain('per_page=500&page=2>; rel="last"')
  })

  test('filters by state, labels, creator and since', async () => {
    const old = emulator.state.addIssue({ title: 'Old', labels: ['leg', 'wave-1'] })
    emulator.state.addIssue({ title: 'Closed', labels: ['leg', 'wave-1'], state: 'closed' })
    emulator.state.addIssue({ title: 'Only leg', labels: ['leg'] })
    emulator.state.addIssue({ title: 'By octocat', labels: ['leg', 'wave-1'], author: 'octocat' })
    old.updatedAt = Date.parse('2020-01-01T00:00:00Z')

    const list = async (parameters: Record<string, string>) =>
      (await octokit.rest.issues.listForRepo({ ...repoOf(emulator), ...parameters })).data.map(
        (issue) => issue.title
      )

    expect(await list({ labels: 'leg,WAVE-1' })).toEqual(['By octocat', 'Old'])
    expect(await list({ state: 'closed' })).toEqual(['Closed'])
    expect(await list({ state: 'all', labels: 'wave-1' })).toEqual(['By octocat', 'Closed', 'Old'])
    expect(await list({ creator: 'octocat' })).toEqual(['By octocat'])
    expect(await list({ since: '2021-01-01T00:00:00Z' })).toEqual(['By octocat', 'Only leg'])
    expect(await list({ direction: 'asc' })).toEqual(['Old', 'Only leg', 'By octocat'])
    emulator.assertContract()
  })

  test('follows GitHub Link URLs in the /repositories/{id} form', async () => {
    emulator.state.addIssue({ title: 'Only' })

    const response = await rawRequest(
      emulator,
      'GET',
      `/repositories/${emulator.state.repositoryId}/issues?state=all`
    )

    expect(response.status).toBe(200)
    expect(
      (response.json as unknown as Array<{ title: string }>).map((issue) => issue.title)
    ).toEqual(['Only'])
    expect(emulator.log.entries().at(-1)?.route).toBe('GET /repos/{owner}/{repo}/issues')
  })
})

describe('responses', () => {
  test('carry GitHub headers on every response', async () => {
    const ok = await rawRequest(emulator, 'GET', '/repos/acme/widgets/issues')
    const missing = await rawRequest(emulator, 'GET', '/repos/acme/widgets/issues/5')

    for (const response of [ok, missing]) {
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8')
      expect(response.headers.get('x-github-request-id')).toMatch(
        /^[0-9A-F]{4}:[0-9A-F]{4}:[0-9A-F]{7}:[0-9A-F]{7}:[0-9A-F]{8}$/
      )
      expect(response.headers.get('x-ratelimit-limit')).toBe('1000')
      expect(response.headers.get('x-ratelimit-resource')).toBe('core')
      expect(response.headers.get('x-ratelimit-reset')).toMatch(/^\d{10}$/)
    }
    expect(ok.headers.get('x-ratelimit-used')).toBe('1')
    expect(ok.headers.get('x-ratelimit-remaining')).toBe('999')
    expect(missing.headers.get('x-ratelimit-used')).toBe('2')
    expect(missing.headers.get('x-ratelimit-remaining')).toBe('998')
  })

  test('answer unknown routes with 404', async () => {
    const response = await rawRequest(emulator, 'GET', '/repos/acme/widgets/pulls')
    const wrongMethod = await rawRequest(emulator, 'DELETE', '/repos/acme/widgets/issues/1')

    expect(response.status).toBe(404)
    expect(response.json).toEqual({
      message: 'Not Found',
      documentation_url: 'https://docs.github.com/rest',
      status: '404'
    })
    expect(wrongMethod.status).toBe(404)
    expect(emulator.contractViolations().map((violation) => violation.kind)).toEqual([
      'unknown-route',
      'unknown-route'
    ])
  })

  test('answer a missing token with 401 Bad credentials', async () => {
    const missing = await rawRequest(emulator, 'GET', '/repos/acme/widgets', { token: null })
    const wrong = await rawRequest(emulator, 'GET', '/repos/acme/widgets', { token: 'ghs_wrong' })

    for (const response of [missing, wrong]) {
      expect(response.status).toBe(401)
      expect(response.json).toEqual({
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/rest',
        status: '401'
      })
    }
    expect(emulator.log.count({ fault: 'bad-credentials' })).toBe(2)
  })

  test('accept Bearer authorization', async () => {
    const response = await rawRequest(emulator, 'GET', '/repos/acme/widgets', {
      token: null,
      headers: { authorization: `Bearer ${DEFAULT_TOKEN}` }
    })

    expect(response.status).toBe(200)
    expect(response.json.default_branch).toBe('main')
  })
})
