import fs from 'node:fs'
import path from 'node:path'
import { DEFAULT_TOKEN, GitHubEmulator } from '../../test/emulator/index.js'
import {
  createBareRemote,
  createGitSandbox,
  type BareRemote,
  type GitSandbox
} from '../../test/git/repos.js'
import {
  describeFailures,
  runWorkflow,
  WorkflowError,
  type LegRun,
  type WorkflowRun
} from '../../test/harness/workflow.js'
import { repositoryRoot } from '../../test/harness/workflow-file.js'
import { loadWebhookExample } from '../../test/harness/webhooks.js'
import { makeTempDir } from '../../test/support/temp.js'

const fanOut = path.join(repositoryRoot, 'test', 'fixtures', 'harness', 'fan-out.yml')

let sandbox: GitSandbox
let remote: BareRemote
let emulator: GitHubEmulator

beforeAll(async () => {
  sandbox = createGitSandbox()
  remote = createBareRemote(sandbox, 'demo', 1)
  emulator = await GitHubEmulator.start({ owner: 'octo-org', repo: 'demo' })
})

afterAll(async () => {
  await emulator.stop()
  sandbox.cleanup()
})

function stepOf(leg: LegRun | undefined, id: string) {
  const step = leg?.steps.find((candidate) => candidate.id === id)
  if (!step) throw new Error(`No step '${id}' in leg '${leg?.name}'.`)
  return step
}

function legsOf(run: WorkflowRun, job: string): LegRun[] {
  return run.jobs[job]!.legs
}

/** Writes a workflow to a temporary file: the harness reads a workflow from any path. */
function writeWorkflow(lines: string[]): string {
  const file = path.join(makeTempDir('harness-workflow-'), 'workflow.yml')
  fs.writeFileSync(file, lines.join('\n'))
  return file
}

