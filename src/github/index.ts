export {
  createGitHubClient,
  readTimeScale,
  type Octokit,
  type GitHubLogger,
  type ClientOptions
} from './client.js'
export {
  IssueStore,
  type IssueProbe,
  type IssueSummary,
  type NewIssue,
  type Repository
} from './issues.js'
export {
  renderIssueBody,
  renderMarker,
  parseMarker,
  MAX_BODY_LENGTH,
  type TaskKey
} from './body.js'
export {
  describePermissionError,
  isClientError,
  missingPermissionError,
  PermissionDeniedError,
  toPermissionError,
  NOT_ACCESSIBLE_BY_INTEGRATION,
  REQUIRED_PERMISSIONS_BLOCK
} from './errors.js'
