import type { Octokit } from './client.js'
import { parseMarker, renderIssueBody, sameTask, type TaskKey } from './body.js'
import { toPermissionError } from './errors.js'

/** The fields of an issue the actions use. */
export interface IssueSummary {
  id: number
  number: number
  url: string
  state: 'open' | 'closed'
  labels: string[]
}

/**
 * The creates a leg saw before its own. `createdAtMs` contains GitHub's creation times
 * of the manifest's issues in its list. `serverNowMs` is GitHub's clock at the list (the
 * `date` header), and `localNowMs` the leg's clock at that moment. Times are ms since the epoch.
 */
export interface CreateHistory {
  createdAtMs: number[]
  serverNowMs: number
  localNowMs: number
}

/**
 * The result of a GET of one issue number: nothing (404), a deleted issue (410), an issue or
 * pull request that is not the task's, or the task's issue. `createdAt` is GitHub's time in ms.
 */
export type IssueProbe =
  | { kind: 'missing' }
  | { kind: 'deleted' }
  | { kind: 'other'; createdAt: number }
  | { kind: 'task'; createdAt: number; issue: IssueSummary }

export interface NewIssue {
  title: string
  body: string
  labels: string[]
  assignees: string[]
  milestone?: string | number
}

export interface Repository {
  owner: string
  repo: string
}

/**
 * Issues of one repository, found by the hidden task marker in their bodies. The Search
 * API is never used: it lags behind writes and allows 30 requests a minute.
 */
export class IssueStore {
  private history: CreateHistory | undefined

  constructor(
    private readonly octokit: Octokit,
    private readonly repository: Repository
  ) {}

  /**
   * Lists the issues that carry the task's marker, oldest first. Only issues with the
   * tracking label are read, so the scan stays one page long in a busy repository.
   */
  async findTaskIssues(key: TaskKey, trackingLabel: string): Promise<IssueSummary[]> {
    const found: IssueSummary[] = []
    const createdAtMs: number[] = []
    let clock: { serverNowMs: number; localNowMs: number } | undefined
    const pages = this.octokit.paginate.iterator(this.octokit.rest.issues.listForRepo, {
      ...this.repository,
      state: 'all',
      labels: trackingLabel,
      sort: 'created',
      direction: 'asc',
      per_page: 100
    })
    for await (const page of pages) {
      const serverNowMs = Date.parse(page.headers.date ?? '')
      if (Number.isFinite(serverNowMs)) clock = { serverNowMs, localNowMs: Date.now() }
      for (const issue of page.data) {
        if (issue.pull_request) continue
        const marker = parseMarker(issue.body)
        if (marker?.manifest === key.manifest) createdAtMs.push(Date.parse(issue.created_at))
        if (marker && sameTask(marker, key)) found.push(summarize(issue))
      }
    }
    if (clock) this.history = { createdAtMs, ...clock }
    return found.sort((a, b) => a.number - b.number)
  }

  /**
   * Reads the newest page of issues with the tracking label, one request, so that
   * `createHistory` shows the creates of the last minutes. A whole list would page through
   * every such issue, and a fan-out of 256 legs would spend most of the token's 1,000
   * requests an hour.
   */
  async refreshCreateHistory(manifest: string, trackingLabel: string): Promise<void> {
    const response = await this.octokit.rest.issues.listForRepo({
      ...this.repository,
      state: 'all',
      labels: trackingLabel,
      sort: 'created',
      direction: 'desc',
      per_page: 100
    })
    const serverNowMs = Date.parse(response.headers.date ?? '')
    if (!Number.isFinite(serverNowMs)) return
    const createdAtMs = response.data
      .filter((issue) => !issue.pull_request && parseMarker(issue.body)?.manifest === manifest)
      .map((issue) => Date.parse(issue.created_at))
    this.history = { createdAtMs, serverNowMs, localNowMs: Date.now() }
  }

  /**
   * Returns what the last `findTaskIssues` or `refreshCreateHistory` saw of the manifest's
   * creates, with GitHub's clock beside this machine's. Returns undefined before a list, or
   * when GitHub sent no date.
   */
  createHistory(): CreateHistory | undefined {
    return this.history
  }

  /**
   * Returns the number of the newest issue or pull request that the list shows, or undefined
   * when it shows none. The list lags behind writes, so newer numbers may exist.
   */
  async findNewestNumber(): Promise<number | undefined> {
    const { data } = await this.octokit.rest.issues.listForRepo({
      ...this.repository,
      state: 'all',
      sort: 'created',
      direction: 'desc',
      per_page: 1
    })
    return data[0]?.number
  }

