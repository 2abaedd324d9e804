import { getExecOutput } from '@actions/exec'
import * as fs from 'node:fs/promises'
import * as path from 'node:path'

/**
 * Finds `name` on the PATH of `env` (not of this process, so a caller's PATH is honored) and
 * returns its absolute path. On Windows it also tries the extensions listed in PATHEXT.
 */
export async function findExecutable(
  name: string,
  env: Record<string, string | undefined>
): Promise<string | undefined> {
  const pathValue = env.PATH ?? env.Path ?? ''
  const extensions =
    process.platform === 'win32'
      ? ['', ...(env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean)]
      : ['']
  for (const folder of pathValue.split(path.delimiter)) {
    if (folder === '') continue
    for (const extension of extensions) {
      const candidate = path.join(folder, name + extension)
      if (await isExecutableFile(candidate)) return candidate
    }
  }
  return undefined
}

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    const stat = await fs.stat(file)
    if (!stat.isFile()) return false
    if (process.platform === 'win32') return true
    await fs.access(file, fs.constants.X_OK)
    return true
  } catch {
    return false
  }
}

/**
 * Quotes an absolute executable path for the command-line parameter of `@actions/exec`, which
 * splits that parameter at spaces outside double quotes and inside them reads only a backslash
 * before a double quote as an escape.
 */
export function quoteToolPath(executable: string): string {
  return `"${executable.replace(/"/g, '\\"')}"`
}

/**
 * Runs `<executable> --version` in `cwd` and returns the first version number it prints, or
 * undefined when it fails or prints none.
 */
export async function readToolVersion(
  executable: string,
  cwd: string,
  env: Record<string, string>
): Promise<string | undefined> {
  try {
    const output = await getExecOutput(quoteToolPath(executable), ['--version'], {
      cwd,
      env,
      silent: true,
      ignoreReturnCode: true
    })
    if (output.exitCode !== 0) return undefined
    return /\d+\.\d+\.\d+/.exec(output.stdout)?.[0]
  } catch {
    return undefined
  }
}
