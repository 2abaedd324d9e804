import type { EmulatedClock } from './clock.js'

export type IssueState = 'open' | 'closed'
export type StateReason = 'completed' | 'not_planned' | 'reopened' | 'duplicate'
export type JobStatus = 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending'
export type JobConclusion =
  'success' | 'failure' | 'neutral' | 'cancelled' | 'skipped' | 'timed_out' | 'action_required'

export interface UserRecord {
  login: string
  id: number
  type: 'User' | 'Bot' | 'Organization'
}

/** Issue fields that change over time. List endpoints may show an older copy (see listLagMs). */
export interface IssueFields {
  title: string
  body: string | null
  state: IssueState
  stateReason: StateReason | null
  /** Label ids in the order they were applied. */
  labelIds: number[]
  assignees: string[]
  milestoneNumber: number | null
  locked: boolean
  updatedAt: number
  closedAt: number | null
  closedBy: string | null
}

export interface IssueRecord extends IssueFields {
  id: number
  nodeId: string
  number: number
  author: string
  createdAt: number
  parentNumber: number | null
  subIssueNumbers: number[]
  /** Numbers of the issues that block this one, in the order they were added. */
  blockedByNumbers: number[]
  /** Earlier versions with the emulated time each became current, oldest first. */
  history: Array<{ at: number; fields: IssueFields }>
}

export interface CommentRecord {
  id: number
  nodeId: string
  issueNumber: number
  body: string
  author: string
  createdAt: number
  updatedAt: number
}

export interface LabelRecord {
  id: number
  nodeId: string
  name: string
  /** Six hex digits without "#". */
  color: string
  description: string | null
}

export interface MilestoneRecord {
  id: number
  nodeId: string
  number: number
  title: string
  description: string | null
  state: 'open' | 'closed'
  dueOn: number | null
  creator: string
  createdAt: number
  updatedAt: number
  closedAt: number | null
}

export interface JobStepRecord {
  name: string
  status: 'queued' | 'in_progress' | 'completed'
  conclusion: string | null
  number: number
  startedAt: number | null
  completedAt: number | null
}

export interface JobRecord {
  id: number
  nodeId: string
  runId: number
  runAttempt: number
  name: string
  status: JobStatus
  conclusion: JobConclusion | null
  createdAt: number
  startedAt: number
  completedAt: number | null
  steps: JobStepRecord[]
  labels: string[]
  runnerId: number | null
  runnerName: string | null
  runnerGroupId: number | null
  runnerGroupName: string | null
  headSha: string
  headBranch: string | null
  workflowName: string | null
}

export interface NewIssue {
  title: string
  body?: string | null
  labels?: string[]
  assignees?: string[]
  milestone?: number | null
  state?: IssueState
  author?: string
}

export interface NewJob {
  runId: number
  runAttempt?: number
  name: string
  status?: JobStatus
  conclusion?: JobConclusion | null
  steps?: Array<Partial<JobStepRecord> & { name: string }>
  labels?: string[]
  runnerName?: string | null
  headSha?: string
  headBranch?: string | null
  workflowName?: string | null
  startedAt?: number
  completedAt?: number | null
}

export interface StateOptions {
  owner: string
  repo: string
  defaultBranch: string
}

/**
 * Ids start far apart so that no issue id equals an issue number or another resource's id. A
 * client that sends a number where GitHub wants an id (sub_issue_id, issue_id) then gets an
 * error instead of linking an unrelated issue.
 */
const ID_BASE = {
  user: 9_000_001,
  repository: 700_000_001,
  issue: 2_100_000_001,
  comment: 3_100_000_001,
  label: 4_100_000_001,
  milestone: 5_100_000_001,
  job: 6_100_000_001
} as const

/** The bot account that a GITHUB_TOKEN in Actions acts as. */
export const ACTIONS_BOT: UserRecord = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' }

/**
 * The emulated repository: issues, comments, labels, milestones, sub-issues, dependencies and
 * Actions jobs. Tests may read and change it directly. Records seeded through the `add*` methods
 * count as old, so they show in list results at once even with a list lag.
 */
export class EmulatorState {
  readonly owner: string
  readonly repo: string
  defaultBranch: string
  readonly repositoryId = ID_BASE.repository
  /** Installation id in the primary rate-limit message, as for a GITHUB_TOKEN. */
  installationId = 41_234_567
  /** Logins that may be assigned to issues. */
  collaborators: string[]

  readonly issues = new Map<number, IssueRecord>()
  readonly comments = new Map<number, CommentRecord>()
  /** Labels by lowercase name, because GitHub matches label names case-insensitively. */
  readonly labels = new Map<string, LabelRecord>()
  readonly milestones = new Map<number, MilestoneRecord>()
  readonly jobs = new Map<number, JobRecord>()
  /** Number of attempts per workflow run id. */
  readonly runs = new Map<number, number>()
  readonly users = new Map<string, UserRecord>()

