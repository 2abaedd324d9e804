import type { TokenAccess } from './faults.js'
import type { RateStatus } from './limits.js'
import type {
  CommentRecord,
  EmulatorState,
  IssueFields,
  IssueRecord,
  JobRecord,
  LabelRecord,
  MilestoneRecord,
  UserRecord
} from './state.js'

type Json = Record<string, unknown>

/** Formats an emulated time as GitHub does: ISO 8601 in UTC with whole seconds. */
export function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

function optionalTimestamp(ms: number | null): string | null {
  return ms === null ? null : timestamp(ms)
}

/**
 * Renders state records as GitHub's JSON objects. API URLs use the emulator's own address so
 * that a client which follows them stays on 127.0.0.1, and web URLs (html_url) use it too.
 */
export class Renderer {
  constructor(
    private readonly state: EmulatorState,
    private readonly baseUrl: string
  ) {}

  get repoApiUrl(): string {
    return `${this.baseUrl}/repos/${this.state.owner}/${this.state.repo}`
  }

  get repoWebUrl(): string {
    return `${this.baseUrl}/${this.state.owner}/${this.state.repo}`
  }

  user(user: UserRecord): Json {
    const api = `${this.baseUrl}/users/${encodeURIComponent(user.login)}`
    return {
      login: user.login,
      id: user.id,
      node_id: `${user.type === 'Bot' ? 'BOT' : 'U'}_kgEmu${user.id.toString(36)}`,
      avatar_url: `${this.baseUrl}/avatars/u/${user.id}?v=4`,
      gravatar_id: '',
      url: api,
      html_url:
        user.type === 'Bot'
          ? `${this.baseUrl}/apps/${encodeURIComponent(user.login.replace(/\[bot\]$/, ''))}`
          : `${this.baseUrl}/${encodeURIComponent(user.login)}`,
      followers_url: `${api}/followers`,
      following_url: `${api}/following{/other_user}`,
      gists_url: `${api}/gists{/gist_id}`,
      starred_url: `${api}/starred{/owner}{/repo}`,
      subscriptions_url: `${api}/subscriptions`,
      organizations_url: `${api}/orgs`,
      repos_url: `${api}/repos`,
      events_url: `${api}/events{/privacy}`,
      received_events_url: `${api}/received_events`,
      type: user.type,
      user_view_type: 'public',
      site_admin: false
    }
  }

  userByLogin(login: string): Json {
    return this.user(this.state.user(login))
  }

  label(label: LabelRecord): Json {
    return {
      id: label.id,
      node_id: label.nodeId,
      url: `${this.repoApiUrl}/labels/${encodeURIComponent(label.name)}`,
      name: label.name,
      color: label.color,
      default: false,
      description: label.description
    }
  }

  milestone(milestone: MilestoneRecord): Json {
    const issues = [...this.state.issues.values()].filter(
      (issue) => issue.milestoneNumber === milestone.number
    )
    return {
      url: `${this.repoApiUrl}/milestones/${milestone.number}`,
      html_url: `${this.repoWebUrl}/milestone/${milestone.number}`,
      labels_url: `${this.repoApiUrl}/milestones/${milestone.number}/labels`,
      id: milestone.id,
      node_id: milestone.nodeId,
      number: milestone.number,
      title: milestone.title,
      description: milestone.description,
      creator: this.userByLogin(milestone.creator),
      open_issues: issues.filter((issue) => issue.state === 'open').length,
      closed_issues: issues.filter((issue) => issue.state === 'closed').length,
      state: milestone.state,
      created_at: timestamp(milestone.createdAt),
      updated_at: timestamp(milestone.updatedAt),
      due_on: optionalTimestamp(milestone.dueOn),
      closed_at: optionalTimestamp(milestone.closedAt)
    }
  }

  private reactions(url: string): Json {
    return {
      url: `${url}/reactions`,
      total_count: 0,
      '+1': 0,
      '-1': 0,
      laugh: 0,
      hooray: 0,
      confused: 0,
      heart: 0,
      rocket: 0,
      eyes: 0
    }
  }

  private authorAssociation(login: string): string {
    if (login.toLowerCase() === this.state.owner.toLowerCase()) return 'OWNER'
    if (this.state.collaborators.some((name) => name.toLowerCase() === login.toLowerCase())) {
      return 'COLLABORATOR'
    }
    return 'NONE'
  }

