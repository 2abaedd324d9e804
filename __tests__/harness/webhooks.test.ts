import { loadWebhookExample } from '../../test/harness/webhooks.js'

function messageOf(action: () => unknown): string {
  try {
    action()
  } catch (error) {
    return (error as Error).message
  }
  throw new Error('Expected an error, but none was thrown.')
}

type Payload = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

describe('loadWebhookExample', () => {
  it('loads the workflow_dispatch example', () => {
    const payload: Payload = loadWebhookExample('workflow_dispatch')
    expect(Object.keys(payload)).toEqual([
      'inputs',
      'organization',
      'ref',
      'repository',
      'sender',
      'workflow'
    ])
    expect(payload.inputs).toEqual({})
    expect(payload.ref).toBe('refs/heads/main')
    expect(payload.repository.full_name).toBe('octo-org/octo-repo')
    expect(payload.sender.login).toBe('octocat')
  })

  it('returns a fresh copy each time', () => {
    const first: Payload = loadWebhookExample('workflow_dispatch')
    first.repository.name = 'changed'
    const second: Payload = loadWebhookExample('workflow_dispatch')
    expect(second.repository.name).toBe('octo-repo')
  })

  it('renames the repository and rebases URLs', () => {
    const payload: Payload = loadWebhookExample('workflow_dispatch', {
      repository: { owner: 'acme', name: 'widgets' },
      apiUrl: 'http://127.0.0.1:4100',
      serverUrl: 'http://127.0.0.1:4100/'
    })
    expect(payload.repository.name).toBe('widgets')
    expect(payload.repository.full_name).toBe('acme/widgets')
    expect(payload.repository.owner.login).toBe('acme')
    expect(payload.organization.login).toBe('acme')
    expect(payload.repository.url).toBe('http://127.0.0.1:4100/repos/acme/widgets')
    expect(payload.repository.html_url).toBe('http://127.0.0.1:4100/acme/widgets')
    expect(payload.repository.clone_url).toBe('http://127.0.0.1:4100/acme/widgets.git')
    expect(payload.repository.ssh_url).toBe('git@127.0.0.1:acme/widgets.git')
    expect(payload.repository.owner.url).toBe('http://127.0.0.1:4100/users/acme')
    expect(payload.sender.login).toBe('octocat')
    expect(payload.sender.url).toBe('http://127.0.0.1:4100/users/octocat')
    expect(JSON.stringify(payload)).not.toContain('github.com')
  })

  it('sets dispatch inputs as text', () => {
    const payload: Payload = loadWebhookExample('workflow_dispatch', {
      inputs: { manifest: 'plans/tasks.yml', 'dry-run': true, count: 3 },
      ref: 'refs/heads/release'
    })
    expect(payload.inputs).toEqual({ manifest: 'plans/tasks.yml', 'dry-run': 'true', count: '3' })
    expect(payload.ref).toBe('refs/heads/release')
  })

  it('loads the issues labeled example', () => {
    const payload: Payload = loadWebhookExample('issues', 'labeled')
    expect(payload.action).toBe('labeled')
    expect(payload.issue.number).toBe(1)
    expect(payload.issue.title).toBe('Spelling error in the README file')
    expect(payload.issue.labels.map((label: { name: string }) => label.name)).toEqual(['bug'])
    expect(payload.label.name).toBe('bug')
    expect(payload.repository.full_name).toBe('Codertocat/Hello-World')
  })

  it('overrides the labeled issue', () => {
    const payload: Payload = loadWebhookExample('issues', 'labeled', {
      repository: { owner: 'acme', name: 'widgets' },
      apiUrl: 'http://127.0.0.1:4100',
      issue: {
        number: 42,
        title: 'Plan the login work',
        body: '$(rm -rf ~) `x`',
        labels: ['agent-task', 'plan']
      },
      label: 'plan'
    })
    expect(payload.issue.number).toBe(42)
    expect(payload.issue.url).toBe('http://127.0.0.1:4100/repos/acme/widgets/issues/42')
    expect(payload.issue.comments_url).toBe(
      'http://127.0.0.1:4100/repos/acme/widgets/issues/42/comments'
    )
    expect(payload.issue.title).toBe('Plan the login work')
    expect(payload.issue.body).toBe('$(rm -rf ~) `x`')
    expect(payload.issue.labels).toEqual([
      {
        id: 5000000,
        node_id: 'LA_harness0',
        url: 'http://127.0.0.1:4100/repos/acme/widgets/labels/agent-task',
        name: 'agent-task',
        color: 'ededed',
        default: false,
        description: null
      },
      {
        id: 5000001,
        node_id: 'LA_harness1',
        url: 'http://127.0.0.1:4100/repos/acme/widgets/labels/plan',
        name: 'plan',
        color: 'ededed',
        default: false,
        description: null
      }
    ])
    expect(payload.label.name).toBe('plan')
    expect(payload.label.url).toBe('http://127.0.0.1:4100/repos/acme/widgets/labels/plan')
  })

  it('rejects an unknown event', () => {
    expect(messageOf(() => loadWebhookExample('no_such_event'))).toBe(
      "@octokit/webhooks-examples has no 'no_such_event' event."
    )
  })

  it('rejects an unknown action', () => {
    expect(messageOf(() => loadWebhookExample('issues', 'exploded'))).toBe(
      "@octokit/webhooks-examples has no 'issues' example with action 'exploded'. Its examples " +
        'have the actions: edited, assigned, deleted, demilestoned, labeled, locked, milestoned, ' +
        'opened, pinned, reopened, transferred, unassigned, unlabeled, unlocked, unpinned.'
    )
  })
})
