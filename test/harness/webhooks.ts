/**
 * Event payloads for simulated workflow runs, taken from GitHub's published webhook examples
 * in the `@octokit/webhooks-examples` package rather than written by hand.
 */
import { createRequire } from 'node:module'

export type WebhookPayload = Record<string, unknown>

export interface PayloadOverrides {
  /** Sets repository.name, full_name and owner.login, and rewrites the old name in URLs. */
  repository?: { owner: string; name: string }
  /** workflow_dispatch: the inputs the run was started with, each sent as text. */
  inputs?: Record<string, string | boolean | number>
  /** workflow_dispatch: the ref the run was started on, such as refs/heads/main. */
  ref?: string
  /** issues: fields of the issue the event is about. */
  issue?: { number?: number; title?: string; body?: string | null; labels?: string[] }
  /** issues.labeled and issues.unlabeled: the name of the label that was added or removed. */
  label?: string
  /**
   * The API and web URLs that replace GitHub's hosts in every URL of the payload, so that a
   * step that follows a payload URL reaches the local emulator instead of the internet.
   */
  apiUrl?: string
  serverUrl?: string
}

interface WebhookDefinition {
  name: string
  actions: string[]
  examples: WebhookPayload[]
}

const require = createRequire(import.meta.url)

let definitions: WebhookDefinition[] | undefined

function loadDefinitions(): WebhookDefinition[] {
  definitions ??=
    require('@octokit/webhooks-examples/api.github.com/index.json') as WebhookDefinition[]
  return definitions
}

/**
 * Returns a copy of GitHub's first published example payload for `event` (and `action`, for
 * events that have actions, such as issues), with the overrides applied. Throws when the
 * package has no such example.
 */
export function loadWebhookExample(event: string, overrides?: PayloadOverrides): WebhookPayload
export function loadWebhookExample(
  event: string,
  action: string,
  overrides?: PayloadOverrides
): WebhookPayload
export function loadWebhookExample(
  event: string,
  actionOrOverrides?: string | PayloadOverrides,
  maybeOverrides?: PayloadOverrides
): WebhookPayload {
  const action = typeof actionOrOverrides === 'string' ? actionOrOverrides : undefined
  const overrides = typeof actionOrOverrides === 'string' ? maybeOverrides : actionOrOverrides
  const definition = loadDefinitions().find((candidate) => candidate.name === event)
  if (!definition) {
    throw new Error(`@octokit/webhooks-examples has no '${event}' event.`)
  }
  const example = definition.examples.find((candidate) =>
    action === undefined ? true : candidate.action === action
  )
  if (!example) {
    const actions = [...new Set(definition.examples.map((candidate) => candidate.action))]
    throw new Error(
      `@octokit/webhooks-examples has no '${event}' example with action '${action}'. ` +
        `Its examples have the actions: ${actions.join(', ')}.`
    )
  }
  return overridePayload(structuredClone(example), overrides ?? {})
}

/** Applies overrides to a payload in place and returns it. */
export function overridePayload(
  payload: WebhookPayload,
  overrides: PayloadOverrides
): WebhookPayload {
  const replacements: Replacement[] = []
  if (overrides.repository) renameRepository(payload, overrides.repository, replacements)
  if (overrides.apiUrl) {
    const api = overrides.apiUrl.replace(/\/$/, '')
    replacements.push(literal('https://api.github.com', api))
    replacements.push(literal('https://uploads.github.com', api))
  }
  if (overrides.serverUrl) {
    const server = new URL(overrides.serverUrl)
    replacements.push(literal('https://github.com', overrides.serverUrl.replace(/\/$/, '')))
    replacements.push(literal('git://github.com', `git://${server.host}`))
    replacements.push(literal('git@github.com:', `git@${server.hostname}:`))
  }
  if (replacements.length > 0) rewriteStrings(payload, replacements)

  if (overrides.inputs) {
    payload.inputs = Object.fromEntries(
      Object.entries(overrides.inputs).map(([name, value]) => [name, String(value)])
    )
  }
  if (overrides.ref) payload.ref = overrides.ref
  if (overrides.issue) overrideIssue(payload, overrides.issue, overrides.apiUrl)
  if (overrides.label !== undefined) {
    payload.label = makeLabel(payload, overrides.label, overrides.apiUrl, 0)
  }
  return payload
}

