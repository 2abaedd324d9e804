import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { slugify } from './branch.js'
import { readSource, type SourceDocument } from './document.js'
import { ManifestError } from './errors.js'
import { isPromptunePlan } from './promptune.js'
import type { Manifest, Task } from './types.js'
import { validateManifest, type RawDefaults, type RawTask } from './validate.js'

/** The format of the tasks in an issue body: a manifest block or a task list. */
export type IssueTaskFormat = 'manifest-block' | 'task-list'

/** One top-level task-list item of an issue body, open or not. */
export interface TaskListItem {
  /** The item's line in the body, from 1. */
  line: number
  /** Derived from the title, so it stays the same when lines are added or moved. */
  id: string
  /** The text after the checkbox, without a leading issue reference, kept as written. */
  title: string
  /** The indented lines under the item, sub-items included, without the item's indentation. */
  body: string
  checked: boolean
  /** The issue reference the title starts with, such as '#123', or undefined without one. */
  reference?: string
}

/** Tasks read from an issue body. */
export interface IssueManifest extends Manifest {
  format: 'issue-body'
  taskFormat: IssueTaskFormat
  /** Every task-list item, checked and linked ones included. Empty for a manifest block. */
  items: TaskListItem[]
}

export interface IssueBodyOptions {
  /** Names the issue in errors and in the task markers, such as 'issue #12'. */
  file: string
  /** Defaults for every task, such as those of the manifest file. The body's own win. */
  defaults?: RawDefaults
}

/** Maximum length of the slug in a derived id, so that branch names stay readable. */
const MAX_ID_SLUG_LENGTH = 40
/** Hex digits of the title's SHA-256 in a derived id. */
const ID_HASH_LENGTH = 7

/**
 * Reads the tasks of an issue body. A fenced yaml, yml or json block that holds a manifest
 * wins, and is validated like the manifest file. Otherwise every unchecked task-list item
 * is a task, unless its title starts with an issue reference.
 */
export function parseIssueBody(
  body: string | null | undefined,
  options: IssueBodyOptions
): IssueManifest {
  const lines = splitLines(body ?? '')
  const blocks = findManifestBlocks(lines)
  if (blocks.length > 1) {
    throw new ManifestError(
      `the issue body has ${blocks.length} manifest blocks, on lines ${blocks.map((block) => block.fenceLine).join(', ')}`,
      options.file,
      { line: blocks[1]!.fenceLine, column: 1 },
      'Keep one yaml or json block with the tasks, or merge the blocks into one'
    )
  }
  const block = blocks[0]
  if (block) {
    return {
      path: options.file,
      format: 'issue-body',
      taskFormat: 'manifest-block',
      tasks: readManifestBlock(block, options),
      items: []
    }
  }
  const items = scanTaskList(lines)
  const open = items.filter((item) => !item.checked && item.reference === undefined)
  return {
    path: options.file,
    format: 'issue-body',
    taskFormat: 'task-list',
    tasks: validateItems(open, options),
    items: items.map(publicItem)
  }
}

/** Lists the top-level task-list items of a body, in body order. */
export function findTaskListItems(body: string): TaskListItem[] {
  return scanTaskList(splitLines(body)).map(publicItem)
}

/**
 * Rewrites the line of each open task-list item whose id is in `links` so that it starts with
 * its issue: "- [ ] Title" becomes "- [ ] #123 Title". Every other line, and every line
 * ending, stays as it is, so edits made elsewhere in the body survive.
 */
export function linkTaskListItems(body: string, links: ReadonlyMap<string, number>): string {
  const lines = splitLines(body)
  for (const item of scanTaskList(lines)) {
    const issue = links.get(item.id)
    if (issue === undefined || item.checked || item.reference !== undefined) continue
    const line = lines[item.line - 1]!
    line.text = `${line.text.slice(0, item.titleOffset)}#${issue} ${line.text.slice(item.titleOffset)}`
  }
  return lines.map((line) => line.text + line.eol).join('')
}

/**
 * Derives a task id from a title: a slug for people and a short hash of the normalized title
 * for uniqueness. `occurrence` numbers the items with the same normalized title, in body order.
 */
export function deriveTaskId(title: string, occurrence = 1): string {
  const hash = createHash('sha256')
    .update(normalizeTitle(title))
    .digest('hex')
    .slice(0, ID_HASH_LENGTH)
  const base = `${shortSlug(title) || 'task'}-${hash}`
  return occurrence > 1 ? `${base}-${occurrence}` : base
}

