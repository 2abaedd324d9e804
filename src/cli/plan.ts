import fs from 'node:fs'
import path from 'node:path'
import { DEFAULT_MANIFEST_PATH, loadManifest } from '../manifest/index.js'
import { MAX_MATRIX_JOBS, parseOnly, planTasks, type Plan } from '../plan/index.js'
import { missingManifestError } from './repository.js'

export interface PlanCommandOptions {
  manifest?: string
  only?: string
  maxJobs?: string
  json?: boolean
  cwd: string
}

/** Runs `parallel-setup plan`: the same planner as the plan action, printed for a terminal. */
export function planCommand(options: PlanCommandOptions): string {
  const maxJobs = options.maxJobs === undefined ? MAX_MATRIX_JOBS : Number(options.maxJobs)
  const manifestPath = options.manifest ?? DEFAULT_MANIFEST_PATH
  if (!fs.existsSync(path.resolve(options.cwd, manifestPath))) {
    throw missingManifestError(manifestPath, 'plan')
  }
  const manifest = loadManifest(manifestPath, options.cwd)
  const plan = planTasks(manifest, { only: parseOnly(options.only ?? ''), maxJobs })
  if (options.json) {
    return JSON.stringify(
      {
        manifest: plan.manifest.path,
        format: plan.manifest.format,
        tasks: plan.tasks,
        waves: plan.waves,
        matrix: plan.matrix
      },
      null,
      2
    )
  }
  return renderPlanText(plan)
}

function renderPlanText(plan: Plan): string {
  const count = plan.tasks.length === 1 ? '1 task' : `${plan.tasks.length} tasks`
  const lines = [`${count} from ${plan.manifest.path} (${plan.manifest.format})`, '']
  if (plan.tasks.length === 0) {
    lines.push(
      "Nothing to set up. The plan action's has-tasks output is false for this plan, so guard " +
        "the matrix job with `if: needs.plan.outputs.has-tasks == 'true'`: GitHub rejects an " +
        'empty matrix.'
    )
  }
  plan.waves.forEach((ids, wave) => {
    lines.push(`Wave ${wave}:`)
    for (const id of ids) {
      const task = plan.tasks.find((candidate) => candidate.id === id)!
      lines.push(`  ${id.padEnd(24)} ${task.title}`)
    }
  })
  lines.push('', 'Matrix:', JSON.stringify(plan.matrix))
  return lines.join('\n')
}
