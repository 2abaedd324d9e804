import fs from 'node:fs'
import { parse } from 'yaml'
// @ts-expect-error: a plain ES module script without type declarations
import { buildRootAction } from '../../scripts/root-action.mjs'

const ACTION_FILES = ['action.yml', 'plan/action.yml', 'setup/action.yml', 'collect/action.yml']

interface ActionFile {
  inputs?: Record<string, { description?: string; default?: string }>
  outputs?: Record<string, { description?: string }>
  runs: { using: string; main: string }
}

describe('action.yml files', () => {
  it.each(ACTION_FILES)('%s runs on node24 with a built bundle', (file) => {
    const action = parse(fs.readFileSync(file, 'utf8')) as ActionFile
    expect(action.runs.using).toBe('node24')
    const bundle = new URL(action.runs.main, new URL(`../../${file}`, import.meta.url))
    expect(fs.existsSync(bundle)).toBe(true)
  })

  it.each(ACTION_FILES)('%s describes every input and output without expressions', (file) => {
    const action = parse(fs.readFileSync(file, 'utf8')) as ActionFile
    const entries = [
      ...Object.entries(action.inputs ?? {}),
      ...Object.entries(action.outputs ?? {})
    ]
    for (const [name, entry] of entries) {
      expect([name, typeof entry.description]).toEqual([name, 'string'])
      // The runner refuses to load an action whose description contains an expression.
      expect([name, entry.description!.includes('${{')]).toEqual([name, false])
    }
  })

  it('root action.yml matches its generator', () => {
    expect(fs.readFileSync('action.yml', 'utf8')).toBe(buildRootAction())
  })
})
