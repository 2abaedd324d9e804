/**
 * Runs a workflow file the way GitHub Actions would, on this machine. Jobs run in `needs`
 * order, job and step `if:` conditions use the status functions, and matrix legs run as
 * concurrent processes, each with its own workspace and RUNNER_TEMP. Steps get the runner's
 * environment, and the run uses a local bare repository and the GitHub API emulator.
 *
 * NOTE: these keys are read but not simulated: runs-on, permissions (the token's access is
 * whatever the emulator grants), concurrency, environment, container, services, and a job's
 * timeout-minutes and continue-on-error. Reusable workflows and hashFiles() are rejected.
 *
 * NOTE: @actions/workflow-parser 0.3.61 imports its JSON schemas without the import attribute
 * `with { type: 'json' }`, which Node.js 20 and later reject. So this module loads only under
 * jest 30, whose module loader still accepts such imports with a deprecation warning.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { isString } from '@actions/workflow-parser'
import type { InputConfig } from '@actions/workflow-parser/model/workflow-template'
import type { MappingToken } from '@actions/workflow-parser/templates/tokens/mapping-token'
import type { GitHubEmulator } from '../emulator/index.js'
import { makeTempDir } from '../support/temp.js'
import { machineEnvironment } from './machine-env.js'
import {
  evaluateCondition,
  evaluateTemplate,
  templateString,
  type Contexts,
  type ExpressionScope,
  type JsonValue,
  type StatusValues
} from './expressions.js'
import { expandMatrix, type MatrixLeg } from './matrix.js'
import type { Annotation } from './run-action.js'
import { executeStep } from './steps.js'
import { overridePayload, loadWebhookExample, type WebhookPayload } from './webhooks.js'
import {
  findMapping,
  loadWorkflow,
  type LoadedJob,
  type LoadedStep,
  type LoadedWorkflow
} from './workflow-file.js'

export { WorkflowError, validateWorkflow } from './workflow-file.js'

export type JobResult = 'success' | 'failure' | 'cancelled' | 'skipped'

export interface Timing {
  /** Milliseconds since the epoch. */
  startedAt: number
  finishedAt: number
  durationMs: number
}

export interface StepRun extends Timing {
  id: string
  name: string
  /** `uses:` value, or undefined for a run: step. */
  uses?: string
  /** The result before continue-on-error; `conclusion` is the result after it. */
  outcome: JobResult
  conclusion: JobResult
  exitCode?: number
  inputs: Record<string, string>
  outputs: Record<string, string>
  summary: string
  annotations: Annotation[]
  stdout: string
  stderr: string
  /** An expression or harness error that failed the step before or instead of its process. */
  error?: string
}

export interface LegRun extends Timing {
  /** The job's evaluated `name:`, as GitHub shows it. */
  name: string
  /** The leg's position in the matrix, from 0. */
  index: number
  matrix?: MatrixLeg
  result: JobResult
  workspace: string
  runnerTemp: string
  steps: StepRun[]
  /** The job's `outputs:` evaluated at the end of this leg. */
  outputs: Record<string, string>
  /** Every step's job summary, in step order. */
  summary: string
  annotations: Annotation[]
  stdout: string
  stderr: string
}

export interface JobRun extends Timing {
  id: string
  result: JobResult
  /** For a matrix job, each output from the last leg to finish that set it, as on GitHub. */
  outputs: Record<string, string>
  legs: LegRun[]
  /** Why the job failed before any leg ran, such as an invalid matrix. */
  error?: string
}

export interface WorkflowRun extends Timing {
  file: string
  event: string
  /** 'failure' when any job failed, 'cancelled' when one was cancelled and none failed. */
  conclusion: 'success' | 'failure' | 'cancelled'
  jobs: Record<string, JobRun>
  payload: WebhookPayload
  eventPath: string
  runId: number
  /** The folder that contains the event file and every leg's workspace and RUNNER_TEMP. */
  directory: string
}

