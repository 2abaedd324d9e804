import * as core from '@actions/core'
import { ManifestError } from '../manifest/index.js'

/**
 * Fails the step with one message. A manifest error becomes a single annotation on the
 * manifest's line; anything else is reported once by `setFailed`. Non-Error throws are
 * reported too, so the step can never pass by accident.
 */
export function failStep(error: unknown): void {
  if (error instanceof ManifestError) {
    core.error(error.message, {
      title: 'Invalid task manifest',
      file: error.file,
      startLine: error.position?.line,
      startColumn: error.position?.column
    })
    process.exitCode = core.ExitCode.Failure
    return
  }
  core.setFailed(error instanceof Error ? error.message : `Unexpected failure: ${String(error)}`)
}