/** Cuts the title's slug at the last whole word that fits, unless the first word alone is too long. */
function shortSlug(title: string): string {
  const slug = slugify(title)
  if (slug.length <= MAX_ID_SLUG_LENGTH) return slug
  const cut = slug.slice(0, MAX_ID_SLUG_LENGTH + 1)
  const lastSeparator = cut.lastIndexOf('-')
  return lastSeparator > 0 ? cut.slice(0, lastSeparator) : slug.slice(0, MAX_ID_SLUG_LENGTH)
}

/**
 * Reads the `defaults` of a manifest file, for tasks that come from an issue body. Returns {}
 * when the file does not exist. The whole file is validated, so a broken file is reported
 * instead of being half used.
 */
export function readManifestDefaults(manifestPath: string, root: string): RawDefaults {
  const absolute = path.resolve(root, manifestPath)
  if (!fs.existsSync(absolute) || !fs.statSync(absolute).isFile()) return {}
  const displayPath = path.relative(root, absolute) || manifestPath
  return readSource(fs.readFileSync(absolute, 'utf8'), displayPath, 0, (source) => {
    if (isPromptunePlan(source.data)) return {}
    validateManifest(source)
    return (source.data as { defaults?: RawDefaults }).defaults ?? {}
  })
}

// Lines

interface BodyLine {
  text: string
  /** The line ending as written ('\r\n', '\n', '\r'), or '' for the last line. */
  eol: string
}

function splitLines(body: string): BodyLine[] {
  const parts = body.split(/(\r\n|\n|\r)/)
  const lines: BodyLine[] = []
  for (let i = 0; i < parts.length; i += 2) lines.push({ text: parts[i]!, eol: parts[i + 1] ?? '' })
  return lines
}

/** Counts leading whitespace in columns, a tab reaching the next multiple of 4. */
function indentOf(text: string): number {
  let columns = 0
  for (const character of text) {
    if (character === ' ') columns += 1
    else if (character === '\t') columns += 4 - (columns % 4)
    else break
  }
  return columns
}

/** Removes up to `columns` columns of leading whitespace. */
function dedent(text: string, columns: number): string {
  let removed = 0
  let index = 0
  while (index < text.length && removed < columns) {
    const character = text[index]!
    if (character === ' ') removed += 1
    else if (character === '\t') removed += 4 - (removed % 4)
    else break
    index += 1
  }
  return text.slice(index)
}

function isBlank(text: string): boolean {
  return text.trim() === ''
}

// Fenced code blocks and HTML comments

interface Fence {
  marker: '`' | '~'
  length: number
  /** The first word after the opening fence, such as 'yaml'. */
  language: string
  indent: number
}

function openingFence(text: string): Fence | undefined {
  const match = /^([ \t]*)(`{3,}|~{3,})(.*)$/.exec(text)
  if (!match) return undefined
  const run = match[2]!
  const info = match[3]!.trim()
  // CommonMark: a backtick fence's info string may not contain a backtick.
  if (run[0] === '`' && info.includes('`')) return undefined
  return {
    marker: run[0] as Fence['marker'],
    length: run.length,
    language: (info.split(/\s+/)[0] ?? '').toLowerCase(),
    indent: indentOf(match[1]!)
  }
}

function closesFence(text: string, fence: Fence): boolean {
  const match = /^[ \t]*(`+|~+)[ \t]*$/.exec(text)
  return match !== null && match[1]![0] === fence.marker && match[1]!.length >= fence.length
}

function opensComment(text: string): boolean {
  const start = text.indexOf('<!--')
  return text.trimStart().startsWith('<!--') && !text.includes('-->', start + 4)
}

// Manifest blocks

interface ManifestBlock {
  /** Line of the opening fence. The block's first line is the next one. */
  fenceLine: number
  language: string
  text: string
}

const MANIFEST_LANGUAGES = new Set(['yaml', 'yml', 'json'])

/** A top-level `tasks` or `version` key marks a block as a manifest, not an example. */
const MANIFEST_KEY = /^[ \t]*(?:tasks|version)[ \t]*:|"(?:tasks|version)"[ \t]*:/m

