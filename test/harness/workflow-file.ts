/**
 * Reads a workflow file with `@actions/workflow-parser`, resolves the actions its steps use,
 * and checks every input, output and context name it writes against what exists.
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  NoOperationTraceWriter,
  convertWorkflowTemplate,
  isBasicExpression,
  isMapping,
  isSequence,
  isString,
  parseWorkflow,
  type WorkflowTemplate
} from '@actions/workflow-parser'
import {
  convertActionTemplate,
  parseAction,
  type ActionInputDefinition,
  type ActionRuns,
  type ActionRunsNode
} from '@actions/workflow-parser/actions/index'
import type { ActionStep, Job, RunStep } from '@actions/workflow-parser/model/workflow-template'
import type { MappingToken } from '@actions/workflow-parser/templates/tokens/mapping-token'
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token'
import { findContextPaths, parseExpression } from './expressions.js'

export const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

/** The owner/name that the shipped examples write in `uses:` for this repository's actions. */
export const EXAMPLE_ACTION_REPOSITORY = 'OWNER/REPO'

/**
 * Inputs and outputs of actions/checkout, copied from its action.yml of a node20 release.
 * The harness clones the local remote itself and simulates only CHECKOUT_SIMULATED.
 * NOTE: an input added in v5 would be reported here as unexpected.
 */
export const CHECKOUT_INPUTS = [
  'repository',
  'ref',
  'token',
  'ssh-key',
  'ssh-known-hosts',
  'ssh-strict',
  'ssh-user',
  'persist-credentials',
  'path',
  'clean',
  'filter',
  'sparse-checkout',
  'sparse-checkout-cone-mode',
  'fetch-depth',
  'fetch-tags',
  'show-progress',
  'lfs',
  'submodules',
  'set-safe-directory',
  'github-server-url'
]
export const CHECKOUT_OUTPUTS = ['ref', 'commit']

/**
 * Checkout inputs the harness honours: `ref` and `fetch-depth` change the clone, and the rest
 * change nothing for a local remote without credentials.
 */
export const CHECKOUT_SIMULATED = [
  'ref',
  'fetch-depth',
  'token',
  'persist-credentials',
  'clean',
  'show-progress',
  'set-safe-directory',
  'fetch-tags'
]

export type ResolvedAction =
  | { kind: 'checkout' }
  | {
      kind: 'node'
      /** The folder that contains action.yml. */
      directory: string
      manifest: ActionManifest
      /** The absolute path of `runs.main`. */
      script: string
    }

export interface ActionManifest {
  file: string
  inputs: ActionInputDefinition[]
  outputs: string[]
  runs: ActionRuns
}

/** Where a `uses:` value points, or why the harness cannot run it. */
export type UsesTarget =
  | { kind: 'checkout' }
  | { kind: 'directory'; directory: string }
  | { kind: 'unsupported'; reason: string }

export interface LoadedStep {
  template: ActionStep | RunStep
  /** The step's mapping in the parser's token tree, for the keys the converted model drops. */
  raw: MappingToken
  /** Set for a `uses:` step whose action could be resolved. */
  action?: ResolvedAction
}

export interface LoadedJob {
  id: string
  template: Job
  raw: MappingToken
  steps: LoadedStep[]
}

export interface LoadedWorkflow {
  file: string
  name: string
  template: WorkflowTemplate
  root: MappingToken
  jobs: LoadedJob[]
}

export interface LoadOptions {
  /**
   * The owner/name that `uses:` writes for this repository's actions, as in
   * `uses: OWNER/REPO/plan@v1`. Default: EXAMPLE_ACTION_REPOSITORY.
   */
  actionRepository?: string
}

/** A workflow that the runner would reject, with every problem found. */
export class WorkflowError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[]
  ) {
    super(`${file} is invalid:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`)
    this.name = 'WorkflowError'
  }
}

/**
 * Parses and checks a workflow file. Returns the loaded workflow with its problems: parse and
 * schema errors, actions that cannot be loaded, `with:` keys the action does not declare,
 * and `steps.<id>.outputs.<name>`, `needs.<job>.outputs.<name>` and `inputs.<name>` references
 * that name nothing. GitHub only warns about an unknown `with:` key and reads an unknown
 * output as an empty string. The harness reports both as problems, because a copied example
 * with such a name silently does the wrong thing.
 */
