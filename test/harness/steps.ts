/**
 * Runs one workflow step the way the Actions runner does: actions/checkout as a shallow clone
 * of the local remote, this repository's node24 actions through runAction, and run: scripts
 * with bash and the runner's file commands.
 */
import { execFile, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { isMapping, isString } from '@actions/workflow-parser'
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token'
import { evaluateTemplate, templateString, type ExpressionScope } from './expressions.js'
import { parseAnnotations, parseFileCommand, runAction, type Annotation } from './run-action.js'
import type { LoadedStep } from './workflow-file.js'

/** What a step did. The caller adds its `if:` result, timing and continue-on-error handling. */
export interface StepExecution {
  outcome: 'success' | 'failure'
  exitCode: number
  /** The inputs the step received, defaults included; empty for run: steps. */
  inputs: Record<string, string>
  outputs: Record<string, string>
  summary: string
  annotations: Annotation[]
  stdout: string
  stderr: string
  exportedEnv: Record<string, string>
  addedPath: string[]
  /** A failure of the harness or of an expression, rather than of the step's process. */
  error?: string
}

export interface StepEnvironment {
  scope: ExpressionScope
  /** The whole process environment of the step, runner variables and env: values included. */
  processEnv: Record<string, string>
  workspace: string
  runnerTemp: string
  /** The bare repository that actions/checkout clones. */
  remote: string
  /** The branch or tag actions/checkout checks out when `ref` is not given. */
  ref: string
  /** `defaults.run` of the workflow and the job, the job's entries winning. */
  runDefaults: { shell?: string; workingDirectory?: string }
  timeoutMs: number
  signal: AbortSignal
}

/** Runs a step and returns what it did; errors of expressions become a failed execution. */
export async function executeStep(
  step: LoadedStep,
  environment: StepEnvironment
): Promise<StepExecution> {
  try {
    if ('run' in step.template) return await runScript(step, environment)
    const action = step.action
    if (!action) throw new Error(`Step '${step.template.id}' has no resolved action.`)
    if (action.kind === 'checkout') return await checkOut(step, environment)
    const inputs = actionInputs(step, action.manifest.inputs, environment.scope)
    const run = await runAction(path.basename(action.directory), {
      script: action.script,
      workspace: environment.workspace,
      inputs,
      env: { ...environment.processEnv, GITHUB_ACTION_PATH: action.directory },
      timeoutMs: environment.timeoutMs,
      signal: environment.signal
    })
    return { ...run, outcome: run.exitCode === 0 ? 'success' : 'failure', inputs }
  } catch (error) {
    return failedExecution((error as Error).message)
  }
}

function failedExecution(message: string): StepExecution {
  return {
    outcome: 'failure',
    exitCode: 1,
    inputs: {},
    outputs: {},
    summary: '',
    annotations: [],
    stdout: '',
    stderr: '',
    exportedEnv: {},
    addedPath: [],
    error: message
  }
}

/** Evaluates a step's `with:` values, as strings. */
function withValues(step: LoadedStep, scope: ExpressionScope): Record<string, string> {
  const values: Record<string, string> = {}
  const token = step.raw.find('with')
  if (!token || !isMapping(token)) return values
  for (const { key, value } of token) {
    const name = isString(key) ? key.value : key.toString()
    values[name] = templateString(value, scope, `input '${name}'`)
  }
  return values
}

/**
 * Builds the inputs of an action the way the runner does: each `with:` value, and for every
 * declared input that `with:` leaves out, its default from action.yml, evaluated with the
 * contexts the runner allows there (github, strategy, matrix, job, runner).
 */
function actionInputs(
  step: LoadedStep,
  declared: Array<{ id: string; default?: TemplateToken }>,
  scope: ExpressionScope
): Record<string, string> {
  const given = withValues(step, scope)
  const inputs: Record<string, string> = {}
  for (const input of declared) {
    const name = Object.keys(given).find((key) => key.toLowerCase() === input.id.toLowerCase())
    if (name !== undefined) {
      inputs[input.id] = given[name]!
    } else if (input.default) {
      const allowed = ['github', 'strategy', 'matrix', 'job', 'runner']
      const contexts = Object.fromEntries(
        Object.entries(scope.contexts).filter(([context]) => allowed.includes(context))
      )
      inputs[input.id] = templateString(
        input.default,
        { ...scope, contexts },
        `the default of input '${input.id}'`
      )
    }
  }
  return inputs
}

/**
 * Clones the remote the way actions/checkout's default does: one branch, `fetch-depth`
 * commits (1 by default, 0 for all), into the empty workspace. It then points `origin` at the
 * bare repository's path and sets a committer identity, which the real action leaves to the
 * workflow.
 */
async function checkOut(step: LoadedStep, environment: StepEnvironment): Promise<StepExecution> {
  const inputs = withValues(step, environment.scope)
  const ref = (inputs.ref || environment.ref).replace(/^refs\/(heads|tags)\//, '')
  const depth = Number(inputs['fetch-depth'] ?? '1')
  if (!Number.isInteger(depth) || depth < 0) {
    throw new Error(
      `Invalid checkout input 'fetch-depth': '${inputs['fetch-depth']}' is not a whole number.`
    )
  }
  const log: string[] = []
  const git = async (args: string[]): Promise<string> => {
    log.push(`git ${args.join(' ')}`)
    return await runGit(args, environment.workspace, environment.processEnv, environment.signal)
  }
  const clone = ['clone', '--quiet', '--no-tags', '--branch', ref]
  if (depth > 0) clone.push(`--depth=${depth}`)
  await git([...clone, `file://${environment.remote}`, environment.workspace])
  await git(['remote', 'set-url', 'origin', environment.remote])
  await git(['config', 'user.name', 'github-actions[bot]'])
  await git(['config', 'user.email', '41898282+github-actions[bot]@users.noreply.github.com'])
  const commit = await git(['rev-parse', 'HEAD'])
  return {
    outcome: 'success',
    exitCode: 0,
    inputs,
    outputs: { ref, commit },
    summary: '',
    annotations: [],
    stdout: log.join('\n'),
    stderr: '',
    exportedEnv: {},
    addedPath: []
  }
}

function runGit(
  args: string[],
  cwd: string,
  env: Record<string, string>,
  signal: AbortSignal
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, env, signal, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`git ${args.join(' ')} failed: ${stderr.trim() || error.message}`))
      } else {
        resolve(stdout.trim())
      }
    })
  })
}

