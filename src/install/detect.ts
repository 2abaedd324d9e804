import * as fs from 'node:fs/promises'
import * as path from 'node:path'

export type PackageManagerName =
  | 'npm'
  | 'pnpm'
  | 'yarn'
  | 'bun'
  | 'uv'
  | 'poetry'
  | 'pip'
  | 'cargo'
  | 'go'
  | 'bundler'
  | 'composer'

/** A package manager found through its lockfile. */
export interface DetectedPackageManager {
  kind: 'detected'
  manager: PackageManagerName
  /** For yarn: 'classic' is yarn 1, 'berry' is yarn 2 and later, which take different flags. */
  variant?: 'classic' | 'berry'
  /** The install command as an argument vector, before corepack or a Python fallback applies. */
  command: string[]
  /** File name of the lockfile inside `directory`. */
  lockfile: string
  /** Absolute folder that contains the lockfile, where the install runs. */
  directory: string
  /**
   * Version from the `packageManager` field of the nearest package.json that has one, when that
   * field names this manager (`pnpm@9.12.0+sha512...` gives '9.12.0').
   */
  pinnedVersion?: string
  /** Lockfiles of other managers in the same folder, which this install does not use. */
  otherLockfiles: string[]
}

/** Lockfiles in several folders below the searched one, so no single install can be chosen. */
export interface AmbiguousDetection {
  kind: 'ambiguous'
  /** Folders relative to the searched one, with the lockfile found in each. */
  candidates: Array<{ directory: string; lockfile: string; manager: PackageManagerName }>
  message: string
}

export type Detection = DetectedPackageManager | AmbiguousDetection

interface LockfileRule {
  file: string
  manager: PackageManagerName
}

// Checked in this order when a folder has several lockfiles. Within JavaScript the more specific
// managers come first, because a package-lock.json next to another lockfile is usually left over
// from someone running `npm install` once. npm-shrinkwrap.json wins over package-lock.json as it
// does in npm itself.
const LOCKFILE_RULES: readonly LockfileRule[] = [
  { file: 'bun.lock', manager: 'bun' },
  { file: 'bun.lockb', manager: 'bun' },
  { file: 'pnpm-lock.yaml', manager: 'pnpm' },
  { file: 'yarn.lock', manager: 'yarn' },
  { file: 'npm-shrinkwrap.json', manager: 'npm' },
  { file: 'package-lock.json', manager: 'npm' },
  { file: 'uv.lock', manager: 'uv' },
  { file: 'poetry.lock', manager: 'poetry' },
  { file: 'requirements.txt', manager: 'pip' },
  { file: 'Cargo.lock', manager: 'cargo' },
  { file: 'go.sum', manager: 'go' },
  { file: 'Gemfile.lock', manager: 'bundler' },
  { file: 'composer.lock', manager: 'composer' }
]

const JS_MANAGERS: ReadonlySet<PackageManagerName> = new Set(['npm', 'pnpm', 'yarn', 'bun'])

/** Maximum depth below the searched folder of the lockfile search, used when the folder has none. */
export const MAX_SEARCH_DEPTH = 3

// Dependency folders contain other projects' lockfiles, not this project's. Dot folders are skipped
// too, because they include .git and the task worktrees (.worktrees) with copies of the repository.
const SKIPPED_FOLDERS: ReadonlySet<string> = new Set(['node_modules', 'vendor'])

export interface DetectOptions {
  /**
   * Top folder up to which package.json files are read for the `packageManager` field, such as
   * the task worktree when `dir` is a folder inside it. `dir` itself when absent.
   */
  packageJsonRoot?: string
}

/**
 * Finds the package manager of the project in `dir` from its lockfile. When `dir` has no
 * lockfile, folders up to MAX_SEARCH_DEPTH levels below are searched: one folder with lockfiles
 * is used, several give an ambiguous result, none gives undefined.
 */