function findManifestBlocks(lines: BodyLine[]): ManifestBlock[] {
  const blocks: ManifestBlock[] = []
  let fence: (Fence & { line: number; content: string[] }) | undefined
  lines.forEach((line, index) => {
    if (fence) {
      if (closesFence(line.text, fence)) {
        addBlock(blocks, fence)
        fence = undefined
      } else {
        fence.content.push(line.text)
      }
      return
    }
    const opened = openingFence(line.text)
    if (opened) fence = { ...opened, line: index + 1, content: [] }
  })
  // CommonMark: a fence that is never closed runs to the end of the document.
  if (fence) addBlock(blocks, fence)
  return blocks
}

function addBlock(
  blocks: ManifestBlock[],
  fence: Fence & { line: number; content: string[] }
): void {
  const text = fence.content.join('\n')
  if (fence.indent > 3 || !MANIFEST_LANGUAGES.has(fence.language) || !MANIFEST_KEY.test(text)) {
    return
  }
  blocks.push({ fenceLine: fence.line, language: fence.language, text })
}

function readManifestBlock(block: ManifestBlock, options: IssueBodyOptions): Task[] {
  try {
    return readSource(block.text, options.file, block.fenceLine, (source) => {
      const tasks = validateManifest(source, options.defaults ?? {})
      rejectInstallCommands(source)
      return tasks
    })
  } catch (error) {
    if (!(error instanceof ManifestError) || !error.position) throw error
    // The position is already the body's line. The line within the block is added because
    // that is the number an editor of the block shows.
    const blockLine = error.position.line - block.fenceLine
    throw new ManifestError(
      `${error.problem} (line ${blockLine} of the ${block.language} block)`,
      error.file,
      error.position,
      error.fix
    )
  }
}

/** Install settings an issue body may use: neither runs a command written in the body. */
const ISSUE_INSTALL_SETTINGS = new Set(['auto', 'none'])

/**
 * Rejects an install command in a manifest block. Anyone who can edit the issue writes its
 * body, and the command would run with the workflow's token, so commands come only from the
 * manifest file in the repository.
 */
function rejectInstallCommands(source: SourceDocument): void {
  const data = source.data as { defaults?: RawDefaults; tasks: RawTask[] }
  const places: Array<{ pointer: string; value: string | undefined }> = [
    { pointer: '/defaults/install', value: data.defaults?.install },
    ...data.tasks.map((task, index) => ({
      pointer: `/tasks/${index}/install`,
      value: task.install
    }))
  ]
  for (const { pointer, value } of places) {
    if (value === undefined || ISSUE_INSTALL_SETTINGS.has(value)) continue
    throw new ManifestError(
      `the install command '${value}' is not allowed in an issue body, because anyone who can edit the issue could change it`,
      source.file,
      source.positionOf(pointer),
      'Use install: auto or none here, or set the command under defaults in the manifest file, .github/parallel-setup.yml by default'
    )
  }
}

// Task lists

interface ScannedItem extends TaskListItem {
  /** Offset of the title in the line's text, for inserting an issue reference. */
  titleOffset: number
}

const LIST_MARKER = /^([ \t]*)([-*+]|\d{1,9}[.)])([ \t]+|$)/
const CHECKBOX = /^\[([ xX])\](?:[ \t]+|$)/
/**
 * A title that starts with an issue reference already names its issue: #123,
 * owner/repo#123, or an issue URL.
 */
