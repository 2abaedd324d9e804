/**
 * Every REST endpoint each action may call, with the token permission it needs. The docs
 * print this table and a test checks that no action calls anything else, so the
 * `permissions:` block users copy stays the smallest that works.
 */
export const ACTION_ENDPOINTS = {
  // plan calls the API only for a labelled issue whose tasks cannot be read: it explains why in a comment.
  plan: {
    'GET /repos/{owner}/{repo}/issues/{issue_number}/comments': 'issues: read',
    'POST /repos/{owner}/{repo}/issues/{issue_number}/comments': 'issues: write',
    'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}': 'issues: write'
  },
  setup: {
    'GET /repos/{owner}/{repo}/issues': 'issues: read',
    'POST /repos/{owner}/{repo}/issues': 'issues: write',
    'GET /repos/{owner}/{repo}/issues/{issue_number}': 'issues: read',
    'PATCH /repos/{owner}/{repo}/issues/{issue_number}': 'issues: write',
    'POST /repos/{owner}/{repo}/issues/{issue_number}/comments': 'issues: write',
    'GET /repos/{owner}/{repo}/milestones': 'issues: read'
  },
  collect: {
    'GET /repos/{owner}/{repo}/issues': 'issues: read',
    'GET /repos/{owner}/{repo}/issues/{issue_number}': 'issues: read',
    'PATCH /repos/{owner}/{repo}/issues/{issue_number}': 'issues: write',
    'GET /repos/{owner}/{repo}/issues/{issue_number}/comments': 'issues: read',
    'POST /repos/{owner}/{repo}/issues/{issue_number}/comments': 'issues: write',
    'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}': 'issues: write',
    'GET /repos/{owner}/{repo}/issues/{issue_number}/sub_issues': 'issues: read',
    'POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues': 'issues: write',
    'GET /repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by': 'issues: read',
    'POST /repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by': 'issues: write'
  }
} as const satisfies Record<string, Record<string, string>>

/** What git needs besides the API: setup pushes branches and refs, collect fetches refs. */
export const GIT_PERMISSIONS = {
  plan: 'contents: read',
  setup: 'contents: write',
  collect: 'contents: read'
} as const
