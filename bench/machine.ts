import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import { NODE24 } from '../test/harness/run-action.js'

/** The machine a benchmark ran on, as the report prints it. */
export interface MachineInfo {
  cpuModel: string
  /** Output of `nproc`: the CPUs this process may use. */
  cpus: number
  /** MemTotal from /proc/meminfo, in GiB. */
  memoryGiB: number
  /** MemAvailable at the start of the run, in GiB. */
  memoryAvailableGiB: number
  os: string
  /** The Node.js that runs the bench and the emulator. */
  benchNode: string
  /** The Node.js that runs the bundled actions: the `node24` dev dependency. */
  actionNode: string
  git: string
  /** Whether /usr/bin/time exists, which measures the peak memory of child processes. */
  gnuTime: boolean
}

export function readMachineInfo(): MachineInfo {
  const cpuinfo = readText('/proc/cpuinfo')
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? ''
  return {
    cpuModel: model || 'unknown',
    cpus: Number(run('nproc', []) || os.availableParallelism()),
    memoryGiB: readMemInfoKiB('MemTotal') / 1024 / 1024,
    memoryAvailableGiB: readMemInfoKiB('MemAvailable') / 1024 / 1024,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    benchNode: process.version,
    actionNode: run(NODE24, ['--version']),
    git: run('git', ['--version']).replace(/^git version /, ''),
    gnuTime: fs.existsSync('/usr/bin/time')
  }
}

/** Reads one field of /proc/meminfo in KiB, or 0 where /proc is missing. */
export function readMemInfoKiB(field: 'MemTotal' | 'MemAvailable'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readText('/proc/meminfo'))
  return match ? Number(match[1]) : 0
}

/**
 * Returns the CPU time, in seconds, of every child process this process has waited for,
 * their own waited-for children included (cutime + cstime of /proc/self/stat). Returns
 * undefined where /proc is missing.
 */
export function childCpuSeconds(): number | undefined {
  const stat = readText('/proc/self/stat')
  if (!stat) return undefined
  // Fields after the command name, which is in brackets and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const ticks = Number(fields[13]) + Number(fields[14])
  return ticks / clockTicksPerSecond()
}

/** Busy CPU seconds of the whole machine since boot, from the first line of /proc/stat. */
export function machineBusyCpuSeconds(): number | undefined {
  const line = readText('/proc/stat').split('\n')[0] ?? ''
  if (!line.startsWith('cpu ')) return undefined
  // user nice system idle iowait irq softirq steal: everything but idle, iowait and steal.
  const [user, nice, system, , , irq, softirq] = line.trim().split(/\s+/).slice(1).map(Number)
  const busy = user! + nice! + system! + irq! + softirq!
  return busy / clockTicksPerSecond()
}

let ticksPerSecond: number | undefined

function clockTicksPerSecond(): number {
  ticksPerSecond ??= Number(run('getconf', ['CLK_TCK'])) || 100
  return ticksPerSecond
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8')
  } catch {
    return ''
  }
}

function run(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .trim()
      .split('\n')[0]!
  } catch {
    return ''
  }
}