  /** Renders an issue, optionally with an older version of its fields (lagging lists). */
  issue(issue: IssueRecord, fields: IssueFields = issue): Json {
    const url = `${this.repoApiUrl}/issues/${issue.number}`
    const subIssues = issue.subIssueNumbers
      .map((number) => this.state.issue(number))
      .filter((sub): sub is IssueRecord => sub !== undefined)
    const completed = subIssues.filter((sub) => sub.state === 'closed').length
    const blockers = issue.blockedByNumbers
      .map((number) => this.state.issue(number))
      .filter((blocker): blocker is IssueRecord => blocker !== undefined)
    const blocking = [...this.state.issues.values()].filter((other) =>
      other.blockedByNumbers.includes(issue.number)
    )
    const milestone =
      fields.milestoneNumber === null
        ? undefined
        : this.state.milestones.get(fields.milestoneNumber)
    const labels = fields.labelIds
      .map((id) => this.state.labelById(id))
      .filter((label): label is LabelRecord => label !== undefined)
    const firstAssignee = fields.assignees[0]

    return {
      url,
      repository_url: this.repoApiUrl,
      labels_url: `${url}/labels{/name}`,
      comments_url: `${url}/comments`,
      events_url: `${url}/events`,
      html_url: `${this.repoWebUrl}/issues/${issue.number}`,
      id: issue.id,
      node_id: issue.nodeId,
      number: issue.number,
      title: fields.title,
      user: this.userByLogin(issue.author),
      labels: labels.map((label) => this.label(label)),
      state: fields.state,
      locked: fields.locked,
      assignee: firstAssignee === undefined ? null : this.userByLogin(firstAssignee),
      assignees: fields.assignees.map((login) => this.userByLogin(login)),
      milestone: milestone ? this.milestone(milestone) : null,
      comments: this.state.commentsOf(issue.number).length,
      created_at: timestamp(issue.createdAt),
      updated_at: timestamp(fields.updatedAt),
      closed_at: optionalTimestamp(fields.closedAt),
      author_association: this.authorAssociation(issue.author),
      active_lock_reason: null,
      sub_issues_summary: {
        total: subIssues.length,
        completed,
        percent_completed:
          subIssues.length === 0 ? 0 : Math.floor((completed * 100) / subIssues.length)
      },
      issue_dependencies_summary: {
        blocked_by: blockers.filter((blocker) => blocker.state === 'open').length,
        blocking: blocking.filter((blocked) => blocked.state === 'open').length,
        total_blocked_by: blockers.length,
        total_blocking: blocking.length
      },
      parent_issue_url:
        issue.parentNumber === null ? null : `${this.repoApiUrl}/issues/${issue.parentNumber}`,
      body: fields.body,
      closed_by: fields.closedBy === null ? null : this.userByLogin(fields.closedBy),
      reactions: this.reactions(url),
      timeline_url: `${url}/timeline`,
      performed_via_github_app: null,
      state_reason: fields.stateReason
    }
  }

  comment(comment: CommentRecord): Json {
    const url = `${this.repoApiUrl}/issues/comments/${comment.id}`
    return {
      url,
      html_url: `${this.repoWebUrl}/issues/${comment.issueNumber}#issuecomment-${comment.id}`,
      issue_url: `${this.repoApiUrl}/issues/${comment.issueNumber}`,
      id: comment.id,
      node_id: comment.nodeId,
      user: this.userByLogin(comment.author),
      created_at: timestamp(comment.createdAt),
      updated_at: timestamp(comment.updatedAt),
      author_association: this.authorAssociation(comment.author),
      body: comment.body,
      reactions: this.reactions(url),
      performed_via_github_app: null
    }
  }

  job(job: JobRecord): Json {
    return {
      id: job.id,
      run_id: job.runId,
      workflow_name: job.workflowName,
      head_branch: job.headBranch,
      run_url: `${this.repoApiUrl}/actions/runs/${job.runId}`,
      run_attempt: job.runAttempt,
      node_id: job.nodeId,
      head_sha: job.headSha,
      url: `${this.repoApiUrl}/actions/jobs/${job.id}`,
      html_url: `${this.repoWebUrl}/actions/runs/${job.runId}/job/${job.id}`,
      status: job.status,
      conclusion: job.conclusion,
      created_at: timestamp(job.createdAt),
      started_at: timestamp(job.startedAt),
      completed_at: optionalTimestamp(job.completedAt),
      name: job.name,
      steps: job.steps.map((step) => ({
        name: step.name,
        status: step.status,
        conclusion: step.conclusion,
        number: step.number,
        started_at: optionalTimestamp(step.startedAt),
        completed_at: optionalTimestamp(step.completedAt)
      })),
      check_run_url: `${this.repoApiUrl}/check-runs/${job.id}`,
      labels: job.labels,
      runner_id: job.runnerId,
      runner_name: job.runnerName,
      runner_group_id: job.runnerGroupId,
      runner_group_name: job.runnerGroupName
    }
  }

