import * as core from '@actions/core'

/**
 * Input readers shared by the three actions. Each rejects an invalid value with the
 * input's name, the value and what is expected.
 */

export function readString(name: string, fallback = ''): string {
  return core.getInput(name).trim() || fallback
}

export function readBoolean(name: string, fallback: boolean): boolean {
  const value = core.getInput(name).trim()
  if (value === '') return fallback
  if (/^(true|yes|1)$/i.test(value)) return true
  if (/^(false|no|0)$/i.test(value)) return false
  throw new Error(`Invalid input '${name}': '${value}'. Expected true or false.`)
}

export function readInteger(name: string, fallback: number, min: number, max: number): number {
  const value = core.getInput(name).trim()
  if (value === '') return fallback
  const number = Number(value)
  if (!/^-?\d+$/.test(value) || number < min || number > max) {
    throw new Error(
      `Invalid input '${name}': '${value}'. Expected a whole number from ${min} to ${max}.`
    )
  }
  return number
}

export function readChoice<T extends string>(name: string, choices: readonly T[], fallback: T): T {
  const value = core.getInput(name).trim()
  if (value === '') return fallback
  if (!(choices as readonly string[]).includes(value)) {
    throw new Error(`Invalid input '${name}': '${value}'. Expected one of: ${choices.join(', ')}.`)
  }
  return value as T
}
