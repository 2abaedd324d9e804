import fs from 'node:fs'
import path from 'node:path'
import type { BenchRecord } from '../../bench/record.js'
import { runBench } from '../../bench/run.js'
import { makeTempDir } from '../../test/support/temp.js'

// Runs every section of the bench on tiny inputs (1 and 2 tasks, one repetition each) and
// checks the record's shape and that every setup step succeeded. It asserts no timings.
describe('bench in smoke mode', () => {
  let outDir: string
  let record: BenchRecord

  beforeAll(async () => {
    outDir = makeTempDir('bench-smoke-')
    record = await runBench({ mode: 'smoke', outDir, log: () => undefined })
  }, 300_000)

  afterAll(() => {
    fs.rmSync(outDir, { recursive: true, force: true })
  })

  it('completes every section', () => {
    expect(record.errors).toEqual([])
    expect(record.format).toBe(1)
    expect(record.mode).toBe('smoke')
    expect(record.machine.cpus).toBeGreaterThan(0)
    expect(record.durationS).toBeGreaterThan(0)
    expect(Object.keys(record.bundles)).toEqual(['plan', 'setup', 'collect'])
    expect(Object.keys(record.sectionDurationsS)).toEqual([
      'costs',
      'comparison',
      'limits',
      'install',
      'cli'
    ])
  })

  it('writes the record, the report and the chart', () => {
    const json = JSON.parse(fs.readFileSync(path.join(outDir, 'benchmarks.json'), 'utf8'))
    expect(json).toEqual(record)
    const report = fs.readFileSync(path.join(outDir, 'benchmarks.md'), 'utf8')
    for (const heading of [
      '## Machine',
      '## 1. Sequential and parallel setup',
      '## 2. Scaling of the parallel setup phase',
      "## 3. With GitHub's secondary rate limits",
      '## 4. Cost of the action itself',
      '## 5. Dependency install',
      '## 6. The local CLI: every task at once against each task alone'
    ]) {
      expect(report).toContain(heading)
    }
    expect(fs.readFileSync(path.join(outDir, 'benchmarks.svg'), 'utf8')).toMatch(/^<svg /)
  })

  it('compares both strategies for each task count', () => {
    const comparison = record.comparison!
    expect(comparison.rows.map((row) => row.tasks)).toEqual([1, 2])
    for (const row of comparison.rows) {
      expect(row.failures).toBe(0)
      expect(row.sequential?.runs).toBe(1)
      expect(row.sequentialEstimateS).toBeNull()
      expect(row.parallel.runs).toBe(1)
      expect(row.parallel.values).toHaveLength(1)
      expect(Number.isFinite(row.speedup)).toBe(true)
      expect(row.isolatedLegRequests).toHaveLength(1)
      expect(row.perLeg?.concurrency).toBe(record.machine.cpus)
      expect(row.perLeg?.slowestLeg.runs).toBe(1)
      expect(row.perLeg?.failures).toBe(0)
      expect(row.perLeg?.legP90S).toBeLessThanOrEqual(row.perLeg!.slowestLeg.max)
    }
    expect(comparison.scaling.rows.map((row) => row.perLegRatio)).toEqual([
      expect.any(Number),
      expect.any(Number)
    ])
    expect(comparison.sequentialPerTask.runs).toBe(2)
    expect(comparison.scaling.rows).toHaveLength(2)
    expect(comparison.listMode?.tasks).toBe(2)
    expect(comparison.listMode?.failures).toBe(0)
    expect(comparison.listMode?.issuePhaseMs).toHaveLength(2)
    expect(comparison.listMode?.throttlingVersion).toMatch(/^\d+\./)
  })

  it('runs the limit run to the end', () => {
    const limits = record.limits!
    expect(limits.legs).toBe(8)
    expect(limits.issues).toBe(8)
    expect(limits.failures).toBe(0)
    expect(limits.aborted).toBe(false)
    expect(limits.lowerBound).toEqual({ windowMin: 3, rateMin: 4, pacingMin: 3 })
    expect(limits.lastCreateMin).not.toBeNull()
  })

  it('measures the cost of each bundle', () => {
    const costs = record.costs!
    expect(costs.coldStarts.map((row) => row.name)).toEqual([
      'node -e 0',
      'dist/plan',
      'dist/setup',
      'dist/collect'
    ])
    for (const row of costs.coldStarts.slice(1)) {
      expect(row.bytes).toBeGreaterThan(0)
      expect(row.wallMs.runs).toBe(1)
    }
    expect(costs.happyPath.requestsPerLeg).toHaveLength(1)
    expect(costs.happyPath.collect.exitCode).toBe(0)
    expect(costs.plan.map((row) => row.tasks)).toEqual([20])
    expect(costs.plan[0]!.matrixLegs).toBe(20)
  })

  it('runs the CLI with every task and each alone', () => {
    const cli = record.cli!
    expect(cli.tasks).toBe(2)
    expect(cli.variants.map((variant) => `${variant.variant} ${variant.install}`)).toEqual([
      'issues npm',
      'no-issues wait'
    ])
    const variant = cli.variants[0]!
    expect(variant.failures).toBe(0)
    expect(variant.failureOutput).toEqual([])
    expect(variant.all.runs).toBe(1)
    expect(variant.single.runs).toBe(2)
    expect(variant.phases.map((phase) => phase.phase)).toEqual([
      'issue',
      'worktree',
      'push',
      'install'
    ])
    expect(variant.ratioToSlowestSingle).toBeGreaterThan(0)
    expect(variant.command).toContain('--concurrency 2')
    expect(variant.installSetting).toBe('auto')
  })

  it('runs the CLI with a waiting install', () => {
    const variant = record.cli!.variants[1]!
    expect(variant.installSetting).toBe('sleep 0.200')
    expect(variant.failures).toBe(0)
    expect(variant.all.runs).toBe(1)
    expect(variant.single.runs).toBe(1)
    const install = variant.phases.find((phase) => phase.phase === 'install')!
    // sleep waits at least its time, so the phase cannot be shorter.
    expect(install.singleMedianMs).toBeGreaterThanOrEqual(200)
    expect(install.allMedianMs).toBeGreaterThanOrEqual(200)
  })

  it('times a cold and a shared-cache install', () => {
    const install = record.install!
    expect(install.rows.map((row) => row.manager)).toEqual(['npm'])
    expect(install.rows[0]!.error).toBeNull()
    expect(install.rows[0]!.command).toBe('npm ci')
    expect(install.rows[0]!.cold?.runs).toBe(1)
    expect(install.rows[0]!.warm?.runs).toBe(1)
  })
})
