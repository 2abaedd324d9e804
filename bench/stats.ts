/** Median, minimum and maximum of repeated measurements, with the raw values kept. */
export interface Summary {
  runs: number
  median: number
  min: number
  max: number
  values: number[]
}

/** Summarizes measurements. The median of an even count is the mean of the two middle values. */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new Error('Cannot summarize an empty list of measurements.')
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  const median =
    sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
  return {
    runs: values.length,
    median,
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    values: [...values]
  }
}

export function median(values: readonly number[]): number {
  return summarize(values).median
}

/** Rounds to `digits` decimals, for the JSON record. */
export function round(value: number, digits = 3): number {
  const factor = 10 ** digits
  return Math.round(value * factor) / factor
}

/** Rounds every number of a summary, for the JSON record. */
export function roundSummary(summary: Summary, digits = 3): Summary {
  return {
    runs: summary.runs,
    median: round(summary.median, digits),
    min: round(summary.min, digits),
    max: round(summary.max, digits),
    values: summary.values.map((value) => round(value, digits))
  }
}

/** Runs `count` tasks, at most `limit` at a time, and returns their results in task order. */
export async function runPool<T>(
  count: number,
  limit: number,
  task: (index: number) => Promise<T>
): Promise<T[]> {
  const results: T[] = new Array(count)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++
      results[index] = await task(index)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker))
  return results
}
