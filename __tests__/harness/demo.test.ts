/**
 * Runs the same path as `npm run demo`: the example workflow on examples/demo-project, with
 * a real `npm ci` from the npm registry in every worktree.
 */
import fs from 'node:fs'
import path from 'node:path'
import { runDemo } from '../../scripts/demo.js'
import { makeTempDir } from '../../test/support/temp.js'

describe('npm run demo', () => {
  it('sets up every task with a real install', async () => {
    const lines: string[] = []
    const demo = await runDemo(path.join(makeTempDir('demo-'), 'out'), (line) => lines.push(line))
    expect(demo.run.conclusion).toBe('success')
    expect(demo.collect['all-ready']).toBe('true')

    const results = JSON.parse(demo.collect.results!) as Array<{
      task: string
      status: string
      installStatus: string
      installCommand: string
      worktree: string
    }>
    expect(
      results.map((result) => [
        result.task,
        result.status,
        result.installStatus,
        result.installCommand
      ])
    ).toEqual([
      ['sessions-table', 'ready', 'success', 'npm ci'],
      ['session-api', 'ready', 'success', 'npm ci'],
      ['login-form', 'ready', 'success', 'npm ci'],
      ['docs', 'ready', 'success', 'npm ci']
    ])
    for (const result of results) {
      expect(
        fs.existsSync(path.join(result.worktree, 'node_modules', 'is-number', 'package.json'))
      ).toBe(true)
    }

    const issues = JSON.parse(fs.readFileSync(demo.issuesFile, 'utf8')) as Array<{ title: string }>
    expect(issues.map((issue) => issue.title).sort()).toEqual([
      'Add the sessions table',
      'Document the login flow',
      'Login form',
      'Session API: login and logout endpoints'
    ])
    expect(fs.readFileSync(demo.summaryFile, 'utf8')).toContain(
      '## Parallel setup: 4 ready, 0 failed, 0 missing'
    )
    expect(lines.join('\n')).toContain('Job summary:')
  })
})
