// Runs bench/run.ts with tsx and passes on its arguments and exit code, so that
// `npm run bench -- --quick` reaches the bench unchanged.
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)))
const tsx = path.join(root, 'node_modules', '.bin', 'tsx')
const result = spawnSync(tsx, [path.join(root, 'bench', 'run.ts'), ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit'
})
if (result.error) {
  console.error(`Could not start tsx (${tsx}): ${result.error.message}. Run npm ci first.`)
  process.exit(1)
}
process.exit(result.status ?? 1)
