import path from 'node:path'
import type { ErrorObject } from 'ajv'
import { findBranchTemplateProblem, expandBranch } from './branch.js'
import type { SourceDocument } from './document.js'
import { ManifestError } from './errors.js'
import { findTaskIdProblem } from './refname.js'
import { DEFAULTS_KEYS, TASK_KEYS, TOP_LEVEL_KEYS, validateAgainstSchema } from './schema.js'
import { suggestClosest } from './suggest.js'
import { DEFAULT_BRANCH_TEMPLATE, type Task } from './types.js'

/** A task as written in the file, before defaults: the schema's `task` definition. */
export interface RawTask {
  id: string
  title: string
  body?: string
  labels?: string[]
  assignees?: string[]
  milestone?: string | number
  branch?: string
  base?: string
  install?: string
  'working-directory'?: string
  copy?: string[]
  'depends-on'?: string[]
}

export type RawDefaults = Omit<RawTask, 'id' | 'title'>

interface RawManifest {
  version: 1
  defaults?: RawDefaults
  tasks: RawTask[]
}

/**
 * Validates a native manifest and applies its defaults. Throws one ManifestError, for the
 * first problem in file order, that names the line and the fix.
 */
export function validateManifest(source: SourceDocument, extraDefaults: RawDefaults = {}): Task[] {
  const data = source.data
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ManifestError(
      `the manifest must be a mapping with 'version' and 'tasks', but it is ${describeType(data)}`,
      source.file,
      source.positionOf(''),
      'Start the file with "version: 1" and list the tasks under "tasks:"'
    )
  }
  const version = (data as Record<string, unknown>).version
  if (version !== undefined && version !== 1) {
    throw new ManifestError(
      `unsupported manifest version ${JSON.stringify(version)}`,
      source.file,
      source.positionOf('/version'),
      'Set "version: 1", the only version this release reads'
    )
  }

  const schemaErrors = validateAgainstSchema(data)
  if (schemaErrors.length > 0)
    throw schemaErrorToManifestError(source, pickFirstError(source, schemaErrors))

  const manifest = data as RawManifest
  return checkTasks(
    source,
    manifest.tasks,
    { ...extraDefaults, ...(manifest.defaults ?? {}) },
    '/tasks'
  )
}

/**
 * Applies defaults and the rules that span tasks: unique ids, valid branches, safe paths,
 * known dependencies and no cycles. `pointer` is where the task list sits in the source.
 */
export function checkTasks(
  source: SourceDocument,
  rawTasks: RawTask[],
  defaults: RawDefaults,
  pointer: string
): Task[] {
  const tasks = rawTasks.map((raw) => applyDefaults(raw, defaults))
  const fail = (index: number, field: string, problem: string, fix: string): never => {
    const at = field ? `${pointer}/${index}/${field}` : `${pointer}/${index}`
    throw new ManifestError(problem, source.file, source.positionOf(at), fix)
  }

  const seenIds = new Map<string, number>()
  const seenBranches = new Map<string, string>()
  tasks.forEach((task, index) => {
    const idProblem = findTaskIdProblem(task.id)
    if (idProblem) {
      fail(index, 'id', `the task id '${task.id}' cannot name a git branch: ${idProblem}`, ID_FIX)
    }
    if (task.title.trim() === '') {
      fail(
        index,
        'title',
        `the title of task '${task.id}' has only spaces`,
        'Write a title with words in it; it becomes the issue title'
      )
    }
    const earlier = seenIds.get(task.id)
    if (earlier !== undefined) {
      fail(
        index,
        'id',
        `duplicate task id '${task.id}': task ${earlier + 1} already uses it`,
        'Give every task its own id; the id is the key that links a task to its issue and branch'
      )
    }
    seenIds.set(task.id, index)

    const branchField = rawTasks[index]!.branch === undefined ? '' : 'branch'
    const branchProblem = findBranchTemplateProblem(task.branch, task)
    if (branchProblem) {
      fail(
        index,
        branchField,
        `the branch template '${task.branch}' of task '${task.id}' is invalid: ${branchProblem}`,
        BRANCH_FIX
      )
    }
    if (!task.branch.includes('{issue}')) {
      const name = expandBranch(task.branch, task)
      const owner = seenBranches.get(name)
      if (owner !== undefined) {
        fail(
          index,
          branchField,
          `tasks '${owner}' and '${task.id}' would both use the branch '${name}'`,
          'Put {id} or {issue} in the branch template so that every task gets its own branch'
        )
      }
      seenBranches.set(name, task.id)
    }

    const directoryProblem = findEscapingPath(task.workingDirectory)
    if (directoryProblem) {
      fail(
        index,
        'working-directory',
        `the working-directory '${task.workingDirectory}' of task '${task.id}' ${directoryProblem}`,
        PATH_FIX
      )
    }
    task.copy.forEach((file, copyIndex) => {
      const copyProblem = findEscapingPath(file)
      if (copyProblem) {
        fail(
          index,
          `copy/${copyIndex}`,
          `the copy entry '${file}' of task '${task.id}' ${copyProblem}`,
          PATH_FIX
        )
      }
    })
  })

  tasks.forEach((task, index) => {
    task.dependsOn.forEach((dependency, dependencyIndex) => {
      if (dependency === task.id) {
        fail(
          index,
          `depends-on/${dependencyIndex}`,
          `task '${task.id}' depends on itself`,
          'Remove its own id from depends-on'
        )
      }
      if (!seenIds.has(dependency)) {
        const suggestion = suggestClosest(dependency, [...seenIds.keys()])
        fail(
          index,
          `depends-on/${dependencyIndex}`,
          `task '${task.id}' depends on '${dependency}', which is not a task id in this manifest`,
          suggestion ? `Did you mean '${suggestion}'?` : 'Use the id of a task listed under tasks'
        )
      }
    })
  })

  const cycle = findCycle(tasks)
  if (cycle) {
    const index = seenIds.get(cycle[0]!)!
    fail(
      index,
      'depends-on',
      `the tasks depend on each other in a cycle: ${cycle.join(' -> ')}`,
      'Remove one of these depends-on entries so that the tasks can be ordered'
    )
  }
  return tasks
}

