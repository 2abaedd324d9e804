/**
 * Runs the GitHub REST API emulator as a process for demos and scripts:
 *
 *   npx tsx test/emulator/cli.ts --port 0 [--owner NAME] [--repo NAME] [--token TOKEN ...]
 *
 * Prints one JSON line on stdout ({"url", "owner", "repo", "tokens"}) once it listens, logs to
 * stderr, and runs until SIGTERM or SIGINT.
 */
import { parseArgs } from 'node:util'
import { GitHubEmulator } from './emulator.js'

const USAGE = `Usage: tsx test/emulator/cli.ts [options]
  --port N            TCP port on 127.0.0.1 (default 0: a free port)
  --owner NAME        repository owner (default octo-org)
  --repo NAME         repository name (default parallel-setup-demo)
  --default-branch B  default branch (default main)
  --token TOKEN       accepted token; repeat for more (default ghs_emulatorDefaultToken)
  --time-scale N      emulated seconds per real second (default 1)
  --seed N            seed for random faults (default 1)
  --no-contract       do not record OpenAPI contract violations`

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      owner: { type: 'string' },
      repo: { type: 'string' },
      'default-branch': { type: 'string' },
      token: { type: 'string', multiple: true },
      'time-scale': { type: 'string', default: '1' },
      seed: { type: 'string', default: '1' },
      'no-contract': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false }
    }
  })
  if (values.help) {
    console.log(USAGE)
    return
  }
  const port = parseNumber(
    '--port',
    values.port,
    (value) => Number.isInteger(value) && value >= 0 && value < 65536
  )
  const timeScale = parseNumber('--time-scale', values['time-scale'], (value) => value > 0)
  const seed = parseNumber('--seed', values.seed, Number.isInteger)

  const emulator = await GitHubEmulator.start({
    port,
    ...(values.owner ? { owner: values.owner } : {}),
    ...(values.repo ? { repo: values.repo } : {}),
    ...(values['default-branch'] ? { defaultBranch: values['default-branch'] } : {}),
    ...(values.token ? { token: values.token } : {}),
    contract: !values['no-contract']
  })
  emulator.faults.timeScale = timeScale
  emulator.faults.seed = seed

  const { owner, repo } = emulator.state
  console.log(JSON.stringify({ url: emulator.url, owner, repo, tokens: emulator.tokens }))
  console.error(
    `GitHub emulator listening on ${emulator.url} for ${owner}/${repo} (pid ${process.pid})`
  )

  const shutdown = (signal: string) => {
    console.error(`GitHub emulator stopping on ${signal} after ${emulator.log.count()} requests`)
    emulator.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('GitHub emulator failed to stop:', error)
        process.exit(1)
      }
    )
  }
  process.once('SIGTERM', () => shutdown('SIGTERM'))
  process.once('SIGINT', () => shutdown('SIGINT'))
}

function parseNumber(option: string, text: string, valid: (value: number) => boolean): number {
  const value = Number(text)
  if (text.trim() === '' || !valid(value)) {
    throw new Error(
      `Invalid ${option} value ${JSON.stringify(text)}; run with --help for the accepted values`
    )
  }
  return value
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(2)
})
