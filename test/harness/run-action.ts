import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { makeTempDir } from '../support/temp.js'
import { machineEnvironment } from './machine-env.js'

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

/** The Node 24 binary that the `node24` dev dependency installs: the runtime `runs.using: node24` picks. */
export const NODE24 = path.join(repositoryRoot, 'node_modules', 'node24', 'bin', 'node')

export interface ActionRun {
  exitCode: number
  stdout: string
  stderr: string
  outputs: Record<string, string>
  summary: string
  /** `::error file=…::` and similar workflow commands the step printed. */
  annotations: Annotation[]
  /** Variables the step wrote to GITHUB_ENV, which the runner sets for the later steps. */
  exportedEnv: Record<string, string>
  /** Folders the step wrote to GITHUB_PATH, which the runner prepends to PATH for later steps. */
  addedPath: string[]
}

export interface Annotation {
  level: 'error' | 'warning' | 'notice'
  properties: Record<string, string>
  message: string
}

export interface ActionRunOptions {
  /** Input names as in action.yml; they become INPUT_<NAME> the way the runner names them. */
  inputs?: Record<string, string>
  workspace: string
  env?: Record<string, string>
  timeoutMs?: number
  /** The script to run instead of dist/<action>/index.js, such as a fixture action's main. */
  script?: string
  /**
   * Ends the process with SIGTERM when aborted, as the runner does for a cancelled job.
   * NOTE: only the node process is ended, not the processes it started.
   */
  signal?: AbortSignal
  /** The signal an abort sends. SIGKILL models a runner that died, with no chance to clean up. */
  killSignal?: NodeJS.Signals
}

/**
 * Runs a bundled action (`dist/<action>/index.js`) the way the Actions runner does: a
 * separate Node 24 process, inputs as INPUT_* variables, and file commands for outputs
 * and the job summary. Returns what the step wrote.
 */
export async function runAction(action: string, options: ActionRunOptions): Promise<ActionRun> {
  const files = makeTempDir('runner-files-')
  const outputFile = path.join(files, 'output')
  const summaryFile = path.join(files, 'summary')
  const envFile = path.join(files, 'env')
  const pathFile = path.join(files, 'path')
  for (const file of [outputFile, summaryFile, envFile, pathFile, path.join(files, 'state')]) {
    fs.writeFileSync(file, '')
  }
  const env: Record<string, string> = {
    ...machineEnvironment(),
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? files,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_ENV: envFile,
    GITHUB_PATH: pathFile,
    GITHUB_STATE: path.join(files, 'state'),
    RUNNER_TEMP: makeTempDir('runner-temp-'),
    ...options.env
  }
  for (const [name, value] of Object.entries(options.inputs ?? {})) {
    // The runner upper-cases the name and turns spaces into underscores; '-' stays.
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
  }
  const script = options.script ?? path.join(repositoryRoot, 'dist', action, 'index.js')
  const { exitCode, stdout, stderr } = await new Promise<{
    exitCode: number
    stdout: string
    stderr: string
  }>((resolve) => {
    execFile(
      NODE24,
      [script],
      {
        cwd: options.workspace,
        env,
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 64 * 1024 * 1024,
        signal: options.signal,
        killSignal: options.killSignal ?? 'SIGTERM'
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
        resolve({ exitCode: code, stdout, stderr })
      }
    )
  })
  return {
    exitCode,
    stdout,
    stderr,
    outputs: parseFileCommand(fs.readFileSync(outputFile, 'utf8')),
    summary: fs.readFileSync(summaryFile, 'utf8'),
    annotations: parseAnnotations(stdout),
    exportedEnv: parseFileCommand(fs.readFileSync(envFile, 'utf8')),
    addedPath: fs.readFileSync(pathFile, 'utf8').split('\n').filter(Boolean)
  }
}

/** Parses a GITHUB_OUTPUT-style file: `name=value` lines and `name<<DELIMITER` blocks. */
export function parseFileCommand(text: string): Record<string, string> {
  const values: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const [, name, delimiter] = heredoc
      const body: string[] = []
      for (i++; i < lines.length && lines[i] !== delimiter; i++) body.push(lines[i]!)
      values[name!] = body.join('\n')
    } else if (line.includes('=')) {
      values[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1)
    }
  }
  return values
}

/** Parses the `::error::`, `::warning::` and `::notice::` workflow commands in a step's stdout. */
export function parseAnnotations(stdout: string): Annotation[] {
  const annotations: Annotation[] = []
  for (const line of stdout.split('\n')) {
    const match = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/.exec(line)
    if (!match) continue
    const properties: Record<string, string> = {}
    for (const pair of (match[2] ?? '').split(',').filter(Boolean)) {
      const [key, ...rest] = pair.split('=')
      properties[key!] = unescapeProperty(rest.join('='))
    }
    annotations.push({
      level: match[1] as Annotation['level'],
      properties,
      message: unescapeData(match[3]!)
    })
  }
  return annotations
}

function unescapeData(value: string): string {
  return value.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
}

function unescapeProperty(value: string): string {
  return unescapeData(value).replace(/%3A/g, ':').replace(/%2C/g, ',')
}