  /** Renders GET /repos/{owner}/{repo}, with `permissions` that reflect the token's access. */
  repository(access: TokenAccess): Json {
    const state = this.state
    const api = this.repoApiUrl
    const web = this.repoWebUrl
    const created = timestamp(state.now() - 86_400_000)
    const openIssues = [...state.issues.values()].filter((issue) => issue.state === 'open').length
    return {
      id: state.repositoryId,
      node_id: `R_kgEmu${state.repositoryId.toString(36)}`,
      name: state.repo,
      full_name: `${state.owner}/${state.repo}`,
      private: true,
      owner: this.userByLogin(state.owner),
      html_url: web,
      description: null,
      fork: false,
      url: api,
      archive_url: `${api}/{archive_format}{/ref}`,
      assignees_url: `${api}/assignees{/user}`,
      blobs_url: `${api}/git/blobs{/sha}`,
      branches_url: `${api}/branches{/branch}`,
      collaborators_url: `${api}/collaborators{/collaborator}`,
      comments_url: `${api}/comments{/number}`,
      commits_url: `${api}/commits{/sha}`,
      compare_url: `${api}/compare/{base}...{head}`,
      contents_url: `${api}/contents/{+path}`,
      contributors_url: `${api}/contributors`,
      deployments_url: `${api}/deployments`,
      downloads_url: `${api}/downloads`,
      events_url: `${api}/events`,
      forks_url: `${api}/forks`,
      git_commits_url: `${api}/git/commits{/sha}`,
      git_refs_url: `${api}/git/refs{/sha}`,
      git_tags_url: `${api}/git/tags{/sha}`,
      git_url: `${web}.git`,
      issue_comment_url: `${api}/issues/comments{/number}`,
      issue_events_url: `${api}/issues/events{/number}`,
      issues_url: `${api}/issues{/number}`,
      keys_url: `${api}/keys{/key_id}`,
      labels_url: `${api}/labels{/name}`,
      languages_url: `${api}/languages`,
      merges_url: `${api}/merges`,
      milestones_url: `${api}/milestones{/number}`,
      notifications_url: `${api}/notifications{?since,all,participating}`,
      pulls_url: `${api}/pulls{/number}`,
      releases_url: `${api}/releases{/id}`,
      ssh_url: `${web}.git`,
      stargazers_url: `${api}/stargazers`,
      statuses_url: `${api}/statuses/{sha}`,
      subscribers_url: `${api}/subscribers`,
      subscription_url: `${api}/subscription`,
      tags_url: `${api}/tags`,
      teams_url: `${api}/teams`,
      trees_url: `${api}/git/trees{/sha}`,
      clone_url: `${web}.git`,
      mirror_url: null,
      hooks_url: `${api}/hooks`,
      svn_url: web,
      homepage: null,
      language: 'TypeScript',
      forks_count: 0,
      stargazers_count: 0,
      watchers_count: 0,
      size: 1,
      default_branch: state.defaultBranch,
      open_issues_count: openIssues,
      is_template: false,
      topics: [],
      has_issues: true,
      has_projects: true,
      has_wiki: false,
      has_pages: false,
      has_downloads: true,
      has_discussions: false,
      archived: false,
      disabled: false,
      visibility: 'private',
      pushed_at: created,
      created_at: created,
      updated_at: created,
      permissions: {
        admin: false,
        maintain: false,
        push: access === 'write',
        triage: access === 'write',
        pull: true
      },
      allow_forking: false,
      web_commit_signoff_required: false,
      license: null,
      forks: 0,
      open_issues: openIssues,
      watchers: 0,
      network_count: 0,
      subscribers_count: 0
    }
  }

  rateLimit(core: RateStatus, search: RateStatus): Json {
    const plain = (status: RateStatus) => ({
      limit: status.limit,
      used: status.used,
      remaining: status.remaining,
      reset: status.reset
    })
    return {
      resources: { core: plain(core), search: plain(search) },
      rate: plain(core)
    }
  }
}