const ID_FIX =
  "Use letters, digits, '.', '_' and '-' only, start with a letter, digit or '_', and avoid '..' and a trailing '.lock'"
const BRANCH_FIX = "Use a template such as 'task/{id}' that expands to a valid git branch name"
const PATH_FIX = 'Use a path relative to the repository root that stays inside it'

function applyDefaults(raw: RawTask, defaults: RawDefaults): Task {
  const pick = <K extends keyof RawDefaults>(key: K): RawDefaults[K] => raw[key] ?? defaults[key]
  const task: Task = {
    id: raw.id,
    title: raw.title,
    body: pick('body') ?? '',
    labels: [...(pick('labels') ?? [])],
    assignees: [...(pick('assignees') ?? [])],
    branch: pick('branch') ?? DEFAULT_BRANCH_TEMPLATE,
    install: pick('install') ?? 'auto',
    workingDirectory: normalizeRelative(pick('working-directory') ?? '.'),
    copy: [...(pick('copy') ?? [])],
    dependsOn: [...(pick('depends-on') ?? [])]
  }
  const milestone = pick('milestone')
  if (milestone !== undefined) task.milestone = milestone
  const base = pick('base')
  if (base !== undefined) task.base = base
  return task
}

function normalizeRelative(value: string): string {
  return path.posix.normalize(value.replace(/\\/g, '/')).replace(/\/$/, '') || '.'
}

/** Returns why a path leaves the repository, or undefined when it stays inside. */
export function findEscapingPath(value: string): string | undefined {
  const slashed = value.replace(/\\/g, '/')
  if (path.posix.isAbsolute(slashed) || /^[A-Za-z]:/.test(slashed)) return 'is an absolute path'
  const normalized = path.posix.normalize(slashed)
  if (normalized === '..' || normalized.startsWith('../'))
    return "leaves the repository through '..'"
  if (slashed.includes('\0')) return 'contains a NUL character'
  return undefined
}

function findCycle(tasks: Task[]): string[] | undefined {
  const byId = new Map(tasks.map((task) => [task.id, task]))
  const state = new Map<string, 'visiting' | 'done'>()
  const stack: string[] = []
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined
    if (state.get(id) === 'visiting') return [...stack.slice(stack.indexOf(id)), id]
    state.set(id, 'visiting')
    stack.push(id)
    for (const dependency of byId.get(id)?.dependsOn ?? []) {
      const cycle = visit(dependency)
      if (cycle) return cycle
    }
    stack.pop()
    state.set(id, 'done')
    return undefined
  }
  for (const task of tasks) {
    const cycle = visit(task.id)
    if (cycle) return cycle
  }
  return undefined
}

/** Chooses the error a person should fix first: the earliest in the file, the most specific. */
function pickFirstError(source: SourceDocument, errors: ErrorObject[]): ErrorObject {
  const rank = (error: ErrorObject): number => {
    const position = source.positionOf(
      errorPointer(error),
      error.keyword === 'additionalProperties'
    )
    return (position?.line ?? 0) * 10_000 + (position?.column ?? 0)
  }
  // An unknown key next to a missing required key is usually the same typo ('titel'), and
  // the unknown key's message names the fix.
  const misspelt = new Set(
    errors.filter((e) => e.keyword === 'additionalProperties').map((e) => e.instancePath)
  )
  const relevant = errors.filter((e) => !(e.keyword === 'required' && misspelt.has(e.instancePath)))
  return relevant.sort((a, b) => rank(a) - rank(b))[0]!
}

function errorPointer(error: ErrorObject): string {
  if (error.keyword === 'additionalProperties') {
    return `${error.instancePath}/${String(error.params.additionalProperty)}`
  }
  return error.instancePath
}