  private readonly counters = { user: 0, issue: 0, comment: 0, label: 0, milestone: 0, job: 0 }
  private nextIssueNumber = 1
  private nextMilestoneNumber = 1

  constructor(
    options: StateOptions,
    private readonly clock: EmulatedClock
  ) {
    this.owner = options.owner
    this.repo = options.repo
    this.defaultBranch = options.defaultBranch
    this.collaborators = [options.owner, 'octocat']
    this.users.set(ACTIONS_BOT.login, ACTIONS_BOT)
    this.user(options.owner)
    this.user('octocat')
  }

  now(): number {
    return this.clock.now()
  }

  /** Returns the user with this login, creating the account on first use. */
  user(login: string): UserRecord {
    let user = this.users.get(login)
    if (!user) {
      user = { login, id: ID_BASE.user + this.counters.user++, type: 'User' }
      this.users.set(login, user)
    }
    return user
  }

  issue(number: number): IssueRecord | undefined {
    return this.issues.get(number)
  }

  issueById(id: number): IssueRecord | undefined {
    for (const issue of this.issues.values()) {
      if (issue.id === id) return issue
    }
    return undefined
  }

  label(name: string): LabelRecord | undefined {
    return this.labels.get(name.toLowerCase())
  }

  labelById(id: number): LabelRecord | undefined {
    for (const label of this.labels.values()) {
      if (label.id === id) return label
    }
    return undefined
  }

  /** Inserts an issue as a client would create it, so it takes part in the list lag. */
  createIssue(input: NewIssue, author: string): IssueRecord {
    const now = this.now()
    const id = ID_BASE.issue + this.counters.issue++
    const number = this.nextIssueNumber++
    const closed = input.state === 'closed'
    const issue: IssueRecord = {
      id,
      nodeId: `I_kwEmu${id.toString(36)}`,
      number,
      author,
      createdAt: now,
      updatedAt: now,
      title: input.title,
      body: input.body ?? null,
      state: closed ? 'closed' : 'open',
      stateReason: closed ? 'completed' : null,
      closedAt: closed ? now : null,
      closedBy: closed ? author : null,
      labelIds: (input.labels ?? []).map((name) => this.ensureLabel(name).id),
      assignees: [...(input.assignees ?? [])],
      milestoneNumber: input.milestone ?? null,
      locked: false,
      parentNumber: null,
      subIssueNumbers: [],
      blockedByNumbers: [],
      history: []
    }
    this.issues.set(number, issue)
    this.recordVersion(issue)
    return issue
  }

  /** Seeds an issue that already existed before the test, so list endpoints show it at once. */
  addIssue(input: NewIssue): IssueRecord {
    const issue = this.createIssue(input, input.author ?? this.owner)
    issue.history[0]!.at = Number.NEGATIVE_INFINITY
    return issue
  }

  /**
   * Applies changes to an issue and records the new version for lagging lists. While
   * `faults.listLagMs` is above 0, list endpoints show only changes made through this method.
   */
  updateIssue(issue: IssueRecord, changes: Partial<IssueFields>): IssueRecord {
    Object.assign(issue, changes, { updatedAt: this.now() })
    this.recordVersion(issue)
    return issue
  }

  /** Marks an issue as changed without changing its fields, e.g. after a new comment. */
  touchIssue(issue: IssueRecord): void {
    this.updateIssue(issue, {})
  }

  /**
   * Returns the version of an issue that list endpoints show with the given lag, or undefined
   * when the issue is too new. Without a lag it is the current issue, direct changes included.
   */
  issueVersionFor(issue: IssueRecord, lagMs: number): IssueFields | undefined {
    if (lagMs <= 0) return issue
    const visibleAt = this.now() - lagMs
    let found: IssueFields | undefined
    for (const version of issue.history) {
      if (version.at <= visibleAt) found = version.fields
    }
    return found
  }

  addComment(issue: IssueRecord, body: string, author: string): CommentRecord {
    const now = this.now()
    const id = ID_BASE.comment + this.counters.comment++
    const comment: CommentRecord = {
      id,
      nodeId: `IC_kwEmu${id.toString(36)}`,
      issueNumber: issue.number,
      body,
      author,
      createdAt: now,
      updatedAt: now
    }
    this.comments.set(id, comment)
    this.touchIssue(issue)
    return comment
  }

  commentsOf(issueNumber: number): CommentRecord[] {
    return [...this.comments.values()].filter((comment) => comment.issueNumber === issueNumber)
  }

