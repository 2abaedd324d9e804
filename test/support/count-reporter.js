/**
 * Ends every jest run with one plain line, "N passed, N failed", so a run that executed no
 * test is visible at a glance and CI can read the counts. Jest prints its own summary after
 * all reporters, so the line is written when the process exits.
 */
export default class CountReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites
    const line =
      `${results.numPassedTests} passed, ${failed} failed` +
      (skipped > 0 ? `, ${skipped} skipped` : '')
    process.once('exit', () => process.stderr.write(`${line}\n`))
  }
}