export async function readWorkflow(
  file: string,
  options: LoadOptions = {}
): Promise<{ workflow?: LoadedWorkflow; problems: string[] }> {
  const content = fs.readFileSync(file, 'utf8')
  const name = displayPath(file)
  const parsed = parseWorkflow({ name, content }, new NoOperationTraceWriter())
  const problems = parsed.context.errors.getErrors().map((error) => error.message)
  if (!parsed.value || !isMapping(parsed.value) || problems.length > 0) {
    return { problems }
  }
  const template = await convertWorkflowTemplate(parsed.context, parsed.value)
  problems.push(...(template.errors ?? []).map((error) => error.Message))
  if (problems.length > 0) return { problems }

  const root = parsed.value
  const rawJobs = findMapping(root, 'jobs')
  const jobs: LoadedJob[] = []
  for (const job of template.jobs) {
    if (job.type !== 'job') {
      problems.push(
        `Job '${job.id.value}' calls a reusable workflow, which the harness does not run.`
      )
      continue
    }
    const raw = rawJobs && findMapping(rawJobs, job.id.value)
    const rawSteps = raw?.find('steps')
    if (!raw || !rawSteps || !isSequence(rawSteps)) {
      problems.push(`Job '${job.id.value}' has no steps in the token tree.`)
      continue
    }
    const steps: LoadedStep[] = []
    job.steps.forEach((step, index) => {
      if (!('run' in step) && !('uses' in step)) {
        problems.push(
          `Job '${job.id.value}', step ${index + 1}: only run: and uses: steps are supported.`
        )
        return
      }
      const rawStep = rawSteps.get(index)
      if (!isMapping(rawStep)) return
      steps.push({ template: step, raw: rawStep })
    })
    jobs.push({ id: job.id.value, template: job, raw, steps })
  }

  const workflow: LoadedWorkflow = {
    file,
    name: stringValue(root.find('name')) ?? name,
    template,
    root,
    jobs
  }
  resolveActions(workflow, options, problems)
  checkReferences(workflow, problems)
  return { workflow, problems }
}

/** Reads a workflow and throws a WorkflowError that lists every problem, if there is any. */
export async function loadWorkflow(
  file: string,
  options: LoadOptions = {}
): Promise<LoadedWorkflow> {
  const { workflow, problems } = await readWorkflow(file, options)
  if (!workflow || problems.length > 0) throw new WorkflowError(file, problems)
  return workflow
}

/** Lists the problems of a workflow file, as readWorkflow finds them; empty when it is valid. */
export async function validateWorkflow(file: string, options: LoadOptions = {}): Promise<string[]> {
  return (await readWorkflow(file, options)).problems
}

function resolveActions(workflow: LoadedWorkflow, options: LoadOptions, problems: string[]): void {
  const manifests = new Map<string, ActionManifest | string[]>()
  for (const job of workflow.jobs) {
    for (const step of job.steps) {
      if (!('uses' in step.template)) continue
      const uses = step.template.uses.value
      const where = `${workflowPosition(workflow, step.raw)}: job '${job.id}', step '${step.template.id}' (uses: ${uses})`
      const target = resolveUses(uses, options.actionRepository ?? EXAMPLE_ACTION_REPOSITORY)
      if (target.kind === 'unsupported') {
        problems.push(`${where}: ${target.reason}`)
        continue
      }
      const withKeys = mappingKeys(step.raw.find('with'))
      if (target.kind === 'checkout') {
        step.action = { kind: 'checkout' }
        for (const key of withKeys) {
          if (!CHECKOUT_INPUTS.includes(key.toLowerCase())) {
            problems.push(
              `${where}: unexpected input '${key}'. Valid inputs are: ${CHECKOUT_INPUTS.join(', ')}.`
            )
          } else if (!CHECKOUT_SIMULATED.includes(key.toLowerCase())) {
            problems.push(`${where}: input '${key}' is not simulated by the harness.`)
          }
        }
        continue
      }

      let manifest = manifests.get(target.directory)
      if (!manifest) {
        manifest = readActionManifest(target.directory)
        manifests.set(target.directory, manifest)
        if (Array.isArray(manifest)) problems.push(...manifest)
      }
      if (Array.isArray(manifest)) continue
      if (manifest.runs.using !== 'node24') {
        problems.push(
          `${where}: runs.using '${manifest.runs.using}' is not supported; the harness runs node24 actions.`
        )
        continue
      }
      step.action = {
        kind: 'node',
        directory: target.directory,
        manifest,
        script: path.resolve(target.directory, (manifest.runs as ActionRunsNode).main)
      }
      const declared = manifest.inputs.map((input) => input.id.toLowerCase())
      for (const key of withKeys) {
        if (!declared.includes(key.toLowerCase())) {
          problems.push(
            `${where}: unexpected input '${key}'. Valid inputs are: ${declared.join(', ')}.`
          )
        }
      }
    }
  }
}

