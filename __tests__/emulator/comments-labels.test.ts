import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import type { GitHubEmulator } from '../../test/emulator/index.js'
import { clientFor, rejectionOf, repoOf, startEmulator, type Client } from './helpers.js'

let emulator: GitHubEmulator
let octokit: Client

beforeEach(async () => {
  emulator = await startEmulator()
  octokit = clientFor(emulator)
})

afterEach(async () => {
  await emulator.stop()
})

describe('issue comments', () => {
  test('create, get, update and list', async () => {
    const issue = emulator.state.addIssue({ title: 'Leg 2' })

    const created = await octokit.rest.issues.createComment({
      ...repoOf(emulator),
      issue_number: issue.number,
      body: 'Install started'
    })
    const fetched = await octokit.rest.issues.getComment({
      ...repoOf(emulator),
      comment_id: created.data.id
    })
    const updated = await octokit.rest.issues.updateComment({
      ...repoOf(emulator),
      comment_id: created.data.id,
      body: 'Install finished'
    })
    await octokit.rest.issues.createComment({
      ...repoOf(emulator),
      issue_number: issue.number,
      body: 'Second'
    })
    const listed = await octokit.rest.issues.listComments({
      ...repoOf(emulator),
      issue_number: issue.number
    })
    const refreshed = await octokit.rest.issues.get({
      ...repoOf(emulator),
      issue_number: issue.number
    })

    expect(created.status).toBe(201)
    expect(created.data.issue_url).toBe(
      `${emulator.url}/repos/octo-org/parallel-setup-demo/issues/1`
    )
    expect(created.headers.location).toBe(created.data.url)
    expect(fetched.data.body).toBe('Install started')
    expect(updated.data.body).toBe('Install finished')
    expect(listed.data.map((comment) => comment.body)).toEqual(['Install finished', 'Second'])
    expect(refreshed.data.comments).toBe(2)
    emulator.assertContract()
  })

  test('paginate in creation order', async () => {
    const issue = emulator.state.addIssue({ title: 'Chatty' })
    for (let index = 1; index <= 5; index++)
      emulator.state.addComment(issue, `Comment ${index}`, 'octocat')

    const all = await octokit.paginate(octokit.rest.issues.listComments, {
      ...repoOf(emulator),
      issue_number: issue.number,
      per_page: 2
    })

    expect(all.map((comment) => comment.body)).toEqual([
      'Comment 1',
      'Comment 2',
      'Comment 3',
      'Comment 4',
      'Comment 5'
    ])
    expect(
      emulator.log.count({ route: '/repos/{owner}/{repo}/issues/{issue_number}/comments' })
    ).toBe(3)
  })

  test('reject a body of 65,537 characters', async () => {
    const issue = emulator.state.addIssue({ title: 'Long comment' })

    const failure = await rejectionOf(
      octokit.rest.issues.createComment({
        ...repoOf(emulator),
        issue_number: issue.number,
        body: 'z'.repeat(65_537)
      })
    )

    expect(failure.status).toBe(422)
    expect(failure.data).toEqual({
      message: 'Validation Failed',
      errors: [
        {
          resource: 'IssueComment',
          code: 'custom',
          field: 'body',
          message: 'body is too long (maximum is 65536 characters)'
        }
      ],
      documentation_url: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
      status: '422'
    })
    expect(emulator.state.comments.size).toBe(0)
  })

  test('answer 404 for an unknown comment', async () => {
    const failure = await rejectionOf(
      octokit.rest.issues.getComment({ ...repoOf(emulator), comment_id: 1 })
    )

    expect(failure.status).toBe(404)
    expect(failure.data.message).toBe('Not Found')
  })
})

describe('labels', () => {
  test('create, get and list', async () => {
    const created = await octokit.rest.issues.createLabel({
      ...repoOf(emulator),
      name: 'wave:1',
      color: '#0E8A16',
      description: 'First wave'
    })
    const fetched = await octokit.rest.issues.getLabel({ ...repoOf(emulator), name: 'WAVE:1' })
    const listed = await octokit.rest.issues.listLabelsForRepo({ ...repoOf(emulator) })

    expect(created.status).toBe(201)
    expect(created.data).toMatchObject({
      name: 'wave:1',
      color: '0e8a16',
      description: 'First wave',
      default: false
    })
    expect(created.data.url).toBe(
      `${emulator.url}/repos/octo-org/parallel-setup-demo/labels/wave%3A1`
    )
    expect(fetched.data.id).toBe(created.data.id)
    expect(listed.data.map((label) => label.name)).toEqual(['wave:1'])
    emulator.assertContract()
  })

  test('reject a duplicate name with already_exists', async () => {
    emulator.state.addLabel({ name: 'leg' })

    const failure = await rejectionOf(
      octokit.rest.issues.createLabel({ ...repoOf(emulator), name: 'Leg' })
    )

    expect(failure.status).toBe(422)
    expect(failure.data.errors).toEqual([
      { resource: 'Label', code: 'already_exists', field: 'name' }
    ])
  })

  test('reject an invalid color', async () => {
    const failure = await rejectionOf(
      octokit.rest.issues.createLabel({ ...repoOf(emulator), name: 'bad', color: 'green' })
    )

    expect(failure.status).toBe(422)
    expect(failure.data.errors).toEqual([{ resource: 'Label', code: 'invalid', field: 'color' }])
  })

  test('answer 404 for an unknown label', async () => {
    const failure = await rejectionOf(
      octokit.rest.issues.getLabel({ ...repoOf(emulator), name: 'missing' })
    )

    expect(failure.status).toBe(404)
  })

  test('add to an issue and return all its labels', async () => {
    const issue = emulator.state.addIssue({ title: 'Label me', labels: ['existing'] })

    const response = await octokit.rest.issues.addLabels({
      ...repoOf(emulator),
      issue_number: issue.number,
      labels: ['added', 'EXISTING']
    })

    expect(response.status).toBe(200)
    expect(response.data.map((label) => label.name)).toEqual(['existing', 'added'])
    emulator.assertContract()
  })
})

describe('milestones', () => {
  test('create and list by due date', async () => {
    await octokit.rest.issues.createMilestone({
      ...repoOf(emulator),
      title: 'Later',
      due_on: '2031-01-01T00:00:00Z'
    })
    await octokit.rest.issues.createMilestone({
      ...repoOf(emulator),
      title: 'Sooner',
      due_on: '2030-01-01T00:00:00Z'
    })
    await octokit.rest.issues.createMilestone({
      ...repoOf(emulator),
      title: 'Closed',
      state: 'closed'
    })

    const open = await octokit.rest.issues.listMilestones({ ...repoOf(emulator) })
    const all = await octokit.rest.issues.listMilestones({ ...repoOf(emulator), state: 'all' })

    expect(open.data.map((milestone) => milestone.title)).toEqual(['Sooner', 'Later'])
    expect(open.data[0]?.due_on).toBe('2030-01-01T00:00:00Z')
    expect(all.data.map((milestone) => milestone.title)).toEqual(['Sooner', 'Later', 'Closed'])
    emulator.assertContract()
  })

  test('reject a duplicate title', async () => {
    emulator.state.addMilestone({ title: 'v1' })

    const failure = await rejectionOf(
      octokit.rest.issues.createMilestone({ ...repoOf(emulator), title: 'V1' })
    )

    expect(failure.status).toBe(422)
    expect(failure.data.errors).toEqual([
      { resource: 'Milestone', code: 'already_exists', field: 'title' }
    ])
  })
})
