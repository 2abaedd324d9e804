// Runs the bundled action named by BENCH_ACTION_SCRIPT in this process and, when the process
// exits, appends its own CPU time and peak resident memory (not its children's) as one JSON
// line to BENCH_USAGE_FILE. The bench uses it only where it reports memory.
import fs from 'node:fs'
import { pathToFileURL } from 'node:url'

const script = process.env.BENCH_ACTION_SCRIPT
const usageFile = process.env.BENCH_USAGE_FILE
if (!script || !usageFile) {
  console.error('BENCH_ACTION_SCRIPT and BENCH_USAGE_FILE must name the bundle and the usage file.')
  process.exit(2)
}

process.on('exit', (code) => {
  const usage = process.resourceUsage()
  const line = {
    exitCode: code,
    userSeconds: usage.userCPUTime / 1e6,
    systemSeconds: usage.systemCPUTime / 1e6,
    maxRssKiB: usage.maxRSS
  }
  fs.appendFileSync(usageFile, `${JSON.stringify(line)}\n`)
})

await import(pathToFileURL(script).href)
