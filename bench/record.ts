import type { CliBenchRecord } from './cli.js'
import type { ComparisonRecord } from './comparison.js'
import type { BenchMode } from './config.js'
import type { CostRecord } from './costs.js'
import type { InstallRecord } from './install.js'
import type { LimitRecord } from './limits.js'
import type { MachineInfo } from './machine.js'

/** Version of the JSON record's layout; raise it when a field changes meaning. */
export const RECORD_FORMAT = 1

/** Everything one bench run measured: docs/benchmarks.json. Times are in the unit each name states. */
export interface BenchRecord {
  format: typeof RECORD_FORMAT
  mode: BenchMode
  /** The command that produced the record. */
  command: string
  startedAt: string
  durationS: number
  /** Wall time of each section that ran, in seconds. */
  sectionDurationsS: Partial<Record<string, number>>
  machine: MachineInfo
  /** The first 12 hex digits of each bundle's SHA-256, as copied from dist/ at the start. */
  bundles: Record<string, string>
  /**
   * Other work on the machine, which slows every figure. `atStart` is the 1-minute load
   * average before the bench started anything. `otherCpuSeconds` is the machine's busy CPU
   * time during the run minus the bench's and its children's, and `otherCpuPercent` is its
   * share of wall time × CPUs. Both are null where /proc is missing.
   */
  load: { atStart: number; otherCpuSeconds: number | null; otherCpuPercent: number | null }
  /** Null when the section did not run or failed; `errors` then gives the reason. */
  comparison: ComparisonRecord | null
  limits: LimitRecord | null
  costs: CostRecord | null
  install: InstallRecord | null
  cli: CliBenchRecord | null
  /** One message per section that threw, with the section's name. */
  errors: string[]
}