export interface RunWorkflowOptions {
  /** The event name, such as workflow_dispatch or issues. */
  event: string
  /**
   * The event payload. Default: GitHub's published example for the event. Either way the
   * repository is renamed to the emulator's and GitHub's URLs point at the emulator.
   */
  eventPayload?: WebhookPayload
  /** workflow_dispatch inputs. The defaults declared in the workflow fill in the rest. */
  inputs?: Record<string, string | boolean | number>
  /** Path of the bare repository that plays the GitHub repository. */
  remote: string
  emulator: GitHubEmulator
  /** Variables added to every step's environment. */
  env?: Record<string, string>
  /** The owner/name that `uses:` writes for this repository's actions. Default: OWNER/REPO. */
  actionRepository?: string
  runId?: number
  runAttempt?: number
  /** Milliseconds one step may take before it is ended. Default: 120 000. */
  stepTimeoutMs?: number
  /** An empty folder for the run's event file, workspaces and RUNNER_TEMP. Default: a new temporary folder. */
  directory?: string
}

interface RunState {
  workflow: LoadedWorkflow
  options: RunWorkflowOptions
  directory: string
  eventPath: string
  payload: WebhookPayload
  github: Record<string, JsonValue>
  inputs: Record<string, JsonValue>
  gitConfig: string
  jobs: Map<string, JobRun>
}

/**
 * Runs a workflow file and returns what every job and leg did. Throws a WorkflowError before
 * running anything when the file is invalid or names an input or output that does not exist,
 * and an Error when the workflow has no trigger for the event or the inputs are invalid.
 */
export async function runWorkflow(file: string, options: RunWorkflowOptions): Promise<WorkflowRun> {
  const started = Date.now()
  const workflow = await loadWorkflow(file, { actionRepository: options.actionRepository })
  const payload = preparePayload(workflow, options)
  const inputs = options.event === 'workflow_dispatch' ? dispatchInputs(workflow, payload) : {}

  const directory = fs.realpathSync(options.directory ?? makeTempDir('workflow-run-'))
  const eventPath = path.join(directory, 'event.json')
  fs.writeFileSync(eventPath, JSON.stringify(payload, null, 2))
  const gitConfig = path.join(directory, 'gitconfig')
  // A private global configuration, so the machine's own git settings cannot change a run.
  fs.writeFileSync(gitConfig, '[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n')

  const state: RunState = {
    workflow,
    options,
    directory,
    eventPath,
    payload,
    github: githubContext(options, payload, eventPath, workflow.name),
    inputs,
    gitConfig,
    jobs: new Map()
  }

  // Each job starts as soon as every job it needs has finished, so independent jobs overlap.
  const running = new Map<string, Promise<JobRun>>()
  const start = (job: LoadedJob): Promise<JobRun> => {
    let promise = running.get(job.id)
    if (!promise) {
      promise = (async () => {
        for (const need of job.template.needs ?? []) await start(findJob(workflow, need.value))
        const run = await runJob(job, state)
        state.jobs.set(job.id, run)
        return run
      })()
      running.set(job.id, promise)
    }
    return promise
  }
  await Promise.all(workflow.jobs.map(start))

  const jobs = Object.fromEntries(workflow.jobs.map((job) => [job.id, state.jobs.get(job.id)!]))
  const results = Object.values(jobs).map((job) => job.result)
  const finished = Date.now()
  return {
    file,
    event: options.event,
    conclusion: results.includes('failure')
      ? 'failure'
      : results.includes('cancelled')
        ? 'cancelled'
        : 'success',
    jobs,
    payload,
    eventPath,
    runId: Number(state.github.run_id),
    directory,
    startedAt: started,
    finishedAt: finished,
    durationMs: finished - started
  }
}

function findJob(workflow: LoadedWorkflow, id: string): LoadedJob {
  const job = workflow.jobs.find((candidate) => candidate.id.toLowerCase() === id.toLowerCase())
  if (!job) throw new Error(`${workflow.file}: no job '${id}'.`)
  return job
}

