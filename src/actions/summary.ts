import * as core from '@actions/core'

/**
 * Appends Markdown to the job summary. Outside a runner (no GITHUB_STEP_SUMMARY), the
 * summary goes to the log instead, so local runs still show it.
 */
export async function writeJobSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    core.info(markdown)
    return
  }
  await core.summary.addRaw(markdown).write()
}