export async function detectPackageManager(
  dir: string,
  options: DetectOptions = {}
): Promise<Detection | undefined> {
  const root = path.resolve(dir)
  const top = path.resolve(options.packageJsonRoot ?? root)
  const rootLockfiles = await lockfilesIn(root)
  if (rootLockfiles.length > 0) return describeFolder(root, top, rootLockfiles)

  const found = await searchSubfolders(root)
  if (found.length === 0) return undefined
  if (found.length === 1) return describeFolder(found[0]!.directory, top, found[0]!.lockfiles)

  const candidates = found.map(({ directory, lockfiles }) => ({
    directory: path.relative(root, directory).split(path.sep).join('/'),
    lockfile: lockfiles[0]!.file,
    manager: lockfiles[0]!.manager
  }))
  const list = candidates.map((c) => `${c.directory} (${c.lockfile})`).join(', ')
  return {
    kind: 'ambiguous',
    candidates,
    message:
      `Found lockfiles in ${candidates.length} folders, so the dependency install cannot pick ` +
      `one: ${list}. Set \`working-directory\` to the folder to install, or set \`install\` to ` +
      `a command.`
  }
}

async function lockfilesIn(dir: string): Promise<LockfileRule[]> {
  const names = new Set(await readFileNames(dir))
  return LOCKFILE_RULES.filter((rule) => names.has(rule.file))
}

/** Searches breadth-first, and does not descend below a folder that has a lockfile. */
async function searchSubfolders(
  root: string
): Promise<Array<{ directory: string; lockfiles: LockfileRule[] }>> {
  const found: Array<{ directory: string; lockfiles: LockfileRule[] }> = []
  let level = await subfolders(root)
  for (let depth = 1; depth <= MAX_SEARCH_DEPTH && level.length > 0; depth++) {
    const next: string[] = []
    for (const folder of level) {
      const lockfiles = await lockfilesIn(folder)
      if (lockfiles.length > 0) {
        found.push({ directory: folder, lockfiles })
      } else if (depth < MAX_SEARCH_DEPTH) {
        next.push(...(await subfolders(folder)))
      }
    }
    level = next
  }
  return found.sort((a, b) => a.directory.localeCompare(b.directory))
}

async function subfolders(dir: string): Promise<string[]> {
  let entries
  try {
    entries = await fs.readdir(dir, { withFileTypes: true })
  } catch {
    return []
  }
  // Symbolic links are not followed, so a link cycle cannot trap the search.
  return entries
    .filter((entry) => entry.isDirectory())
    .filter((entry) => !entry.name.startsWith('.') && !SKIPPED_FOLDERS.has(entry.name))
    .map((entry) => path.join(dir, entry.name))
    .sort()
}

async function describeFolder(
  directory: string,
  root: string,
  lockfiles: LockfileRule[]
): Promise<DetectedPackageManager> {
  const pin = await findPackageManagerField(directory, root)
  let chosen = lockfiles[0]!

  // The packageManager field names the manager the project means to use, so among the
  // JavaScript lockfiles it decides which one counts.
  if (pin && JS_MANAGERS.has(chosen.manager) && isJsManager(pin.name)) {
    const pinned = lockfiles.find((rule) => rule.manager === pin.name)
    chosen = pinned ?? { file: chosen.file, manager: pin.name }
  }

  const pinnedVersion = pin && pin.name === chosen.manager ? pin.version : undefined
  const variant =
    chosen.manager === 'yarn' ? await yarnVariant(directory, root, pinnedVersion) : undefined
  return {
    kind: 'detected',
    manager: chosen.manager,
    ...(variant ? { variant } : {}),
    command: installCommand(chosen.manager, variant),
    lockfile: chosen.file,
    directory,
    ...(pinnedVersion ? { pinnedVersion } : {}),
    otherLockfiles: lockfiles.map((rule) => rule.file).filter((file) => file !== chosen.file)
  }
}

