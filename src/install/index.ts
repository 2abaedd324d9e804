export {
  type AmbiguousDetection,
  type DetectOptions,
  type DetectedPackageManager,
  type Detection,
  MAX_SEARCH_DEPTH,
  type PackageManagerField,
  type PackageManagerName,
  detectPackageManager,
  findPackageManagerField
} from './detect.js'
export { findExecutable } from './executables.js'
export { type InstallLogger, silentInstallLogger } from './logger.js'
export {
  type FailedInstallPlan,
  type InstallPlan,
  type InstallSetting,
  type ReadyInstallPlan,
  type ResolveInstallOptions,
  type SkippedInstallPlan,
  displayCommand,
  resolveInstallPlan
} from './plan.js'
export { type InstallResult, type RunInstallOptions, runInstall } from './run.js'
