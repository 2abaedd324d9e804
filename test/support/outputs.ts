import { outputRecordSize } from '../../src/results/output.js'

/**
 * Estimates the size of a step's outputs together, as they were written to GITHUB_OUTPUT,
 * to compare with GitHub's limit for the outputs of one job.
 */
export function jobOutputsSize(outputs: Record<string, string>): number {
  return Object.entries(outputs).reduce(
    (total, [name, value]) => total + outputRecordSize(name, value),
    0
  )
}