/** Returns the install command of each manager, which leaves the lockfile unchanged. */
function installCommand(manager: PackageManagerName, variant?: 'classic' | 'berry'): string[] {
  switch (manager) {
    case 'npm':
      // cacache, npm's cache, describes itself as good at concurrency and never returning corrupt
      // data, and two concurrent `npm ci` runs sharing one cache succeed in the install tests.
      return ['npm', 'ci']
    case 'pnpm':
      // pnpm's content-addressable store is shared by every project of a user, and two
      // concurrent installs of one lockfile into one store succeed in the install tests.
      return ['pnpm', 'install', '--frozen-lockfile']
    case 'yarn':
      if (variant === 'berry') {
        // NOTE: concurrent Yarn 2+ installs sharing its global cache were not tested here.
        return ['yarn', 'install', '--immutable']
      }
      // Yarn 1 corrupts its shared cache when two installs write to it at once, so `--mutex
      // network` makes concurrent yarn processes on this machine wait for each other (through a
      // lock on a localhost port, 31997 unless set otherwise).
      return ['yarn', 'install', '--frozen-lockfile', '--mutex', 'network']
    case 'bun':
      // NOTE: concurrent installs sharing bun's global cache were not tested here.
      return ['bun', 'install', '--frozen-lockfile']
    case 'uv':
      // uv documents its cache as safe for several uv commands at once (uv README, April 2024).
      return ['uv', 'sync', '--frozen']
    case 'poetry':
      // NOTE: concurrent installs sharing poetry's cache were not tested here.
      return ['poetry', 'install', '--no-interaction']
    case 'pip':
      return ['python', '-m', 'pip', 'install', '-r', 'requirements.txt']
    case 'cargo':
      // cargo locks its package cache and makes other cargo processes wait ("Blocking waiting
      // for file lock on package cache").
      return ['cargo', 'fetch', '--locked']
    case 'go':
      // The Go modules reference states that several go commands may use one module cache at once.
      return ['go', 'mod', 'download']
    case 'bundler':
      return ['bundle', 'install']
    case 'composer':
      return ['composer', 'install', '--no-interaction']
  }
}

/** Yarn 2+ when the pinned major is 2 or more, or the project has a .yarnrc.yml or a v2 lockfile. */
async function yarnVariant(
  directory: string,
  root: string,
  pinnedVersion: string | undefined
): Promise<'classic' | 'berry'> {
  if (pinnedVersion !== undefined) {
    return Number.parseInt(pinnedVersion, 10) >= 2 ? 'berry' : 'classic'
  }
  for (const folder of foldersUpTo(directory, root)) {
    if ((await readFileNames(folder)).includes('.yarnrc.yml')) return 'berry'
  }
  const lockfileStart = await readStart(path.join(directory, 'yarn.lock'), 2048)
  return /^__metadata:/m.test(lockfileStart) ? 'berry' : 'classic'
}

/** The `packageManager` field of package.json: a manager name and an optional version. */
export interface PackageManagerField {
  name: string
  version?: string
  /** The package.json that contains the field. */
  file: string
}

/**
 * Reads the `packageManager` field of the nearest package.json that has one, from `directory`
 * up to `root`. The field has the form `name@version`, optionally followed by `+<hash>`.
 */
export async function findPackageManagerField(
  directory: string,
  root: string
): Promise<PackageManagerField | undefined> {
  for (const folder of foldersUpTo(directory, root)) {
    const file = path.join(folder, 'package.json')
    let data: unknown
    try {
      data = JSON.parse(await fs.readFile(file, 'utf8'))
    } catch {
      continue
    }
    const field = (data as { packageManager?: unknown } | null)?.packageManager
    if (typeof field !== 'string') continue
    const match = /^(@?[^@\s]+)@([^+\s]+)/.exec(field.trim())
    if (match) {
      const version = /^\d+\.\d+\.\d+/.test(match[2]!) ? match[2] : undefined
      return { name: match[1]!, ...(version ? { version } : {}), file }
    }
    return { name: field.trim(), file }
  }
  return undefined
}

function isJsManager(name: string): name is PackageManagerName {
  return JS_MANAGERS.has(name as PackageManagerName)
}

/** Returns `directory` and its parents up to and including `root`, nearest first. */
function foldersUpTo(directory: string, root: string): string[] {
  const folders: string[] = []
  let current = path.resolve(directory)
  const top = path.resolve(root)
  for (;;) {
    folders.push(current)
    if (current === top) break
    const parent = path.dirname(current)
    if (parent === current || !current.startsWith(top + path.sep)) break
    current = parent
  }
  return folders
}

async function readFileNames(dir: string): Promise<string[]> {
  try {
    const entries = await fs.readdir(dir, { withFileTypes: true })
    return entries.filter((entry) => entry.isFile()).map((entry) => entry.name)
  } catch {
    return []
  }
}

async function readStart(file: string, bytes: number): Promise<string> {
  let handle
  try {
    handle = await fs.open(file, 'r')
    const buffer = Buffer.alloc(bytes)
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0)
    return buffer.subarray(0, bytesRead).toString('utf8')
  } catch {
    return ''
  } finally {
    await handle?.close()
  }
}
