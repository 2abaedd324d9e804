// Bundles each action's entry point into dist/<action>/index.js with ncc. dist/ is committed,
// because the Actions runner runs the bundle as it is and installs no dependencies.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import ncc from '@vercel/ncc'

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)))
const actions = readdirSync(path.join(root, 'src', 'entry'))
  .filter((name) => name.endsWith('.ts'))
  .map((name) => name.slice(0, -'.ts'.length))
  .sort()
const requested = process.argv.slice(2)
const selected = requested.length > 0 ? requested : actions

for (const action of selected) {
  const entry = path.join(root, 'src', 'entry', `${action}.ts`)
  if (!existsSync(entry)) {
    console.error(`No entry point for '${action}': ${path.relative(root, entry)} does not exist.`)
    process.exit(1)
  }
  const started = Date.now()
  const { code, assets } = await ncc(entry, {
    target: 'es2023',
    sourceMap: false,
    license: 'licenses.txt',
    quiet: true
  })
  const outputDirectory = path.join(root, 'dist', action)
  rmSync(outputDirectory, { recursive: true, force: true })
  mkdirSync(outputDirectory, { recursive: true })
  writeFileSync(path.join(outputDirectory, 'index.js'), code)
  for (const [name, asset] of Object.entries(assets ?? {})) {
    const assetPath = path.join(outputDirectory, name)
    mkdirSync(path.dirname(assetPath), { recursive: true })
    writeFileSync(assetPath, asset.source)
  }
  const size = (Buffer.byteLength(code) / 1024).toFixed(0)
  console.log(`dist/${action}/index.js: ${size} KiB in ${Date.now() - started} ms`)
}