/** Checks the trigger and builds the payload: the caller's or GitHub's example, made local. */
function preparePayload(workflow: LoadedWorkflow, options: RunWorkflowOptions): WebhookPayload {
  const events = workflow.template.events as Record<string, { types?: string[] } | undefined>
  if (!(options.event in events)) {
    throw new Error(
      `${workflow.file} has no 'on: ${options.event}' trigger. It runs on: ${Object.keys(events).join(', ')}.`
    )
  }
  const payload = options.eventPayload
    ? structuredClone(options.eventPayload)
    : loadWebhookExample(options.event)
  const types = events[options.event]?.types
  if (types && !types.includes(String(payload.action))) {
    throw new Error(
      `${workflow.file} runs on ${options.event} only for types ${types.join(', ')}, ` +
        `but the payload's action is '${String(payload.action)}'.`
    )
  }
  const { emulator } = options
  overridePayload(payload, {
    repository: { owner: emulator.state.owner, name: emulator.state.repo },
    apiUrl: emulator.url,
    serverUrl: emulator.url
  })
  if (options.event === 'workflow_dispatch') {
    // GitHub's example was started on refs/heads/main; a run of the example starts on the
    // remote's default branch, which is what the web form offers first.
    if (!options.eventPayload) payload.ref = `refs/heads/${defaultBranch(options.remote)}`
    payload.inputs = {
      ...(payload.inputs as Record<string, string>),
      ...stringValues(options.inputs ?? {})
    }
  }
  return payload
}

function stringValues(values: Record<string, string | boolean | number>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, String(value)]))
}

/**
 * Builds the `inputs` context of a workflow_dispatch run and completes the payload's inputs:
 * every declared input, with its default where none was given. A boolean input is a boolean
 * in the context and 'true' or 'false' in the payload. Throws for an undeclared input, a
 * missing required one, and a choice that is not one of its options.
 * NOTE: the payload lists every declared input, as a dispatch from the web form would send
 * them. A dispatch through the REST API may list only the inputs it was given.
 */
function dispatchInputs(
  workflow: LoadedWorkflow,
  payload: WebhookPayload
): Record<string, JsonValue> {
  const declared: Record<string, InputConfig> =
    workflow.template.events.workflow_dispatch?.inputs ?? {}
  const given = (payload.inputs ?? {}) as Record<string, string>
  for (const name of Object.keys(given)) {
    if (!(name in declared)) {
      throw new Error(
        `Unexpected workflow_dispatch input '${name}'. ${workflow.file} declares: ${Object.keys(declared).join(', ') || 'none'}.`
      )
    }
  }
  const context: Record<string, JsonValue> = {}
  const completed: Record<string, string> = {}
  for (const [name, config] of Object.entries(declared)) {
    const raw = name in given ? given[name]! : config.default
    if (raw === undefined && config.required) {
      throw new Error(`Missing required workflow_dispatch input '${name}'.`)
    }
    let text = config.type === 'boolean' ? 'false' : ''
    if (raw !== undefined) text = String(raw)
    if (config.type === 'choice' && config.options && !config.options.includes(text)) {
      throw new Error(
        `Invalid workflow_dispatch input '${name}': '${text}' is not one of ${config.options.join(', ')}.`
      )
    }
    if (config.type === 'boolean' && text !== 'true' && text !== 'false') {
      throw new Error(`Invalid workflow_dispatch input '${name}': '${text}' is not true or false.`)
    }
    context[name] = config.type === 'boolean' ? text === 'true' : text
    completed[name] = text
  }
  payload.inputs = completed
  return context
}

function defaultBranch(remote: string): string {
  return execFileSync('git', ['symbolic-ref', '--short', 'HEAD'], {
    cwd: remote,
    encoding: 'utf8'
  }).trim()
}

