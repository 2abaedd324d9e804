import { isDeepStrictEqual } from 'node:util'
import type { JsonValue } from './expressions.js'

export type MatrixLeg = Record<string, JsonValue>

/** GitHub runs at most 256 jobs per matrix and fails the workflow run beyond that. */
export const MAX_MATRIX_LEGS = 256

/**
 * Expands an evaluated `strategy.matrix` into its legs, in the order GitHub documents. The legs
 * start as the cartesian product of the vectors (the keys other than include and exclude),
 * and every combination that an `exclude` entry matches is removed. Then each `include` entry
 * extends the combinations whose original values it agrees with, or becomes a new leg when it
 * agrees with none. A later include may overwrite a value that an earlier one added, but never
 * an original vector value. Source: "Using a matrix for your jobs" in GitHub's Actions docs.
 */
export function expandMatrix(matrix: JsonValue): MatrixLeg[] {
  if (matrix === null || typeof matrix !== 'object' || Array.isArray(matrix)) {
    throw new Error(`The matrix must be a mapping, but it is ${JSON.stringify(matrix)}.`)
  }
  const vectorNames = Object.keys(matrix).filter((key) => key !== 'include' && key !== 'exclude')
  let legs: MatrixLeg[] = vectorNames.length === 0 ? [] : [{}]
  for (const name of vectorNames) {
    const values = matrix[name]
    if (!Array.isArray(values) || values.length === 0) {
      throw new Error(`Matrix vector '${name}' does not contain any values.`)
    }
    legs = legs.flatMap((leg) => values.map((value) => ({ ...leg, [name]: value })))
  }

  for (const entry of entriesOf(matrix, 'exclude')) {
    for (const key of Object.keys(entry)) {
      if (!vectorNames.includes(key)) {
        throw new Error(`Matrix exclude key '${key}' does not match any key within the matrix.`)
      }
    }
    legs = legs.filter((leg) => !Object.keys(entry).every((key) => sameValue(leg[key], entry[key])))
  }

  const added: MatrixLeg[] = []
  for (const entry of entriesOf(matrix, 'include')) {
    const extending = legs.filter((leg) =>
      vectorNames.every((name) => !(name in entry) || sameValue(leg[name], entry[name]))
    )
    for (const leg of extending) {
      for (const [key, value] of Object.entries(entry)) {
        if (!vectorNames.includes(key)) leg[key] = value
      }
    }
    if (extending.length === 0) added.push({ ...entry })
  }
  const all = [...legs, ...added]

  if (all.length === 0) {
    throw new Error('Matrix must define at least one vector: it expanded to no legs.')
  }
  if (all.length > MAX_MATRIX_LEGS) {
    throw new Error(
      `The matrix expanded to ${all.length} legs, more than GitHub's maximum of ${MAX_MATRIX_LEGS}.`
    )
  }
  return all
}

function entriesOf(
  matrix: Record<string, JsonValue>,
  key: 'include' | 'exclude'
): Array<Record<string, JsonValue>> {
  const value = matrix[key]
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) {
    throw new Error(
      `Matrix '${key}' must be a list of mappings, but it is ${JSON.stringify(value)}.`
    )
  }
  return value.map((entry, index) => {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      throw new Error(
        `Matrix '${key}' entry ${index} must be a mapping, but it is ${JSON.stringify(entry)}.`
      )
    }
    return entry
  })
}

/** Compares matrix values as JSON values, with case-sensitive strings. */
function sameValue(left: JsonValue | undefined, right: JsonValue | undefined): boolean {
  return isDeepStrictEqual(left, right)
}
