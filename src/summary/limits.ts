/**
 * GitHub drops a step's job summary larger than 1 MiB of UTF-8 and reports
 * "$GITHUB_STEP_SUMMARY upload aborted, supports content up to a size of 1024k".
 */
export const MAX_STEP_SUMMARY_BYTES = 1024 * 1024

/** A size limit for rendered Markdown, and how to measure against it. */
export interface SizeLimit {
  /** The largest size allowed, in the unit that `measure` returns. */
  max: number
  measure: (text: string) => number
  /** GitHub's limit in words, for the note on what was cut, such as "1 MiB per job summary". */
  name: string
}

/** The job summary of one step: UTF-8 bytes. */
export const STEP_SUMMARY_LIMIT: SizeLimit = {
  max: MAX_STEP_SUMMARY_BYTES,
  measure: (text) => Buffer.byteLength(text, 'utf8'),
  name: '1 MiB per job summary'
}

/**
 * A limit counted in characters, as GitHub counts issue and comment bodies. UTF-16 code
 * units are counted, which is never fewer than the Unicode characters GitHub counts.
 */
export function characterLimit(max: number, name: string): SizeLimit {
  return { max, measure: (text) => text.length, name }
}