/**
 * Maps a `uses:` value to actions/checkout or to the folder of one of this repository's
 * actions. `./<path>` is read from this repository, as if the workflow ran in it.
 */
export function resolveUses(uses: string, actionRepository: string): UsesTarget {
  if (/^actions\/checkout@/i.test(uses)) return { kind: 'checkout' }
  let relative: string | undefined
  if (uses.startsWith('./')) {
    relative = uses
  } else {
    const match = /^([^/@]+)\/([^/@]+)(?:\/([^@]+))?@(.+)$/.exec(uses)
    if (match && `${match[1]}/${match[2]}`.toLowerCase() === actionRepository.toLowerCase()) {
      relative = match[3] ?? '.'
    }
  }
  if (relative === undefined) {
    return {
      kind: 'unsupported',
      reason:
        `the harness runs only actions/checkout, run: steps and this repository's actions ` +
        `(uses: ${actionRepository}/<path>@<ref> or ./<path>).`
    }
  }
  const directory = path.resolve(repositoryRoot, relative)
  if (directory !== repositoryRoot && !directory.startsWith(repositoryRoot + path.sep)) {
    return { kind: 'unsupported', reason: `'${relative}' is outside the repository.` }
  }
  return { kind: 'directory', directory }
}

/** Parses `<directory>/action.yml` like the runner does; returns its problems when it fails to load. */
function readActionManifest(directory: string): ActionManifest | string[] {
  const file = ['action.yml', 'action.yaml']
    .map((name) => path.join(directory, name))
    .find((candidate) => fs.existsSync(candidate))
  const relativeDirectory = path.relative(repositoryRoot, directory) || '.'
  if (!file) return [`${relativeDirectory} has no action.yml or action.yaml.`]
  const name = path.relative(repositoryRoot, file)
  const parsed = parseAction(
    { name, content: fs.readFileSync(file, 'utf8') },
    new NoOperationTraceWriter()
  )
  const errors = parsed.context.errors.getErrors().map((error) => error.message)
  if (errors.length > 0 || !parsed.value) {
    // The runner stops here too, with "Fail to load <path>/action.yml".
    return [...errors, `Failed to load ${name}.`]
  }
  const action = convertActionTemplate(parsed.context, parsed.value)
  return {
    file,
    inputs: action.inputs ?? [],
    outputs: (action.outputs ?? []).map((output) => output.id),
    runs: action.runs
  }
}

