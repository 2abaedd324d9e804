import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { describedRoutes, rubyInspect, toJsonSchema } from '../../test/emulator/contract.js'
import { descriptionSource, type GitHubEmulator } from '../../test/emulator/index.js'
import { routes } from '../../test/emulator/routes/index.js'
import {
  clientFor,
  rawRequest,
  rejectionOf,
  repoOf,
  startEmulator,
  type Client
} from './helpers.js'

let emulator: GitHubEmulator
let octokit: Client

beforeEach(async () => {
  emulator = await startEmulator()
  octokit = clientFor(emulator)
})

afterEach(async () => {
  await emulator.stop()
})

describe('contract check', () => {
  test('catches labels sent as a string', async () => {
    const failure = await rejectionOf(
      octokit.request('POST /repos/{owner}/{repo}/issues', {
        ...repoOf(emulator),
        title: 'Wrong labels',
        labels: 'bug' as unknown as string[]
      })
    )

    expect(failure.status).toBe(422)
    expect(failure.data).toEqual({
      message: 'Invalid request.\n\nFor \'properties/labels\', "bug" is not an array.',
      documentation_url: 'https://docs.github.com/rest/issues/issues#create-an-issue',
      status: '422'
    })
    expect(emulator.contractViolations()).toEqual([
      {
        seq: 1,
        method: 'POST',
        path: '/repos/octo-org/parallel-setup-demo/issues',
        route: 'POST /repos/{owner}/{repo}/issues',
        kind: 'request-body',
        message: 'Invalid request. For \'properties/labels\', "bug" is not an array.'
      }
    ])
    expect(() => emulator.assertContract()).toThrow(
      "1 request(s) or response(s) broke GitHub's OpenAPI description:\n" +
        '  #1 POST /repos/octo-org/parallel-setup-demo/issues [request-body]: ' +
        'Invalid request. For \'properties/labels\', "bug" is not an array.'
    )
    expect(emulator.state.issues.size).toBe(0)
  })

  test('catches an unknown state value', async () => {
    const issue = emulator.state.addIssue({ title: 'State' })

    const list = await rawRequest(
      emulator,
      'GET',
      '/repos/octo-org/parallel-setup-demo/issues?state=done'
    )
    const update = await rejectionOf(
      octokit.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', {
        ...repoOf(emulator),
        issue_number: issue.number,
        state: 'done' as 'closed'
      })
    )

    expect(list.status).toBe(422)
    expect(list.json.errors).toEqual([
      { resource: 'Issue', field: 'state', code: 'invalid', value: 'done' }
    ])
    expect(update.status).toBe(422)
    expect(update.data.message).toBe(
      'Invalid request.\n\nFor \'properties/state\', "done" is not a member of ["open", "closed"].'
    )
    expect(emulator.contractViolations().map((violation) => violation.kind)).toEqual([
      'query-parameter',
      'request-body'
    ])
    expect(emulator.state.issue(issue.number)?.state).toBe('open')
  })

  test('catches forbidden keys and types', async () => {
    const response = await rawRequest(
      emulator,
      'POST',
      '/repos/octo-org/parallel-setup-demo/issues',
      {
        body: JSON.stringify({
          title: 'Fields',
          issue_field_values: [{ field_id: 1, value: 'x', extra: true }]
        })
      }
    )
    const wrongTitle = await rawRequest(
      emulator,
      'POST',
      '/repos/octo-org/parallel-setup-demo/issues',
      {
        body: JSON.stringify({ title: true })
      }
    )

    expect(response.status).toBe(422)
    expect(response.json.message).toBe('Invalid request.\n\n"extra" is not a permitted key.')
    expect(wrongTitle.status).toBe(422)
    expect(wrongTitle.json.message).toBe(
      'Invalid request.\n\n' +
        "For 'properties/title/oneOf/0', true is not a string.\n" +
        "For 'properties/title/oneOf/1', true is not an integer.\n" +
        'No subschema in "oneOf" matched.'
    )
  })

  test('answers malformed JSON with 400', async () => {
    const response = await rawRequest(
      emulator,
      'POST',
      '/repos/octo-org/parallel-setup-demo/issues',
      {
        body: '{"title": '
      }
    )

    expect(response.status).toBe(400)
    expect(response.json.message).toBe('Problems parsing JSON')
    expect(emulator.contractViolations()[0]?.kind).toBe('request-body')
  })

  test('answers a non-integer issue number with 404', async () => {
    const response = await rawRequest(
      emulator,
      'GET',
      '/repos/octo-org/parallel-setup-demo/issues/abc'
    )

    expect(response.status).toBe(404)
    expect(emulator.contractViolations()[0]).toMatchObject({
      kind: 'path-parameter',
      message: 'Path parameter issue_number: "abc" is not an integer'
    })
  })

  test('only records unknown query parameters', async () => {
    const response = await rawRequest(
      emulator,
      'GET',
      '/repos/octo-org/parallel-setup-demo/labels?color=red'
    )

    expect(response.status).toBe(200)
    expect(emulator.contractViolations()).toEqual([
      expect.objectContaining({
        kind: 'unknown-query-parameter',
        message: 'Query parameter color is not defined for GET /repos/{owner}/{repo}/labels'
      })
    ])
  })

  test('catches a response that breaks the schema', async () => {
    const issue = emulator.state.addIssue({ title: 'Fine' })
    ;(issue as { title: unknown }).title = 42

    await octokit.rest.issues.get({ ...repoOf(emulator), issue_number: issue.number })

    expect(emulator.contractViolations()).toEqual([
      expect.objectContaining({
        kind: 'response-body',
        message: 'Response 200 body/title: must be string'
      })
    ])
  })

  test('contract false still rejects requests', async () => {
    const relaxed = await startEmulator({ contract: false })

    const response = await rawRequest(
      relaxed,
      'POST',
      '/repos/octo-org/parallel-setup-demo/issues',
      {
        body: JSON.stringify({ title: 'Wrong labels', labels: 'bug' })
      }
    )
    await relaxed.stop()

    expect(response.status).toBe(422)
    expect(relaxed.contractViolations()).toEqual([])
    expect(() => relaxed.assertContract()).not.toThrow()
  })
})

describe('OpenAPI description', () => {
  test('covers exactly the served routes', () => {
    const served = routes.map((route) => `${route.method} ${route.template}`).sort()

    expect(describedRoutes().sort()).toEqual(served)
  })

  test('records the source package version', () => {
    expect(descriptionSource()).toEqual({
      package: '@octokit/openapi',
      version: '23.0.2',
      file: 'generated/api.github.com.deref.json',
      openapi: '3.0.3'
    })
  })

  test('converts OpenAPI 3.0 nullable to JSON Schema', () => {
    expect(toJsonSchema({ type: 'string', nullable: true, enum: ['a'] })).toEqual({
      type: ['string', 'null'],
      enum: ['a', null]
    })
    expect(
      toJsonSchema({ oneOf: [{ type: 'string' }, { type: 'integer' }], nullable: true })
    ).toEqual({
      anyOf: [{ oneOf: [{ type: 'string' }, { type: 'integer' }] }, { type: 'null' }]
    })
    expect(toJsonSchema({ type: 'object', properties: { nullable: { type: 'boolean' } } })).toEqual(
      {
        type: 'object',
        properties: { nullable: { type: 'boolean' } }
      }
    )
  })

  test('formats values as Ruby inspect does', () => {
    expect(rubyInspect(null)).toBe('nil')
    expect(rubyInspect(['a', 1])).toBe('["a", 1]')
    expect(rubyInspect({ labels: ['x'] })).toBe('{"labels" => ["x"]}')
  })
})
