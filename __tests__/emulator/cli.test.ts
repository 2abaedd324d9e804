import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { describe, expect, test } from '@jest/globals'

describe('emulator CLI', () => {
  test('prints its URL and stops on SIGTERM', async () => {
    const child = spawn(
      'node_modules/.bin/tsx',
      [
        'test/emulator/cli.ts',
        '--port',
        '0',
        '--owner',
        'cli-org',
        '--repo',
        'cli-repo',
        '--token',
        'ghs_cli'
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] }
    )
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const lines = createInterface({ input: child.stdout })
    const [firstLine] = (await once(lines, 'line')) as [string]
    const started = JSON.parse(firstLine) as {
      url: string
      owner: string
      repo: string
      tokens: string[]
    }

    const response = await fetch(`${started.url}/repos/cli-org/cli-repo`, {
      headers: { authorization: 'token ghs_cli' }
    })
    const repository = (await response.json()) as { full_name: string }
    const exited = once(child, 'exit')
    child.kill('SIGTERM')
    const [code] = (await exited) as [number | null]

    expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(started).toMatchObject({ owner: 'cli-org', repo: 'cli-repo', tokens: ['ghs_cli'] })
    expect(response.status).toBe(200)
    expect(repository.full_name).toBe('cli-org/cli-repo')
    expect(code).toBe(0)
    expect(stderr).toContain('GitHub emulator stopping on SIGTERM after 1 requests')
  })
})