type Replacement = [pattern: RegExp, replacement: string]

/** Matches `text` literally; with `whole`, only where no name character follows it. */
function literal(text: string, replacement: string, whole = false): Replacement {
  const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return [new RegExp(whole ? `${escaped}(?![\\w-])` : escaped, 'g'), replacement]
}

function renameRepository(
  payload: WebhookPayload,
  target: { owner: string; name: string },
  replacements: Replacement[]
): void {
  const repository = payload.repository as Record<string, unknown> | undefined
  if (!repository) return
  const owner = repository.owner as Record<string, unknown>
  const oldOwner = String(owner.login)
  const oldFullName = String(repository.full_name)
  const fullName = `${target.owner}/${target.name}`
  // The sender and other users keep their names: only the owner's and the repository's
  // own paths change.
  replacements.push(literal(`/${oldFullName}`, `/${fullName}`, true))
  replacements.push(literal(`:${oldFullName}`, `:${fullName}`, true))
  replacements.push(literal(`/users/${oldOwner}`, `/users/${target.owner}`, true))
  replacements.push(literal(`/orgs/${oldOwner}`, `/orgs/${target.owner}`, true))
  replacements.push(literal(`github.com/${oldOwner}`, `github.com/${target.owner}`, true))
  repository.name = target.name
  repository.full_name = fullName
  owner.login = target.owner
  const organization = payload.organization as Record<string, unknown> | undefined
  if (organization && organization.login === oldOwner) organization.login = target.owner
}

function rewriteStrings(value: unknown, replacements: Replacement[]): unknown {
  if (typeof value === 'string') {
    let text = value
    for (const [pattern, replacement] of replacements)
      text = text.replace(pattern, () => replacement)
    return text
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => (value[index] = rewriteStrings(item, replacements)))
  } else if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>
    for (const key of Object.keys(record)) record[key] = rewriteStrings(record[key], replacements)
  }
  return value
}

function overrideIssue(
  payload: WebhookPayload,
  changes: NonNullable<PayloadOverrides['issue']>,
  apiUrl: string | undefined
): void {
  const issue = payload.issue as Record<string, unknown> | undefined
  if (!issue) throw new Error("The payload has no 'issue' to override.")
  if (changes.number !== undefined) {
    const old = Number(issue.number)
    for (const key of [
      'url',
      'repository_url',
      'labels_url',
      'comments_url',
      'events_url',
      'html_url'
    ]) {
      if (typeof issue[key] === 'string') {
        issue[key] = (issue[key] as string).replace(
          new RegExp(`/issues/${old}(?!\\d)`),
          `/issues/${changes.number}`
        )
      }
    }
    issue.number = changes.number
  }
  if (changes.title !== undefined) issue.title = changes.title
  if (changes.body !== undefined) issue.body = changes.body
  if (changes.labels) {
    issue.labels = changes.labels.map((name, index) => makeLabel(payload, name, apiUrl, index))
  }
}

/** Builds a label object with the fields of GitHub's label payload. */
function makeLabel(
  payload: WebhookPayload,
  name: string,
  apiUrl: string | undefined,
  index: number
): Record<string, unknown> {
  const repository = payload.repository as Record<string, unknown>
  const api = apiUrl ?? 'https://api.github.com'
  return {
    id: 5_000_000 + index,
    node_id: `LA_harness${index}`,
    url: `${api}/repos/${String(repository.full_name)}/labels/${encodeURIComponent(name)}`,
    name,
    color: 'ededed',
    default: false,
    description: null
  }
}