function githubContext(
  options: RunWorkflowOptions,
  payload: WebhookPayload,
  eventPath: string,
  workflowName: string
): Record<string, JsonValue> {
  const { emulator } = options
  const ref =
    typeof payload.ref === 'string' ? payload.ref : `refs/heads/${defaultBranch(options.remote)}`
  const sha = execFileSync('git', ['rev-parse', ref], {
    cwd: options.remote,
    encoding: 'utf8'
  }).trim()
  const sender = payload.sender as { login?: string } | undefined
  const runId = options.runId ?? 1_000_000 + Math.floor(Math.random() * 1_000_000)
  return {
    token: emulator.tokens[0] ?? '',
    repository: `${emulator.state.owner}/${emulator.state.repo}`,
    repository_owner: emulator.state.owner,
    event_name: options.event,
    event: payload as JsonValue,
    event_path: eventPath,
    ref,
    ref_name: ref.replace(/^refs\/(heads|tags)\//, ''),
    ref_type: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    sha,
    run_id: String(runId),
    run_number: '1',
    run_attempt: String(options.runAttempt ?? 1),
    actor: sender?.login ?? 'octocat',
    triggering_actor: sender?.login ?? 'octocat',
    server_url: emulator.url,
    api_url: emulator.url,
    graphql_url: `${emulator.url}/graphql`,
    workflow: workflowName,
    retention_days: '90'
  }
}

/** Returns the jobs a job needs, directly or through other jobs. */
function ancestorsOf(workflow: LoadedWorkflow, job: LoadedJob): LoadedJob[] {
  const found = new Map<string, LoadedJob>()
  const visit = (current: LoadedJob): void => {
    for (const need of current.template.needs ?? []) {
      const ancestor = findJob(workflow, need.value)
      if (!found.has(ancestor.id)) {
        found.set(ancestor.id, ancestor)
        visit(ancestor)
      }
    }
  }
  visit(job)
  return [...found.values()]
}

/**
 * Evaluates a job's `if:` and runs its legs. For a job, success() means every job it needs,
 * directly or through others, succeeded, and failure() that one of them failed, which is
 * why a job after a skipped one is skipped unless its condition uses always().
 */
async function runJob(job: LoadedJob, state: RunState): Promise<JobRun> {
  const started = Date.now()
  const finish = (
    result: JobResult,
    legs: LegRun[],
    outputs: Record<string, string>,
    error?: string
  ): JobRun => {
    const finished = Date.now()
    return {
      id: job.id,
      result,
      outputs,
      legs,
      error,
      startedAt: started,
      finishedAt: finished,
      durationMs: finished - started
    }
  }
  const ancestors = ancestorsOf(state.workflow, job).map((ancestor) => state.jobs.get(ancestor.id)!)
  const status: StatusValues = {
    success: ancestors.every((ancestor) => ancestor.result === 'success'),
    failure: ancestors.some((ancestor) => ancestor.result === 'failure'),
    cancelled: false
  }
  const jobContexts: Contexts = {
    github: { ...state.github, job: job.id },
    inputs: state.inputs,
    needs: needsContext(job, state),
    vars: {}
  }

  let strategy: { legs: Array<MatrixLeg | undefined>; failFast: boolean; maxParallel: number }
  try {
    if (!evaluateCondition(job.template.if.expression, { contexts: jobContexts, status })) {
      return finish('skipped', [], {})
    }
    strategy = evaluateStrategy(job, { contexts: jobContexts, status })
  } catch (error) {
    return finish('failure', [], {}, `Job '${job.id}': ${(error as Error).message}`)
  }

  const cancellation = new AbortController()
  const legs = await runPool(strategy.legs.length, strategy.maxParallel, async (index) => {
    const leg = await runLeg(job, state, {
      index,
      matrix: strategy.legs[index],
      total: strategy.legs.length,
      failFast: strategy.failFast,
      maxParallel: strategy.maxParallel,
      contexts: jobContexts,
      signal: cancellation.signal
    })
    if (leg.result === 'failure' && strategy.failFast) cancellation.abort()
    return leg
  })

  const outputs: Record<string, string> = {}
  for (const leg of [...legs].sort((a, b) => a.finishedAt - b.finishedAt)) {
    for (const [name, value] of Object.entries(leg.outputs)) {
      if (value !== '') outputs[name] = value
    }
  }
  const results = legs.map((leg) => leg.result)
  const result: JobResult = results.includes('failure')
    ? 'failure'
    : results.includes('cancelled')
      ? 'cancelled'
      : 'success'
  return finish(result, legs, outputs)
}

function needsContext(job: LoadedJob, state: RunState): Record<string, JsonValue> {
  const needs: Record<string, JsonValue> = {}
  for (const need of job.template.needs ?? []) {
    const run = state.jobs.get(findJob(state.workflow, need.value).id)!
    needs[need.value] = { result: run.result, outputs: run.outputs }
  }
  return needs
}

function evaluateStrategy(
  job: LoadedJob,
  scope: ExpressionScope
): { legs: Array<MatrixLeg | undefined>; failFast: boolean; maxParallel: number } {
  if (!job.template.strategy) return { legs: [undefined], failFast: true, maxParallel: 1 }
  const strategy = evaluateTemplate(job.template.strategy, scope)
  if (strategy === null || typeof strategy !== 'object' || Array.isArray(strategy)) {
    throw new Error(`strategy must be a mapping, but it is ${JSON.stringify(strategy)}.`)
  }
  const legs = strategy.matrix === undefined ? [undefined] : expandMatrix(strategy.matrix)
  const failFast =
    strategy['fail-fast'] === undefined ? true : String(strategy['fail-fast']) === 'true'
  const maxParallel =
    strategy['max-parallel'] === undefined ? legs.length : Number(strategy['max-parallel'])
  if (!Number.isInteger(maxParallel) || maxParallel < 1) {
    throw new Error(
      `strategy.max-parallel must be a whole number from 1, but it is ${String(strategy['max-parallel'])}.`
    )
  }
  return { legs, failFast, maxParallel }
}

/** Runs `count` tasks, at most `limit` at a time, and returns their results in task order. */
async function runPool<T>(
  count: number,
  limit: number,
  task: (index: number) => Promise<T>
): Promise<T[]> {
  const results: T[] = new Array(count)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++
      results[index] = await task(index)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker))
  return results
}

