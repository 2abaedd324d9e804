import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/** Makes a fresh temporary folder for one test; the OS cleans the temp root. */
export function makeTempDir(prefix = 'parallel-setup-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix))
}

/** Writes files given as { 'relative/path': 'content' } under `root`. */
export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [relative, content] of Object.entries(files)) {
    const file = path.join(root, relative)
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, content)
  }
}
