import * as core from '@actions/core'
import { DEFAULT_MANIFEST_PATH, loadManifest } from '../manifest/index.js'
import { MAX_MATRIX_JOBS, parseOnly, planTasks, type Plan } from '../plan/index.js'
import { renderPlanSummary } from '../summary/plan.js'
import { failStep } from './failure.js'
import { writeJobSummary } from './summary.js'
import { readInteger, readString } from './inputs.js'

/** The plan action's settings, read from its inputs. */
export interface PlanSettings {
  /** Manifest path relative to the workspace. */
  manifest: string
  /** Ids or globs to keep; empty keeps every task. */
  only: string[]
  /** The most matrix legs to emit, from 1 to 256. */
  maxJobs: number
  /** The checkout the manifest path is relative to. */
  workspace: string
}

export function readPlanSettings(): PlanSettings {
  return {
    manifest: readString('manifest', DEFAULT_MANIFEST_PATH),
    only: parseOnly(core.getInput('only')),
    maxJobs: readInteger('max-jobs', MAX_MATRIX_JOBS, 1, MAX_MATRIX_JOBS),
    workspace: process.env.GITHUB_WORKSPACE || process.cwd()
  }
}

/** Reads the manifest and builds the plan. */
export function createPlan(settings: PlanSettings): Plan {
  const manifest = loadManifest(settings.manifest, settings.workspace)
  return planTasks(manifest, { only: settings.only, maxJobs: settings.maxJobs })
}

export function setPlanOutputs(plan: Plan): void {
  core.setOutput('matrix', JSON.stringify(plan.matrix))
  core.setOutput('count', String(plan.tasks.length))
  core.setOutput('task-ids', JSON.stringify(plan.tasks.map((task) => task.id)))
  core.setOutput('has-tasks', plan.tasks.length > 0 ? 'true' : 'false')
  core.setOutput('waves', JSON.stringify(plan.waves))
}

/** Entry point of the plan action: read settings, plan, report. */
export async function run(): Promise<void> {
  try {
    const plan = createPlan(readPlanSettings())
    setPlanOutputs(plan)
    core.info(
      `Planned ${plan.tasks.length} tasks from ${plan.manifest.path} in ${plan.matrix.include.length} matrix legs.`
    )
    await writeJobSummary(renderPlanSummary(plan))
  } catch (error) {
    failStep(error)
  }
}