interface LegSettings {
  index: number
  matrix: MatrixLeg | undefined
  total: number
  failFast: boolean
  maxParallel: number
  contexts: Contexts
  /** Aborted when fail-fast cancels the job's other legs. */
  signal: AbortSignal
}

/** Runs the steps of one leg in a fresh workspace and RUNNER_TEMP, and evaluates the job's outputs. */
async function runLeg(job: LoadedJob, state: RunState, settings: LegSettings): Promise<LegRun> {
  const started = Date.now()
  const legDirectory = path.join(state.directory, `${job.id}-${settings.index}`)
  const workspace = path.join(legDirectory, 'workspace')
  const runnerTemp = path.join(legDirectory, 'temp')
  fs.mkdirSync(workspace, { recursive: true })
  fs.mkdirSync(runnerTemp, { recursive: true })

  const contexts: Contexts = {
    ...settings.contexts,
    github: { ...(settings.contexts.github as Record<string, JsonValue>), workspace },
    matrix: settings.matrix ?? null,
    strategy: {
      'fail-fast': settings.failFast,
      'job-index': settings.index,
      'job-total': settings.total,
      'max-parallel': settings.maxParallel
    },
    runner: {
      name: `harness-${job.id}-${settings.index}`,
      os: 'Linux',
      arch: 'X64',
      environment: 'github-hosted',
      temp: runnerTemp,
      tool_cache: path.join(legDirectory, 'tool-cache')
    },
    secrets: { GITHUB_TOKEN: state.github.token ?? '' },
    steps: {},
    job: { status: 'success' }
  }
  const name = legName(job, contexts, settings.matrix)
  const steps: StepRun[] = []
  let jobStatus: 'success' | 'failure' = 'success'
  const exportedEnv: Record<string, string> = {}
  const addedPath: string[] = []
  const stepContexts: Record<string, JsonValue> = {}

  for (const step of job.steps) {
    const stepStarted = Date.now()
    const cancelled = settings.signal.aborted
    const scope: ExpressionScope = {
      contexts: {
        ...contexts,
        github: { ...(contexts.github as Record<string, JsonValue>), action: step.template.id },
        steps: stepContexts,
        job: { status: cancelled ? 'cancelled' : jobStatus }
      },
      status: {
        success: jobStatus === 'success' && !cancelled,
        failure: jobStatus === 'failure',
        cancelled
      }
    }
    const run = await runOneStep(step, job, state, {
      scope,
      exportedEnv,
      addedPath,
      workspace,
      runnerTemp,
      runnerName: (contexts.runner as { name: string }).name,
      signal: settings.signal,
      started: stepStarted
    })
    steps.push(run)
    stepContexts[step.template.id] = {
      outputs: run.outputs,
      outcome: run.outcome,
      conclusion: run.conclusion
    }
    if (run.conclusion === 'failure') jobStatus = 'failure'
  }

  const cancelled = settings.signal.aborted && jobStatus !== 'failure'
  const finalScope: ExpressionScope = {
    contexts: {
      ...contexts,
      steps: stepContexts,
      job: { status: cancelled ? 'cancelled' : jobStatus }
    },
    status: { success: jobStatus === 'success', failure: jobStatus === 'failure', cancelled }
  }
  const outputs: Record<string, string> = {}
  let outputError: string | undefined
  try {
    for (const { key, value } of job.template.outputs ?? []) {
      const outputName = isString(key) ? key.value : key.toString()
      outputs[outputName] = templateString(value, finalScope, `job output '${outputName}'`)
    }
  } catch (error) {
    outputError = (error as Error).message
  }
  const finished = Date.now()
  const result: JobResult =
    jobStatus === 'failure' || outputError ? 'failure' : cancelled ? 'cancelled' : 'success'
  return {
    name,
    index: settings.index,
    matrix: settings.matrix,
    result,
    workspace,
    runnerTemp,
    steps,
    outputs,
    summary: steps.map((step) => step.summary).join(''),
    annotations: steps.flatMap((step) => step.annotations),
    stdout: steps.map((step) => step.stdout).join(''),
    stderr: steps.map((step) => step.stderr).join('') + (outputError ? `${outputError}\n` : ''),
    startedAt: started,
    finishedAt: finished,
    durationMs: finished - started
  }
}

