import fs from 'node:fs'
import path from 'node:path'
import { parseDocument } from 'yaml'
import { SourceDocument } from './document.js'
import { ManifestError } from './errors.js'
import { checkTasks, findEscapingPath, type RawDefaults, type RawTask } from './validate.js'
import type { Task } from './types.js'

/** Task states in a Promptune plan that mean the work is finished, so no setup is needed. */
const FINISHED_STATUSES = new Set(['completed', 'done'])

interface PromptuneEntry {
  id?: unknown
  name?: unknown
  file?: unknown
  priority?: unknown
  dependencies?: unknown
}

/**
 * Tells a Promptune `plan.yaml` from a native manifest by its content: a Promptune plan
 * has no `version`, and its tasks point at task files instead of carrying titles.
 */
export function isPromptunePlan(data: unknown): boolean {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return false
  const record = data as Record<string, unknown>
  if ('version' in record || !Array.isArray(record.tasks)) return false
  return record.tasks.some(
    (entry) => entry !== null && typeof entry === 'object' && 'file' in entry && !('title' in entry)
  )
}

/**
 * Reads a Promptune plan: each entry names a Markdown task file whose front matter holds
 * the id, status, dependencies and labels, and whose body becomes the issue body.
 */
export function readPromptunePlan(
  source: SourceDocument,
  root: string,
  defaults: RawDefaults
): Task[] {
  const planDirectory = path.dirname(path.resolve(root, source.file))
  const entries = (source.data as { tasks: PromptuneEntry[] }).tasks
  const rawTasks: RawTask[] = []
  entries.forEach((entry, index) => {
    const pointer = `/tasks/${index}`
    const fail = (field: string, problem: string, fix: string): never => {
      throw new ManifestError(problem, source.file, source.positionOf(`${pointer}/${field}`), fix)
    }
    if (entry === null || typeof entry !== 'object') {
      fail(
        '',
        `task ${index + 1} of the Promptune plan is not a mapping`,
        'Give it id, name and file'
      )
    }
    if (typeof entry.file !== 'string' || entry.file === '') {
      fail(
        'file',
        `task ${index + 1} of the Promptune plan has no 'file'`,
        "Point file at the task's Markdown file"
      )
    }
    const relativeFile = entry.file as string
    const escape = findEscapingPath(path.relative(root, path.resolve(planDirectory, relativeFile)))
    if (escape)
      fail(
        'file',
        `the task file '${relativeFile}' ${escape}`,
        'Keep task files inside the repository'
      )

    const taskPath = path.resolve(planDirectory, relativeFile)
    if (!fs.existsSync(taskPath)) {
      fail(
        'file',
        `the task file '${relativeFile}' does not exist`,
        `Create it next to the plan, or fix the path`
      )
    }
    const { frontMatter, body } = splitFrontMatter(
      fs.readFileSync(taskPath, 'utf8'),
      path.relative(root, taskPath)
    )
    if (FINISHED_STATUSES.has(String(frontMatter.status ?? ''))) return

    const id = frontMatter.id ?? entry.id
    const title = entry.name ?? firstHeading(body) ?? id
    const dependencies = frontMatter.dependencies ?? entry.dependencies ?? []
    const raw: RawTask = { id: String(id ?? ''), title: String(title ?? ''), body }
    if (Array.isArray(dependencies) && dependencies.length > 0)
      raw['depends-on'] = dependencies.map(String)
    if (Array.isArray(frontMatter.labels)) raw.labels = frontMatter.labels.map(String)
    if (raw.id === '')
      fail(
        'id',
        `task ${index + 1} of the Promptune plan has no id`,
        "Add id to the entry or to the task file's front matter"
      )
    if (raw.title.trim() === '')
      fail('name', `task '${raw.id}' of the Promptune plan has no name`, 'Add name to the entry')
    rawTasks.push(raw)
  })
  return checkTasks(source, rawTasks, defaults, '/tasks')
}

function splitFrontMatter(
  text: string,
  file: string
): { frontMatter: Record<string, unknown>; body: string } {
  const match = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(text)
  if (!match) return { frontMatter: {}, body: text.trim() }
  const document = parseDocument(match[1]!)
  if (document.errors.length > 0) {
    const error = document.errors[0]!
    throw new ManifestError(
      `the front matter is not valid YAML: ${error.message.split('\n')[0]}`,
      file,
      { line: (error.linePos?.[0]?.line ?? 0) + 1, column: error.linePos?.[0]?.col ?? 1 },
      'Fix the YAML between the two --- lines'
    )
  }
  const value = document.toJS({ maxAliasCount: 100 }) as unknown
  const frontMatter =
    value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {}
  return { frontMatter, body: text.slice(match[0].length).trim() }
}

function firstHeading(body: string): string | undefined {
  return /^#{1,6}[ \t]+(.+?)[ \t#]*$/m.exec(body)?.[1]
}