/** Checks the literal names in every expression of every job. */
function checkReferences(workflow: LoadedWorkflow, problems: string[]): void {
  const dispatch = workflow.template.events.workflow_dispatch
  const call = workflow.template.events.workflow_call
  const declaredInputs = new Set(
    [...Object.keys(dispatch?.inputs ?? {}), ...Object.keys(call?.inputs ?? {})].map((key) =>
      key.toLowerCase()
    )
  )
  const jobOutputs = new Map(
    workflow.jobs.map((job) => [job.id.toLowerCase(), mappingKeys(job.template.outputs)])
  )

  for (const job of workflow.jobs) {
    const stepOutputs = new Map<string, string[] | undefined>()
    for (const step of job.steps) {
      const action = step.action
      const outputs =
        action?.kind === 'checkout'
          ? CHECKOUT_OUTPUTS
          : action?.kind === 'node'
            ? action.manifest.outputs
            : undefined
      // A run: step writes whatever names it likes to GITHUB_OUTPUT, so they are not checked.
      stepOutputs.set(step.template.id.toLowerCase(), outputs)
    }
    const needs = (job.template.needs ?? []).map((need) => need.value.toLowerCase())

    for (const { expression, token } of expressionsOf(job.raw)) {
      const where = `${workflowPosition(workflow, token)}: job '${job.id}'`
      let paths: string[][]
      try {
        paths = findContextPaths(parseExpression(expression))
      } catch (error) {
        problems.push(`${where}: ${(error as Error).message} in \`${expression}\`.`)
        continue
      }
      for (const [context, first, second, third] of paths.map((names) =>
        names.map((name) => name.toLowerCase())
      )) {
        if (context === 'steps' && first !== undefined) {
          if (!stepOutputs.has(first)) {
            problems.push(
              `${where} reads steps.${first}, but the job has no step with id '${first}'.`
            )
          } else if (second === 'outputs' && third !== undefined) {
            const outputs = stepOutputs.get(first)
            if (outputs && !outputs.map((output) => output.toLowerCase()).includes(third)) {
              problems.push(
                `${where} reads output '${third}' of step '${first}', but its action has only: ` +
                  `${outputs.join(', ')}.`
              )
            }
          }
        } else if (context === 'needs' && first !== undefined) {
          if (!needs.includes(first)) {
            problems.push(`${where} reads needs.${first}, but the job does not need '${first}'.`)
          } else if (second === 'outputs' && third !== undefined) {
            const outputs = jobOutputs.get(first) ?? []
            if (!outputs.map((output) => output.toLowerCase()).includes(third)) {
              problems.push(
                `${where} reads output '${third}' of job '${first}', but that job declares only: ` +
                  `${outputs.join(', ') || 'no outputs'}.`
              )
            }
          }
        } else if (context === 'inputs' && first !== undefined && !declaredInputs.has(first)) {
          problems.push(
            `${where} reads inputs.${first}, but the workflow declares only: ` +
              `${[...declaredInputs].join(', ') || 'no inputs'}.`
          )
        }
      }
    }
  }
}

/**
 * Lists every expression in a job's token tree: `${{ }}` values, and the bare `if:`
 * conditions that the runner reads as expressions without the braces.
 */
function expressionsOf(job: MappingToken): Array<{ expression: string; token: TemplateToken }> {
  const found: Array<{ expression: string; token: TemplateToken }> = []
  const walk = (token: TemplateToken, key?: string): void => {
    if (isBasicExpression(token)) {
      found.push({ expression: token.expression, token })
    } else if (isString(token) && key === 'if') {
      found.push({ expression: token.value, token })
    } else if (isMapping(token)) {
      for (const pair of token) {
        if (isBasicExpression(pair.key))
          found.push({ expression: pair.key.expression, token: pair.key })
        walk(pair.value, isString(pair.key) ? pair.key.value : undefined)
      }
    } else if (isSequence(token)) {
      for (const item of token) walk(item)
    }
  }
  walk(job)
  return found
}

function workflowPosition(workflow: LoadedWorkflow, token: TemplateToken): string {
  const file = displayPath(workflow.file)
  return token.line === undefined ? file : `${file}:${token.line}:${token.col}`
}

/** Names a file relative to the repository when it is inside it, else by its absolute path. */
function displayPath(file: string): string {
  const absolute = path.resolve(file)
  const relative = path.relative(repositoryRoot, absolute)
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : absolute
}

/** Returns the keys of a mapping token, or none when the token is absent or not a mapping. */
export function mappingKeys(token: TemplateToken | undefined): string[] {
  if (!token || !isMapping(token)) return []
  return [...token].map((pair) => (isString(pair.key) ? pair.key.value : pair.key.toString()))
}

export function findMapping(mapping: MappingToken, key: string): MappingToken | undefined {
  const value = mapping.find(key)
  return value && isMapping(value) ? value : undefined
}

function stringValue(token: TemplateToken | undefined): string | undefined {
  return token && isString(token) ? token.value : undefined
}
