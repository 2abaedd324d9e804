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

function relationErrors(field: string, message: string): unknown[] {
  return [{ resource: 'Issue', code: 'custom', field, message }]
}

describe('sub-issues', () => {
  test('attach by id and list', async () => {
    const parent = emulator.state.addIssue({ title: 'Plan' })
    const first = emulator.state.addIssue({ title: 'Leg 1' })
    const second = emulator.state.addIssue({ title: 'Leg 2', state: 'closed' })

    const added = await octokit.rest.issues.addSubIssue({
      ...repoOf(emulator),
      issue_number: parent.number,
      sub_issue_id: first.id
    })
    await octokit.rest.issues.addSubIssue({
      ...repoOf(emulator),
      issue_number: parent.number,
      sub_issue_id: second.id
    })
    const listed = await octokit.rest.issues.listSubIssues({
      ...repoOf(emulator),
      issue_number: parent.number
    })
    const child = await octokit.rest.issues.get({ ...repoOf(emulator), issue_number: first.number })

    expect(added.status).toBe(201)
    expect(added.data.number).toBe(parent.number)
    expect(listed.data.map((issue) => issue.title)).toEqual(['Leg 1', 'Leg 2'])
    expect(listed.data[1]?.sub_issues_summary).toEqual({
      total: 0,
      completed: 0,
      percent_completed: 0
    })
    expect(child.data.parent_issue_url).toBe(
      `${emulator.url}/repos/octo-org/parallel-setup-demo/issues/1`
    )
    const parentNow = await octokit.rest.issues.get({
      ...repoOf(emulator),
      issue_number: parent.number
    })
    expect(parentNow.data.sub_issues_summary).toEqual({
      total: 2,
      completed: 1,
      percent_completed: 50
    })
    emulator.assertContract()
  })

  test('reject an issue number passed as sub_issue_id', async () => {
    const parent = emulator.state.addIssue({ title: 'Plan' })
    const child = emulator.state.addIssue({ title: 'Leg' })

    const failure = await rejectionOf(
      octokit.rest.issues.addSubIssue({
        ...repoOf(emulator),
        issue_number: parent.number,
        sub_issue_id: child.number
      })
    )

    expect(failure.status).toBe(404)
    expect(emulator.state.issue(child.number)?.parentNumber).toBeNull()
  })

  test('allow one parent unless replace_parent is set', async () => {
    const first = emulator.state.addIssue({ title: 'Plan A' })
    const second = emulator.state.addIssue({ title: 'Plan B' })
    const child = emulator.state.addIssue({ title: 'Leg' })
    await octokit.rest.issues.addSubIssue({
      ...repoOf(emulator),
      issue_number: first.number,
      sub_issue_id: child.id
    })

    const failure = await rejectionOf(
      octokit.rest.issues.addSubIssue({
        ...repoOf(emulator),
        issue_number: second.number,
        sub_issue_id: child.id
      })
    )
    await octokit.rest.issues.addSubIssue({
      ...repoOf(emulator),
      issue_number: second.number,
      sub_issue_id: child.id,
      replace_parent: true
    })

    expect(failure.status).toBe(422)
    expect(failure.data.errors).toEqual(
      relationErrors('sub_issue_id', 'Sub issue may only have one parent')
    )
    expect(emulator.state.issue(child.number)?.parentNumber).toBe(second.number)
    expect(emulator.state.issue(first.number)?.subIssueNumbers).toEqual([])
  })

  test('enforce GitHub hierarchy limits', async () => {
    const root = emulator.state.addIssue({ title: 'Root' })
    const add = (parent: number, childId: number) =>
      octokit.rest.issues.addSubIssue({
        ...repoOf(emulator),
        issue_number: parent,
        sub_issue_id: childId
      })

    const self = await rejectionOf(add(root.number, root.id))
    const chain = [root]
    for (let level = 2; level <= 8; level++) {
      const next = emulator.state.addIssue({ title: `Level ${level}` })
      await add(chain.at(-1)!.number, next.id)
      chain.push(next)
    }
    const cycle = await rejectionOf(add(chain.at(-1)!.number, root.id))
    const ninth = emulator.state.addIssue({ title: 'Level 9' })
    const tooDeep = await rejectionOf(add(chain.at(-1)!.number, ninth.id))
    const wide = emulator.state.addIssue({ title: 'Wide' })
    for (let index = 0; index < 100; index++) {
      const leaf = emulator.state.addIssue({ title: `Leaf ${index}` })
      emulator.state.issue(leaf.number)!.parentNumber = wide.number
      wide.subIssueNumbers.push(leaf.number)
    }
    const extra = emulator.state.addIssue({ title: 'Leaf 101' })
    const tooMany = await rejectionOf(add(wide.number, extra.id))

    expect(self.data.errors).toEqual(
      relationErrors('sub_issue_id', 'Sub issue cannot be the same as the parent issue')
    )
    expect(cycle.data.errors).toEqual(
      relationErrors('sub_issue_id', 'Sub issue cannot be an ancestor of its parent')
    )
    expect(tooDeep.data.errors).toEqual(
      relationErrors('sub_issue_id', 'Sub-issues cannot be nested more than 8 levels deep')
    )
    expect(tooMany.data.errors).toEqual(
      relationErrors('sub_issue_id', 'Parent issue cannot have more than 100 sub-issues')
    )
  })
})

describe('dependencies', () => {
  test('add blocked_by by id and list', async () => {
    const blocked = emulator.state.addIssue({ title: 'Leg 2' })
    const blocker = emulator.state.addIssue({ title: 'Leg 1' })

    const added = await octokit.request(
      'POST /repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by',
      {
        ...repoOf(emulator),
        issue_number: blocked.number,
        issue_id: blocker.id
      }
    )
    const listed = await octokit.request(
      'GET /repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by',
      {
        ...repoOf(emulator),
        issue_number: blocked.number
      }
    )
    const blockerNow = await octokit.rest.issues.get({
      ...repoOf(emulator),
      issue_number: blocker.number
    })

    expect(added.status).toBe(201)
    expect(added.data.issue_dependencies_summary).toEqual({
      blocked_by: 1,
      blocking: 0,
      total_blocked_by: 1,
      total_blocking: 0
    })
    expect(listed.data.map((issue) => issue.number)).toEqual([blocker.number])
    expect(blockerNow.data.issue_dependencies_summary?.blocking).toBe(1)
    emulator.assertContract()
  })

  test('reject self and duplicate dependencies', async () => {
    const blocked = emulator.state.addIssue({ title: 'Leg 2' })
    const blocker = emulator.state.addIssue({ title: 'Leg 1' })
    const add = (issueId: number) =>
      octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by', {
        ...repoOf(emulator),
        issue_number: blocked.number,
        issue_id: issueId
      })

    const self = await rejectionOf(add(blocked.id))
    await add(blocker.id)
    const duplicate = await rejectionOf(add(blocker.id))
    const byNumber = await rejectionOf(add(blocker.number))

    expect(self.data.errors).toEqual(
      relationErrors('issue_id', 'An issue cannot be blocked by itself')
    )
    expect(duplicate.data.errors).toEqual(
      relationErrors('issue_id', 'The issue is already blocked by this issue')
    )
    expect(byNumber.status).toBe(404)
    expect(emulator.state.issue(blocked.number)?.blockedByNumbers).toEqual([blocker.number])
  })
})