const ISSUE_REFERENCE =
  /^(#\d+|[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+#\d+|https?:\/\/\S+\/issues\/\d+)(?=\s|$)/

interface ListMarker {
  indent: number
  /** Column where the item's content starts. Lines indented this far belong to the item. */
  contentIndent: number
  checkbox?: { checked: boolean; titleOffset: number; title: string }
}

function matchListMarker(text: string): ListMarker | undefined {
  const match = LIST_MARKER.exec(text)
  if (!match) return undefined
  const indent = indentOf(match[1]!)
  const spacing = match[3]!
  const contentIndent = indent + match[2]!.length + Math.max(indentOf(spacing), 1)
  const rest = text.slice(match[0].length)
  const box = CHECKBOX.exec(rest)
  if (!box) return { indent, contentIndent }
  const title = rest.slice(box[0].length).trimEnd()
  // "- [ ]" with no title is an empty bullet, not a task.
  if (title === '') return { indent, contentIndent }
  return {
    indent,
    contentIndent,
    checkbox: { checked: box[1] !== ' ', titleOffset: match[0].length + box[0].length, title }
  }
}

interface OpenItem {
  line: number
  title: string
  reference?: string
  checked: boolean
  titleOffset: number
  contentIndent: number
  bodyLines: string[]
}

/**
 * Finds the task-list items that no other task-list item contains. Lines in fenced code
 * blocks and HTML comments are never items. Lines indented under an item are its body, so its
 * sub-items are body text too. Items nested in plain bullets count, so that tasks can be
 * grouped under bullets such as "- Backend".
 */
function scanTaskList(lines: BodyLine[]): ScannedItem[] {
  const found: OpenItem[] = []
  let item: OpenItem | undefined
  // Content columns of the open plain list items, outermost first.
  const lists: number[] = []
  let fence: Fence | undefined
  let inComment = false

  lines.forEach((line, index) => {
    const text = line.text
    if (fence || inComment) {
      item?.bodyLines.push(text)
      if (fence && closesFence(text, fence)) fence = undefined
      if (inComment && text.includes('-->')) inComment = false
      return
    }
    if (isBlank(text)) {
      item?.bodyLines.push('')
      return
    }

    const indent = indentOf(text)
    if (item && indent < item.contentIndent) item = undefined
    while (lists.length > 0 && indent < lists[lists.length - 1]!) lists.pop()
    if (item) {
      item.bodyLines.push(text)
      fence = openingFence(text)
      inComment = opensComment(text)
      return
    }

    fence = openingFence(text)
    inComment = !fence && opensComment(text)
    if (fence || inComment) return
    const marker = matchListMarker(text)
    // Deeper than three columns past the enclosing list is an indented code block.
    const deepest = lists.length > 0 ? lists[lists.length - 1]! + 3 : 3
    if (!marker || marker.indent > deepest) return
    if (!marker.checkbox) {
      lists.push(marker.contentIndent)
      return
    }
    const reference = ISSUE_REFERENCE.exec(marker.checkbox.title)?.[1]
    item = {
      line: index + 1,
      title: reference
        ? marker.checkbox.title.slice(reference.length).trim()
        : marker.checkbox.title.trim(),
      reference,
      checked: marker.checkbox.checked,
      titleOffset: marker.checkbox.titleOffset,
      contentIndent: marker.contentIndent,
      bodyLines: []
    }
    found.push(item)
  })

  const occurrences = new Map<string, number>()
  return found.map((open) => {
    const key = normalizeTitle(open.title)
    const occurrence = (occurrences.get(key) ?? 0) + 1
    occurrences.set(key, occurrence)
    const scanned: ScannedItem = {
      line: open.line,
      id: deriveTaskId(open.title, occurrence),
      title: open.title,
      body: itemBody(open),
      checked: open.checked,
      titleOffset: open.titleOffset
    }
    if (open.reference !== undefined) scanned.reference = open.reference
    return scanned
  })
}

function itemBody(item: OpenItem): string {
  const lines = item.bodyLines.map((text) => dedent(text, item.contentIndent))
  while (lines.length > 0 && isBlank(lines[0]!)) lines.shift()
  while (lines.length > 0 && isBlank(lines[lines.length - 1]!)) lines.pop()
  return lines.join('\n')
}

/** Case, Unicode form and runs of whitespace do not change a title's id. */
function normalizeTitle(title: string): string {
  return title.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim()
}

function publicItem(item: ScannedItem): TaskListItem {
  const result: TaskListItem = {
    line: item.line,
    id: item.id,
    title: item.title,
    body: item.body,
    checked: item.checked
  }
  if (item.reference !== undefined) result.reference = item.reference
  return result
}

/**
 * Validates the open items as manifest tasks, with the defaults applied. The tasks are laid
 * out one per line (task i on line i + 2), so an error's line names the item, and the error
 * is moved to the item's line in the body.
 */
function validateItems(items: ScannedItem[], options: IssueBodyOptions): Task[] {
  const rawTasks: RawTask[] = items.map((item) =>
    item.body === ''
      ? { id: item.id, title: item.title }
      : { id: item.id, title: item.title, body: item.body }
  )
  const text = [
    '{"version": 1, "tasks": [',
    ...rawTasks.map(
      (task, index) => `${JSON.stringify(task)}${index < rawTasks.length - 1 ? ',' : ''}`
    ),
    ']}'
  ].join('\n')
  try {
    return readSource(text, options.file, 0, (source) =>
      validateManifest(source, options.defaults ?? {})
    )
  } catch (error) {
    if (!(error instanceof ManifestError)) throw error
    const item = error.position ? items[error.position.line - 2] : undefined
    if (!item) throw error
    throw new ManifestError(
      error.problem,
      error.file,
      { line: item.line, column: item.titleOffset + 1 },
      error.fix
    )
  }
}