function schemaErrorToManifestError(source: SourceDocument, error: ErrorObject): ManifestError {
  const where = describePointer(source, error.instancePath)
  const position = source.positionOf(errorPointer(error), error.keyword === 'additionalProperties')
  const make = (problem: string, fix: string): ManifestError =>
    new ManifestError(problem, source.file, position, fix)

  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(error.params.additionalProperty)
      const allowed = allowedKeysAt(error.instancePath)
      const suggestion = suggestClosest(key, allowed)
      const hint = suggestion ? `Did you mean '${suggestion}'? ` : ''
      return make(
        `unknown key '${key}' in ${where}`,
        `${hint}The keys allowed there are: ${allowed.join(', ')}`
      )
    }
    case 'required': {
      const key = String(error.params.missingProperty)
      return make(`${where} has no '${key}'`, requiredFix(key))
    }
    case 'type': {
      const expected = describeExpectedType(String(error.params.type))
      const found = valueAt(source.data, error.instancePath)
      return make(
        `${where} must be ${expected}, but it is ${describeType(found)}`,
        typeFix(expected, found, source.sourceTextOf(error.instancePath), error.instancePath)
      )
    }
    case 'pattern': {
      if (error.instancePath.endsWith('/title')) {
        return make(
          `${where} has only spaces`,
          'Write a title with words in it; it becomes the issue title'
        )
      }
      const value = String(valueAt(source.data, error.instancePath))
      const problem = findTaskIdProblem(value) ?? 'it has characters a task id may not have'
      return make(`the task id '${value}' in ${where} cannot name a git branch: ${problem}`, ID_FIX)
    }
    case 'minLength':
      return make(`${where} is empty`, 'Give it a value or remove the key')
    case 'maxLength':
      return make(`${where} is longer than ${String(error.params.limit)} characters`, 'Shorten it')
    case 'const':
      return make(
        `${where} must be ${JSON.stringify(error.params.allowedValue)}`,
        'Set "version: 1"'
      )
    default:
      return make(
        `${where} ${error.message ?? 'is invalid'}`,
        'Check it against schema/manifest.schema.json'
      )
  }
}

/**
 * Returns the fix for a value of the wrong type. YAML reads 2024, 1.10, true and an empty value
 * as a number, a boolean and null, so the fix quotes the value exactly as it is written.
 */
function typeFix(
  expected: string,
  found: unknown,
  written: string | undefined,
  pointer: string
): string {
  if (!expected.startsWith('a string')) return `Write it as ${expected}`
  if (found === null || found === undefined) {
    const key = pointer.split('/').pop() ?? ''
    const required = pointer.startsWith('/tasks/') && (key === 'id' || key === 'title')
    return required ? 'Give it a value; it is required' : 'Give it a value, or remove the key'
  }
  if (typeof found === 'number' || typeof found === 'boolean') {
    const text = written && !/["'\n]/.test(written) ? written : String(found)
    return `Put it in quotes, such as "${text}", so that YAML reads it as text`
  }
  return `Write it as ${expected}`
}

function requiredFix(key: string): string {
  if (key === 'id') return 'Add "id:" with a short unique key such as "login-form"'
  if (key === 'title') return 'Add "title:", which becomes the issue title'
  if (key === 'tasks') return 'Add "tasks:" with a list of tasks'
  if (key === 'version') return 'Add "version: 1" at the top of the file'
  return `Add '${key}'`
}

function allowedKeysAt(instancePath: string): string[] {
  if (instancePath === '') return TOP_LEVEL_KEYS
  if (instancePath === '/defaults') return DEFAULTS_KEYS
  return TASK_KEYS
}

/** Names a JSON pointer the way a person reads the file: "task 3 ('login')" or "'labels' of task 2". */
function describePointer(source: SourceDocument, pointer: string): string {
  const parts = pointer.split('/').slice(1)
  if (parts.length === 0) return 'the manifest'
  if (parts[0] === 'defaults')
    return parts.length === 1 ? "'defaults'" : `'${parts.slice(1).join('.')}' of 'defaults'`
  if (parts[0] === 'tasks' && parts.length >= 2) {
    const index = Number(parts[1])
    const id = (valueAt(source.data, `/tasks/${index}`) as { id?: unknown } | undefined)?.id
    const task = typeof id === 'string' ? `task ${index + 1} ('${id}')` : `task ${index + 1}`
    return parts.length === 2 ? task : `'${parts.slice(2).join('.')}' of ${task}`
  }
  return `'${parts.join('.')}'`
}

function valueAt(data: unknown, pointer: string): unknown {
  let value = data
  for (const part of pointer.split('/').slice(1)) {
    if (value === null || typeof value !== 'object') return undefined
    value = (value as Record<string, unknown>)[part]
  }
  return value
}

function describeType(value: unknown): string {
  if (value === null || value === undefined) return 'empty'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  return `a ${typeof value}`
}

function describeExpectedType(type: string): string {
  const names: Record<string, string> = {
    string: 'a string',
    array: 'a list',
    object: 'a mapping',
    integer: 'a whole number',
    'string,integer': 'a string or a whole number'
  }
  return names[type] ?? type
}