describe('runWorkflow', () => {
  it('runs jobs, legs and outputs', async () => {
    const run = await runWorkflow(fanOut, {
      event: 'workflow_dispatch',
      remote: remote.path,
      emulator
    })
    expect(describeFailures(run)).toBe('')
    expect(run.conclusion).toBe('success')
    expect(
      Object.fromEntries(Object.entries(run.jobs).map(([id, job]) => [id, job.result]))
    ).toEqual({
      plan: 'success',
      legs: 'success',
      report: 'success',
      'after-legs': 'success'
    })

    const plan = legsOf(run, 'plan')[0]
    expect(run.jobs.plan!.outputs).toEqual({
      matrix: '{"include":[{"leg":"a","index":0},{"leg":"b","index":1},{"leg":"c","index":2}]}',
      echoed: 'hello from octo-org/demo',
      token: DEFAULT_TOKEN
    })
    const echo = stepOf(plan, 'echo')
    expect(echo.inputs).toEqual({
      text: 'hello from octo-org/demo',
      token: DEFAULT_TOKEN,
      leg: 'leg 0',
      fail: 'false'
    })
    expect(echo.summary).toBe('echo: hello from octo-org/demo\n')
    expect(echo.annotations).toEqual([
      { level: 'notice', properties: { title: 'echo' }, message: 'hello from octo-org/demo' }
    ])
    expect(stepOf(plan, 'after').outputs).toEqual({ seen: 'hello from octo-org/demo in content 1' })
    expect(stepOf(plan, '__actions_checkout').outputs.ref).toBe('main')
  })

  it('runs matrix legs at the same time', async () => {
    const run = await runWorkflow(fanOut, {
      event: 'workflow_dispatch',
      remote: remote.path,
      emulator
    })
    const legs = legsOf(run, 'legs')
    expect(legs.map((leg) => leg.name)).toEqual(['leg a', 'leg b', 'leg c'])
    expect(legs.map((leg) => leg.matrix)).toEqual([
      { leg: 'a', index: 0 },
      { leg: 'b', index: 1 },
      { leg: 'c', index: 2 }
    ])
    expect(legs.map((leg) => stepOf(leg, 'work').outputs)).toEqual(
      ['a', 'b', 'c'].map((leg) => ({ leg, job: 'legs', action: 'work' }))
    )
    // Each leg sleeps a second, so they overlap only when they run as concurrent processes.
    const lastStart = Math.max(...legs.map((leg) => leg.startedAt))
    const firstFinish = Math.min(...legs.map((leg) => leg.finishedAt))
    expect(lastStart).toBeLessThan(firstFinish)
    expect(new Set(legs.map((leg) => leg.workspace)).size).toBe(3)
    expect(new Set(legs.map((leg) => leg.runnerTemp)).size).toBe(3)
    expect(legs.map((leg) => stepOf(leg, 'cleanup').outcome)).toEqual([
      'skipped',
      'skipped',
      'skipped'
    ])

    const lastLeg = [...legs].sort((a, b) => b.finishedAt - a.finishedAt)[0]!
    expect(run.jobs.legs!.outputs).toEqual({ last: lastLeg.matrix!.leg })
  })

  it('gives steps the runner environment', async () => {
    const run = await runWorkflow(fanOut, {
      event: 'workflow_dispatch',
      remote: remote.path,
      emulator
    })
    const leg = legsOf(run, 'after-legs')[0]!
    expect(stepOf(leg, 'done').outputs).toEqual({
      api: emulator.url,
      server: emulator.url,
      repository: 'octo-org/demo',
      event: 'workflow_dispatch',
      os: 'Linux',
      ci: 'true'
    })
    const event = JSON.parse(fs.readFileSync(path.join(leg.runnerTemp, 'event-copy.json'), 'utf8'))
    expect(event).toEqual(run.payload)
    expect(event.inputs).toEqual({ 'fail-leg': '', loud: 'false', 'fail-fast': 'false' })
    expect(event.repository.full_name).toBe('octo-org/demo')
    expect(event.ref).toBe('refs/heads/main')
    expect(stepOf(legsOf(run, 'report')[0], 'report').outputs).toEqual({
      legs: 'success',
      mode: 'quiet'
    })
  })

  it('handles a failing leg', async () => {
    const run = await runWorkflow(fanOut, {
      event: 'workflow_dispatch',
      inputs: { 'fail-leg': 'b', loud: true },
      remote: remote.path,
      emulator
    })
    expect(run.conclusion).toBe('failure')
    expect(run.jobs.legs!.result).toBe('failure')
    const legs = legsOf(run, 'legs')
    expect(legs.map((leg) => leg.result)).toEqual(['success', 'failure', 'success'])
    const work = stepOf(legs[1], 'work')
    expect(work.outcome).toBe('failure')
    expect(work.exitCode).toBe(3)
    expect(work.stderr).toBe('leg b fails on request\n')
    expect(stepOf(legs[1], 'cleanup').outputs).toEqual({ cleaned: 'b' })
    expect(stepOf(legs[0], 'cleanup').outcome).toBe('skipped')

    expect(run.jobs.report!.result).toBe('success')
    expect(stepOf(legsOf(run, 'report')[0], 'report').outputs).toEqual({
      legs: 'failure',
      mode: 'loud'
    })
    expect(run.jobs['after-legs']!.result).toBe('skipped')
    expect(run.jobs['after-legs']!.legs).toEqual([])
    expect(describeFailures(run)).toBe(
      [
        'job legs: failure',
        "  leg 1 'leg b': failure",
        '    step work (run): failure, exit code 3',
        '      stderr:',
        '        leg b fails on request'
      ].join('\n')
    )
  })

  it('cancels legs when fail-fast', async () => {
    const run = await runWorkflow(fanOut, {
      event: 'workflow_dispatch',
      inputs: { 'fail-leg': 'a', 'fail-fast': true },
      remote: remote.path,
      emulator
    })
    const legs = legsOf(run, 'legs')
    expect(legs.map((leg) => leg.result)).toEqual(['failure', 'cancelled', 'cancelled'])
    expect(run.jobs.legs!.result).toBe('failure')
    expect(stepOf(legs[0], 'work').outcome).toBe('failure')
    for (const leg of legs.slice(1)) {
      expect(leg.steps.map((step) => step.outcome)).toEqual(['success', 'cancelled', 'skipped'])
      // The work step was ended before its one-second sleep was over.
      expect(stepOf(leg, 'work').durationMs).toBeLessThan(1000)
    }
  })

  it('rejects an undeclared input', async () => {
    await expect(
      runWorkflow(fanOut, {
        event: 'workflow_dispatch',
        inputs: { failleg: 'b' },
        remote: remote.path,
        emulator
      })
    ).rejects.toThrow(
      `Unexpected workflow_dispatch input 'failleg'. ${fanOut} declares: fail-leg, loud, fail-fast.`
    )
  })

  it('rejects a boolean input that is not one', async () => {
    await expect(
      runWorkflow(fanOut, {
        event: 'workflow_dispatch',
        inputs: { loud: 'yes' },
        remote: remote.path,
        emulator
      })
    ).rejects.toThrow("Invalid workflow_dispatch input 'loud': 'yes' is not true or false.")
  })

  it('rejects an event without trigger', async () => {
    await expect(
      runWorkflow(fanOut, { event: 'issues', remote: remote.path, emulator })
    ).rejects.toThrow(`${fanOut} has no 'on: issues' trigger. It runs on: workflow_dispatch.`)
  })

  it('fails a run with wrong names', async () => {
    const file = path.join(repositoryRoot, 'test', 'fixtures', 'harness', 'wrong-names.yml')
    const error = await runWorkflow(file, {
      event: 'workflow_dispatch',
      remote: remote.path,
      emulator
    }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(WorkflowError)
    expect((error as WorkflowError).problems).toHaveLength(5)
    expect((error as WorkflowError).message.split('\n')[0]).toBe(`${file} is invalid:`)
  })

  it('names matrix legs like GitHub', async () => {
    const file = writeWorkflow([
      'on: workflow_dispatch',
      'jobs:',
      '  build:',
      '    runs-on: ubuntu-latest',
      '    strategy:',
      "      matrix: { node: [18], os: [linux, ''] }",
      '    steps:',
      '      - run: "true"',
      '  check:',
      '    name: Check',
      '    runs-on: ubuntu-latest',
      '    strategy:',
      '      matrix:',
      '        include: [{ shard: 1, flags: { fast: true } }]',
      '    steps:',
      '      - run: "true"'
    ])
    const run = await runWorkflow(file, {
      event: 'workflow_dispatch',
      remote: remote.path,
      emulator
    })
    expect(legsOf(run, 'build').map((leg) => leg.name)).toEqual(['build (18, linux)', 'build (18)'])
    expect(legsOf(run, 'check').map((leg) => leg.name)).toEqual(['Check (1, {"fast":true})'])
  })

  it('passes issue text through env', async () => {
    const file = writeWorkflow([
      'on:',
      '  issues:',
      '    types: [labeled]',
      'jobs:',
      '  read:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - id: issue',
      '        env:',
      '          BODY: ${{ github.event.issue.body }}',
      '          NUMBER: ${{ github.event.issue.number }}',
      '        run: |',
      '          printf \'body=%s\\n\' "$BODY" >> "$GITHUB_OUTPUT"',
      '          echo "number=$NUMBER" >> "$GITHUB_OUTPUT"'
    ])
    const body = '$(echo injected) `echo injected` ${HOME}'
    const run = await runWorkflow(file, {
      event: 'issues',
      eventPayload: loadWebhookExample('issues', 'labeled', { issue: { number: 7, body } }),
      remote: remote.path,
      emulator
    })
    expect(describeFailures(run)).toBe('')
    expect(stepOf(legsOf(run, 'read')[0], 'issue').outputs).toEqual({ body, number: '7' })
    expect(run.payload.repository).toMatchObject({ full_name: 'octo-org/demo' })
  })

  it('rejects an event type not listed', async () => {
    const file = writeWorkflow([
      'on:',
      '  issues:',
      '    types: [labeled]',
      'jobs:',
      '  read:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: "true"'
    ])
    await expect(
      runWorkflow(file, {
        event: 'issues',
        eventPayload: loadWebhookExample('issues', 'opened'),
        remote: remote.path,
        emulator
      })
    ).rejects.toThrow(
      `${file} runs on issues only for types labeled, but the payload's action is 'opened'.`
    )
  })
})