/**
 * Names a leg as GitHub does: the evaluated `name:`, or the job id without one. A matrix leg
 * whose name has no expression gets its non-empty matrix values appended, as in
 * "build (18, linux)".
 */
function legName(job: LoadedJob, contexts: Contexts, matrix: MatrixLeg | undefined): string {
  const token = job.raw.find('name')
  const scope: ExpressionScope = {
    contexts,
    status: { success: true, failure: false, cancelled: false }
  }
  const name = token ? templateString(token, scope, 'the job name') : job.id
  if (!matrix || (token && !token.isLiteral)) return name
  const values = Object.values(matrix)
    .filter((value) => value !== null && value !== '')
    .map((value) => (typeof value === 'string' ? value : JSON.stringify(value)))
  return values.length === 0 ? name : `${name} (${values.join(', ')})`
}

interface StepSettings {
  scope: ExpressionScope
  /** GITHUB_ENV values of the earlier steps; this step's are added. */
  exportedEnv: Record<string, string>
  /** GITHUB_PATH folders of the earlier steps, newest first; this step's are added. */
  addedPath: string[]
  workspace: string
  runnerTemp: string
  runnerName: string
  signal: AbortSignal
  started: number
}

/** Evaluates a step's `if:`, env and continue-on-error, runs it, and records what it did. */
async function runOneStep(
  step: LoadedStep,
  job: LoadedJob,
  state: RunState,
  settings: StepSettings
): Promise<StepRun> {
  const template = step.template
  const base = {
    id: template.id,
    name: stepName(step, settings.scope),
    uses: 'uses' in template ? template.uses.value : undefined,
    inputs: {},
    outputs: {},
    summary: '',
    annotations: [],
    stdout: '',
    stderr: ''
  }
  const done = (fields: Partial<StepRun> & Pick<StepRun, 'outcome' | 'conclusion'>): StepRun => {
    const finished = Date.now()
    return {
      ...base,
      ...fields,
      startedAt: settings.started,
      finishedAt: finished,
      durationMs: finished - settings.started
    }
  }

  let env: Record<string, string>
  let continueOnError: boolean
  try {
    if (!evaluateCondition(template.if.expression, settings.scope)) {
      return done({ outcome: 'skipped', conclusion: 'skipped' })
    }
    env = stepEnv(step, job, state, settings)
    continueOnError = evaluateContinueOnError(step, {
      ...settings.scope,
      contexts: { ...settings.scope.contexts, env }
    })
  } catch (error) {
    return done({ outcome: 'failure', conclusion: 'failure', error: (error as Error).message })
  }

  const scope: ExpressionScope = {
    ...settings.scope,
    contexts: { ...settings.scope.contexts, env }
  }
  // The caller's variables play the machine's environment, so the workflow's env: wins over
  // them, and the runner's own variables win over both.
  const processEnv = {
    ...machineEnvironment(),
    PATH: [...settings.addedPath, process.env.PATH ?? ''].join(path.delimiter),
    HOME: process.env.HOME ?? settings.workspace,
    ...state.options.env,
    ...env,
    ...runnerEnv(job, step, state, settings)
  }
  const execution = await executeStep(step, {
    scope,
    processEnv,
    workspace: settings.workspace,
    runnerTemp: settings.runnerTemp,
    remote: state.options.remote,
    ref: String(state.github.ref),
    runDefaults: runDefaults(state.workflow.root, job.raw),
    timeoutMs: timeoutOf(step, scope) ?? state.options.stepTimeoutMs ?? 120_000,
    signal: settings.signal
  })
  Object.assign(settings.exportedEnv, execution.exportedEnv)
  settings.addedPath.unshift(...[...execution.addedPath].reverse())

  const outcome: JobResult =
    execution.outcome === 'failure' && settings.signal.aborted ? 'cancelled' : execution.outcome
  return done({
    outcome,
    conclusion: outcome === 'failure' && continueOnError ? 'success' : outcome,
    exitCode: execution.exitCode,
    inputs: execution.inputs,
    outputs: execution.outputs,
    summary: execution.summary,
    annotations: execution.annotations,
    stdout: execution.stdout,
    stderr: execution.stderr,
    error: execution.error
  })
}

