export { loadManifest, parseManifest } from './load.js'
export { ManifestError, type SourcePosition } from './errors.js'
export { expandBranch, slugify, findBranchTemplateProblem } from './branch.js'
export { findBranchNameProblem, findTaskIdProblem } from './refname.js'
export { SourceDocument } from './document.js'
export { checkTasks, findEscapingPath, type RawTask, type RawDefaults } from './validate.js'
export {
  DEFAULT_MANIFEST_PATH,
  DEFAULT_BRANCH_TEMPLATE,
  type Task,
  type Manifest,
  type ManifestFormat
} from './types.js'