/**
 * Runs a `run:` script like the runner. GitHub substitutes the script's expressions into its
 * text, which is why issue text belongs in `env:`, and so does this function. The script is
 * written to a file under RUNNER_TEMP and run with `bash --noprofile --norc -eo pipefail`, or
 * with `sh -e` for `shell: sh`, in the workspace or the step's `working-directory`.
 */
async function runScript(step: LoadedStep, environment: StepEnvironment): Promise<StepExecution> {
  if (!('run' in step.template)) throw new Error('runScript needs a run: step.')
  const { scope } = environment
  const script = templateString(step.template.run, scope, 'the run: script')
  const shell =
    optionalString(step.raw.find('shell'), scope) ?? environment.runDefaults.shell ?? 'bash'
  const workingDirectory =
    optionalString(step.raw.find('working-directory'), scope) ??
    environment.runDefaults.workingDirectory ??
    '.'
  const command = shellCommand(shell)

  const files = fs.mkdtempSync(path.join(environment.runnerTemp, 'step-'))
  const scriptFile = path.join(environment.runnerTemp, `${randomUUID()}.sh`)
  fs.writeFileSync(scriptFile, script)
  const fileCommands = {
    GITHUB_OUTPUT: path.join(files, 'output'),
    GITHUB_STEP_SUMMARY: path.join(files, 'summary'),
    GITHUB_ENV: path.join(files, 'env'),
    GITHUB_PATH: path.join(files, 'path'),
    GITHUB_STATE: path.join(files, 'state')
  }
  for (const file of Object.values(fileCommands)) fs.writeFileSync(file, '')

  const { exitCode, stdout, stderr } = await spawnCollect(
    command[0]!,
    [...command.slice(1), scriptFile],
    {
      cwd: path.resolve(environment.workspace, workingDirectory),
      env: { ...environment.processEnv, ...fileCommands },
      timeoutMs: environment.timeoutMs,
      signal: environment.signal
    }
  )
  return {
    outcome: exitCode === 0 ? 'success' : 'failure',
    exitCode,
    inputs: {},
    outputs: parseFileCommand(fs.readFileSync(fileCommands.GITHUB_OUTPUT, 'utf8')),
    summary: fs.readFileSync(fileCommands.GITHUB_STEP_SUMMARY, 'utf8'),
    annotations: parseAnnotations(stdout),
    stdout,
    stderr,
    exportedEnv: parseFileCommand(fs.readFileSync(fileCommands.GITHUB_ENV, 'utf8')),
    addedPath: fs.readFileSync(fileCommands.GITHUB_PATH, 'utf8').split('\n').filter(Boolean)
  }
}

function optionalString(
  token: TemplateToken | undefined,
  scope: ExpressionScope
): string | undefined {
  if (!token) return undefined
  const value = evaluateTemplate(token, scope)
  return value === null ? undefined : String(value)
}

/** Returns the runner's command line for a shell the harness supports, without the script path. */
function shellCommand(shell: string): string[] {
  if (shell === 'bash') return ['bash', '--noprofile', '--norc', '-eo', 'pipefail']
  if (shell === 'sh') return ['sh', '-e']
  throw new Error(`shell: ${shell} is not supported by the harness; use bash or sh.`)
}

/**
 * Runs a command and collects its output. The command gets its own process group, and a
 * timeout or an abort ends the whole group, as the runner ends a step's process tree: ending
 * only bash would leave its children holding the output pipes until they exit.
 */
function spawnCollect(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string>; timeoutMs: number; signal: AbortSignal }
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
    let ending = ''
    const endGroup = (reason: string): void => {
      if (ending || child.pid === undefined || child.exitCode !== null) return
      ending = reason
      try {
        process.kill(-child.pid, 'SIGTERM')
      } catch {
        // The group has already exited.
      }
    }
    const timer = setTimeout(
      () => endGroup(`timed out after ${options.timeoutMs} ms`),
      options.timeoutMs
    )
    const onAbort = (): void => endGroup('cancelled')
    if (options.signal.aborted) onAbort()
    options.signal.addEventListener('abort', onAbort)
    let spawnError = ''
    child.on('error', (error) => {
      spawnError = `${error.message}\n`
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      options.signal.removeEventListener('abort', onAbort)
      resolve({
        exitCode: code ?? 1,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr:
          Buffer.concat(stderr).toString('utf8') +
          spawnError +
          (ending ? `The step was ${ending}.\n` : '')
      })
    })
  })
}