function stepName(step: LoadedStep, scope: ExpressionScope): string {
  const name = step.raw.find('name')
  if (name) {
    try {
      return templateString(name, scope, 'the step name')
    } catch {
      // A name is only a label, so its expression error shows as the raw text instead.
      return name.toString()
    }
  }
  if ('uses' in step.template) return `Run ${step.template.uses.value}`
  const run = step.raw.find('run')
  return `Run ${run && isString(run) ? run.value.split('\n')[0] : step.template.id}`
}

/**
 * Builds the `env` context of a step: the workflow's env:, the job's env:, the GITHUB_ENV
 * values of earlier steps, then the step's env:, each later source winning, as on the runner.
 */
function stepEnv(
  step: LoadedStep,
  job: LoadedJob,
  state: RunState,
  settings: StepSettings
): Record<string, string> {
  const env: Record<string, string> = {}
  const add = (token: MappingToken | undefined, where: string): void => {
    if (!token) return
    const scope: ExpressionScope = {
      ...settings.scope,
      contexts: { ...settings.scope.contexts, env: { ...env } }
    }
    for (const { key, value } of token) {
      const name = isString(key) ? key.value : key.toString()
      env[name] = templateString(value, scope, `${where} env '${name}'`)
    }
  }
  add(findMapping(state.workflow.root, 'env'), 'workflow')
  add(job.template.env, `job '${job.id}'`)
  Object.assign(env, settings.exportedEnv)
  add(step.template.env, `step '${step.template.id}'`)
  return env
}

function evaluateContinueOnError(step: LoadedStep, scope: ExpressionScope): boolean {
  const value = step.template['continue-on-error']
  if (value === undefined) return false
  if (typeof value === 'boolean') return value
  return String(evaluateTemplate(value, scope)) === 'true'
}

function timeoutOf(step: LoadedStep, scope: ExpressionScope): number | undefined {
  const token = step.raw.find('timeout-minutes')
  if (!token) return undefined
  const minutes = Number(evaluateTemplate(token, scope))
  if (!(minutes > 0))
    throw new Error(`Step '${step.template.id}': timeout-minutes must be above 0.`)
  return minutes * 60_000
}