  addLabel(input: { name: string; color?: string; description?: string | null }): LabelRecord {
    const id = ID_BASE.label + this.counters.label++
    const label: LabelRecord = {
      id,
      nodeId: `LA_kwEmu${id.toString(36)}`,
      name: input.name,
      // GitHub gives labels that it creates on the fly the color "ededed".
      color: (input.color ?? 'ededed').replace(/^#/, '').toLowerCase(),
      description: input.description ?? null
    }
    this.labels.set(input.name.toLowerCase(), label)
    return label
  }

  /** Returns the label with this name (case-insensitive), creating it if missing. */
  ensureLabel(name: string): LabelRecord {
    return this.label(name) ?? this.addLabel({ name })
  }

  addMilestone(input: {
    title: string
    description?: string | null
    state?: 'open' | 'closed'
    dueOn?: number | null
    creator?: string
  }): MilestoneRecord {
    const now = this.now()
    const id = ID_BASE.milestone + this.counters.milestone++
    const milestone: MilestoneRecord = {
      id,
      nodeId: `MI_kwEmu${id.toString(36)}`,
      number: this.nextMilestoneNumber++,
      title: input.title,
      description: input.description ?? null,
      state: input.state ?? 'open',
      dueOn: input.dueOn ?? null,
      creator: input.creator ?? this.owner,
      createdAt: now,
      updatedAt: now,
      closedAt: input.state === 'closed' ? now : null
    }
    this.milestones.set(milestone.number, milestone)
    return milestone
  }

  /** Registers a workflow run, so that its jobs endpoint returns 200 before any job exists. */
  addRun(runId: number, attempts = 1): void {
    this.runs.set(runId, Math.max(attempts, this.runs.get(runId) ?? 0))
  }

  /** Adds an Actions job to a workflow run, as the runner would report it. */
  addJob(input: NewJob): JobRecord {
    const now = this.now()
    const id = ID_BASE.job + this.counters.job++
    const status = input.status ?? 'completed'
    // A completed job defaults to success and to completing now, any other status to neither.
    const completed = status === 'completed'
    const defaultConclusion: JobConclusion | null = completed ? 'success' : null
    const defaultCompletedAt = completed ? now : null
    const job: JobRecord = {
      id,
      nodeId: `CR_kwEmu${id.toString(36)}`,
      runId: input.runId,
      runAttempt: input.runAttempt ?? 1,
      name: input.name,
      status,
      conclusion: input.conclusion !== undefined ? input.conclusion : defaultConclusion,
      createdAt: input.startedAt ?? now,
      startedAt: input.startedAt ?? now,
      completedAt: input.completedAt !== undefined ? input.completedAt : defaultCompletedAt,
      steps: (input.steps ?? []).map((step, index) => ({
        name: step.name,
        status: step.status ?? 'completed',
        conclusion: step.conclusion !== undefined ? step.conclusion : 'success',
        number: step.number ?? index + 1,
        startedAt: step.startedAt ?? null,
        completedAt: step.completedAt ?? null
      })),
      labels: input.labels ?? ['ubuntu-latest'],
      runnerId: input.runnerName === null ? null : 1 + this.counters.job,
      runnerName: input.runnerName !== undefined ? input.runnerName : 'GitHub Actions 1',
      runnerGroupId: input.runnerName === null ? null : 2,
      runnerGroupName: input.runnerName === null ? null : 'GitHub Actions',
      headSha: input.headSha ?? '0123456789abcdef0123456789abcdef01234567',
      headBranch: input.headBranch !== undefined ? input.headBranch : this.defaultBranch,
      workflowName: input.workflowName !== undefined ? input.workflowName : 'CI'
    }
    this.jobs.set(id, job)
    this.addRun(job.runId, job.runAttempt)
    return job
  }

  /** Changes a job, e.g. to complete it while a test polls the jobs endpoint. */
  updateJob(id: number, changes: Partial<Omit<JobRecord, 'id' | 'nodeId' | 'runId'>>): JobRecord {
    const job = this.jobs.get(id)
    if (!job) throw new Error(`Job ${id} not found; add it with state.addJob first`)
    Object.assign(job, changes)
    return job
  }

  private recordVersion(issue: IssueRecord): void {
    issue.history.push({
      at: this.now(),
      fields: {
        title: issue.title,
        body: issue.body,
        state: issue.state,
        stateReason: issue.stateReason,
        labelIds: [...issue.labelIds],
        assignees: [...issue.assignees],
        milestoneNumber: issue.milestoneNumber,
        locked: issue.locked,
        updatedAt: issue.updatedAt,
        closedAt: issue.closedAt,
        closedBy: issue.closedBy
      }
    })
  }
}
