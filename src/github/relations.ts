import type { Octokit } from './client.js'
import { describePermissionError } from './errors.js'
import type { Repository } from './issues.js'

/** GitHub allows at most this many sub-issues under one parent issue. */
export const MAX_SUB_ISSUES = 100

/** A blocked-by link between two issues, by number. */
export interface BlockedBy {
  blocked: number
  blocker: number
}

/** Outcome of a linking call, in the order the links were given. */
export interface LinkReport<T> {
  added: T[]
  /** Links that were already there, so nothing was sent. */
  existing: T[]
  /** Links that were not made, with the reason from GitHub or from a limit checked first. */
  skipped: Array<{ link: T; reason: string }>
}

interface IssueFacts {
  id: number
  /** The number of the issue's parent, or undefined when it has none. */
  parent?: number
}

/**
 * Sub-issue and dependency links between issues of one repository. Both endpoints take the
 * issue's id, not its number, so ids are fetched once and kept.
 */
export class IssueRelations {
  private readonly ids = new Map<number, number>()

  constructor(
    private readonly octokit: Octokit,
    private readonly repository: Repository
  ) {}

  /**
   * Adds each issue as a sub-issue of `parent`. Issues already under it are left alone, an
   * issue under another parent is not moved, and GitHub's limit of 100 sub-issues per parent
   * is checked before a request is sent.
   */
  async addSubIssues(parent: number, children: number[]): Promise<LinkReport<number>> {
    const report: LinkReport<number> = { added: [], existing: [], skipped: [] }
    const current = await this.listSubIssues(parent)
    for (const child of [...new Set(children)]) {
      if (child === parent) {
        report.skipped.push({ link: child, reason: 'it is the parent issue itself' })
        continue
      }
      if (current.has(child)) {
        report.existing.push(child)
        continue
      }
      if (current.size >= MAX_SUB_ISSUES) {
        report.skipped.push({
          link: child,
          reason: `issue #${parent} already has ${MAX_SUB_ISSUES} sub-issues, the most GitHub allows`
        })
        continue
      }
      const facts = await this.readIssue(child)
      if (facts.parent === parent) {
        report.existing.push(child)
        current.add(child)
        continue
      }
      if (facts.parent !== undefined) {
        report.skipped.push({
          link: child,
          reason: `it is already a sub-issue of #${facts.parent}, and is left there`
        })
        continue
      }
      try {
        await this.octokit.rest.issues.addSubIssue({
          ...this.repository,
          issue_number: parent,
          sub_issue_id: facts.id
        })
        report.added.push(child)
        current.add(child)
      } catch (error) {
        const reason = rejectionReason(error, 'add sub-issues')
        // A retried request whose first attempt reached GitHub is rejected as a duplicate.
        if ((await this.readIssue(child)).parent === parent) {
          report.added.push(child)
          current.add(child)
        } else {
          report.skipped.push({ link: child, reason })
        }
      }
    }
    return report
  }

  /** Records each blocked-by link, skipping the links that exist. */
  async addBlockedBy(links: BlockedBy[]): Promise<LinkReport<BlockedBy>> {
    const report: LinkReport<BlockedBy> = { added: [], existing: [], skipped: [] }
    const blockersOf = new Map<number, Set<number>>()
    for (const link of links) {
      if (link.blocked === link.blocker) {
        report.skipped.push({ link, reason: 'an issue cannot block itself' })
        continue
      }
      let blockers = blockersOf.get(link.blocked)
      if (!blockers) {
        blockers = await this.listBlockedBy(link.blocked)
        blockersOf.set(link.blocked, blockers)
      }
      if (blockers.has(link.blocker)) {
        report.existing.push(link)
        continue
      }
      const blockerId = await this.idOf(link.blocker)
      try {
        await this.octokit.rest.issues.addBlockedByDependency({
          ...this.repository,
          issue_number: link.blocked,
          issue_id: blockerId
        })
        report.added.push(link)
        blockers.add(link.blocker)
      } catch (error) {
        const reason = rejectionReason(error, 'add issue dependencies')
        // A retried request whose first attempt reached GitHub is rejected as a duplicate.
        const now = await this.listBlockedBy(link.blocked)
        blockersOf.set(link.blocked, now)
        if (now.has(link.blocker)) report.added.push(link)
        else report.skipped.push({ link, reason })
      }
    }
    return report
  }

  private async listSubIssues(parent: number): Promise<Set<number>> {
    const issues = await this.withAdvice('read sub-issues', () =>
      this.octokit.paginate(this.octokit.rest.issues.listSubIssues, {
        ...this.repository,
        issue_number: parent,
        per_page: 100
      })
    )
    for (const issue of issues) this.ids.set(issue.number, issue.id)
    return new Set(issues.map((issue) => issue.number))
  }

  private async listBlockedBy(blocked: number): Promise<Set<number>> {
    const issues = await this.withAdvice('read issue dependencies', () =>
      this.octokit.paginate(this.octokit.rest.issues.listDependenciesBlockedBy, {
        ...this.repository,
        issue_number: blocked,
        per_page: 100
      })
    )
    for (const issue of issues) this.ids.set(issue.number, issue.id)
    return new Set(issues.map((issue) => issue.number))
  }

  private async readIssue(issueNumber: number): Promise<IssueFacts> {
    const { data } = await this.withAdvice('read issues', () =>
      this.octokit.rest.issues.get({ ...this.repository, issue_number: issueNumber })
    )
    this.ids.set(data.number, data.id)
    const parentUrl = (data as { parent_issue_url?: string | null }).parent_issue_url
    const parent = parentUrl ? Number(/\/issues\/(\d+)$/.exec(parentUrl)?.[1]) : undefined
    return parent === undefined || Number.isNaN(parent) ? { id: data.id } : { id: data.id, parent }
  }

  private async idOf(issueNumber: number): Promise<number> {
    return this.ids.get(issueNumber) ?? (await this.readIssue(issueNumber)).id
  }

  private async withAdvice<T>(action: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request()
    } catch (error) {
      const advice = describePermissionError(error, action)
      throw advice ? new Error(advice) : error
    }
  }
}

interface RequestErrorLike {
  status?: number
  message?: string
  response?: { data?: { message?: string; errors?: Array<{ message?: string }> } }
}

/**
 * Returns GitHub's reason for a rejected link (422, or 404 where the feature is off). Throws
 * a missing permission as advice and any other failure as it is, because those stop every
 * later link too.
 */
function rejectionReason(error: unknown, action: string): string {
  const advice = describePermissionError(error, action)
  if (advice) throw new Error(advice)
  const failure = error as RequestErrorLike
  if (failure?.status !== 422 && failure?.status !== 404) throw error
  const detail = failure.response?.data?.errors?.[0]?.message
  const message = failure.response?.data?.message ?? failure.message ?? 'rejected'
  return `GitHub answered ${failure.status}: ${detail ?? message}`
}
