export { GitHubEmulator, DEFAULT_TOKEN, type EmulatorOptions } from './emulator.js'
export { EmulatedClock } from './clock.js'
export { type ContractViolation, descriptionSource } from './contract.js'
export {
  FaultSettings,
  type DroppedConnectionSettings,
  type PrimaryExhaustionSettings,
  type SecondaryLimitResponse,
  type SecondaryLimitSettings,
  type ServerErrorSettings,
  type TokenAccess
} from './faults.js'
export { RequestLog, type FaultKind, type RequestLogEntry, type RequestLogFilter } from './log.js'
export { SeededRandom } from './random.js'
export {
  ACTIONS_BOT,
  EmulatorState,
  type CommentRecord,
  type IssueRecord,
  type JobRecord,
  type LabelRecord,
  type MilestoneRecord,
  type NewIssue,
  type NewJob
} from './state.js'