function runDefaults(
  root: MappingToken,
  job: MappingToken
): { shell?: string; workingDirectory?: string } {
  const read = (owner: MappingToken): { shell?: string; workingDirectory?: string } => {
    const run =
      findMapping(owner, 'defaults') && findMapping(findMapping(owner, 'defaults')!, 'run')
    const value = (key: string): string | undefined => {
      const token = run?.find(key)
      return token && isString(token) ? token.value : undefined
    }
    return { shell: value('shell'), workingDirectory: value('working-directory') }
  }
  const workflow = read(root)
  const own = read(job)
  return {
    shell: own.shell ?? workflow.shell,
    workingDirectory: own.workingDirectory ?? workflow.workingDirectory
  }
}

/** Builds the variables the runner sets for every step, which a step's env: cannot change. */
function runnerEnv(
  job: LoadedJob,
  step: LoadedStep,
  state: RunState,
  settings: StepSettings
): Record<string, string> {
  const github = state.github
  const env: Record<string, string> = {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: settings.workspace,
    GITHUB_REPOSITORY: String(github.repository),
    GITHUB_REPOSITORY_OWNER: String(github.repository_owner),
    GITHUB_API_URL: String(github.api_url),
    GITHUB_SERVER_URL: String(github.server_url),
    GITHUB_GRAPHQL_URL: String(github.graphql_url),
    GITHUB_RUN_ID: String(github.run_id),
    GITHUB_RUN_NUMBER: String(github.run_number),
    GITHUB_RUN_ATTEMPT: String(github.run_attempt),
    GITHUB_EVENT_NAME: String(github.event_name),
    GITHUB_EVENT_PATH: state.eventPath,
    GITHUB_JOB: job.id,
    GITHUB_ACTION: step.template.id,
    GITHUB_REF: String(github.ref),
    GITHUB_REF_NAME: String(github.ref_name),
    GITHUB_REF_TYPE: String(github.ref_type),
    GITHUB_SHA: String(github.sha),
    GITHUB_ACTOR: String(github.actor),
    GITHUB_TRIGGERING_ACTOR: String(github.triggering_actor),
    GITHUB_WORKFLOW: state.workflow.name,
    RUNNER_TEMP: settings.runnerTemp,
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_NAME: settings.runnerName,
    RUNNER_ENVIRONMENT: 'github-hosted',
    GIT_CONFIG_GLOBAL: state.gitConfig,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0'
  }
  // Benchmarks that run the emulator's clock faster set this for the actions to match.
  const timeScale =
    state.options.env?.PARALLEL_SETUP_TIME_SCALE ?? process.env.PARALLEL_SETUP_TIME_SCALE
  if (timeScale !== undefined) env.PARALLEL_SETUP_TIME_SCALE = timeScale
  return env
}

/**
 * Describes every job, leg and step that did not succeed, with its error and the end of its
 * output. Returns '' for a run without failures, so that a test can compare the text with ''.
 */
export function describeFailures(run: WorkflowRun): string {
  const lines: string[] = []
  for (const job of Object.values(run.jobs)) {
    if (job.result === 'success' || job.result === 'skipped') continue
    lines.push(`job ${job.id}: ${job.result}${job.error ? ` (${job.error})` : ''}`)
    for (const leg of job.legs.filter((candidate) => candidate.result !== 'success')) {
      lines.push(`  leg ${leg.index} '${leg.name}': ${leg.result}`)
      for (const step of leg.steps.filter(
        (candidate) => candidate.outcome === 'failure' || candidate.outcome === 'cancelled'
      )) {
        lines.push(
          `    step ${step.id} (${step.uses ?? 'run'}): ${step.outcome}, exit code ${step.exitCode ?? '-'}`
        )
        if (step.error) lines.push(`      error: ${step.error}`)
        for (const [stream, text] of [
          ['stdout', step.stdout],
          ['stderr', step.stderr]
        ] as const) {
          const tail = text.trim().split('\n').slice(-15).join('\n        ')
          if (tail) lines.push(`      ${stream}:\n        ${tail}`)
        }
      }
    }
  }
  return lines.join('\n')
}