  /**
   * Opens the task's issue. The tracking label is added so a re-run can find it.
   * `beforeSend` runs after the milestone lookup, right before the create request is sent.
   */
  async createTaskIssue(
    key: TaskKey,
    issue: NewIssue,
    trackingLabel: string,
    beforeSend?: () => Promise<void>
  ): Promise<IssueSummary> {
    const milestone = await this.resolveMilestone(issue.milestone)
    const labels = [...new Set([trackingLabel, ...issue.labels])]
    await beforeSend?.()
    try {
      const { data } = await this.octokit.rest.issues.create({
        ...this.repository,
        title: issue.title,
        body: renderIssueBody(issue.body, key),
        labels,
        assignees: issue.assignees.length > 0 ? issue.assignees : undefined,
        milestone,
        // A retried create whose first attempt reached GitHub would open a second issue, so a
        // failure fails the task instead. A re-run then finds the issue by its marker.
        request: { retries: 0 }
      })
      return summarize(data)
    } catch (error) {
      throw withPermissionAdvice(error, 'create issues')
    }
  }

  /**
   * Reads issue `number` and checks that it is still the task's issue. Returns undefined when
   * it was deleted (404 or 410), transferred to another repository (GitHub redirects the
   * request there), or no longer carries the task's marker.
   */
  async getTaskIssue(number: number, key: TaskKey): Promise<IssueSummary | undefined> {
    const probe = await this.probeIssue(number, key)
    return probe.kind === 'task' ? probe.issue : undefined
  }

  /**
   * Reads issue `number` by a GET, which, unlike a list, always returns the current issue.
   * A pull request, an issue transferred away and an issue without the task's marker are
   * `other`.
   */
  async probeIssue(number: number, key: TaskKey): Promise<IssueProbe> {
    let data
    try {
      ;({ data } = await this.octokit.rest.issues.get({
        ...this.repository,
        issue_number: number
      }))
    } catch (error) {
      const status = (error as { status?: number }).status
      if (status === 404) return { kind: 'missing' }
      if (status === 410) return { kind: 'deleted' }
      throw error
    }
    const createdAt = Date.parse(data.created_at)
    if (data.pull_request || !this.isOwnRepository(data.repository_url)) {
      return { kind: 'other', createdAt }
    }
    const marker = parseMarker(data.body)
    if (!marker || !sameTask(marker, key)) return { kind: 'other', createdAt }
    return { kind: 'task', createdAt, issue: summarize(data) }
  }

  /** Closes a duplicate that lost a race, with a comment that links the issue that stays. */
  async closeDuplicate(duplicate: IssueSummary, survivor: IssueSummary): Promise<void> {
    try {
      await this.octokit.rest.issues.createComment({
        ...this.repository,
        issue_number: duplicate.number,
        body: `Duplicate of #${survivor.number}: two runs set up the same task at once, and that issue was opened first.`
      })
      await this.octokit.rest.issues.update({
        ...this.repository,
        issue_number: duplicate.number,
        state: 'closed',
        state_reason: 'duplicate'
      })
    } catch (error) {
      throw withPermissionAdvice(error, 'close duplicate issues')
    }
  }

  private isOwnRepository(repositoryUrl: string | undefined): boolean {
    if (repositoryUrl === undefined) return true
    const own = `/repos/${this.repository.owner}/${this.repository.repo}`.toLowerCase()
    return repositoryUrl.toLowerCase().endsWith(own)
  }

  private async resolveMilestone(
    milestone: string | number | undefined
  ): Promise<number | undefined> {
    if (milestone === undefined) return undefined
    if (typeof milestone === 'number') return milestone
    const milestones = await this.octokit.paginate(this.octokit.rest.issues.listMilestones, {
      ...this.repository,
      state: 'all',
      per_page: 100
    })
    const match = milestones.find((candidate) => candidate.title === milestone)
    if (!match) {
      const known = milestones.map((candidate) => `'${candidate.title}'`).join(', ') || 'none'
      throw new Error(
        `The milestone '${milestone}' does not exist in ${this.repository.owner}/${this.repository.repo}. ` +
          `Existing milestones: ${known}. Create it, or set milestone to an existing title or number.`
      )
    }
    return match.number
  }
}

interface RawIssue {
  id: number
  number: number
  html_url: string
  state: string
  labels: Array<string | { name?: string }>
}

function summarize(issue: RawIssue): IssueSummary {
  return {
    id: issue.id,
    number: issue.number,
    url: issue.html_url,
    state: issue.state === 'closed' ? 'closed' : 'open',
    labels: issue.labels.map((label) => (typeof label === 'string' ? label : (label.name ?? '')))
  }
}

function withPermissionAdvice(error: unknown, action: string): unknown {
  return toPermissionError(error, action) ?? error
}
