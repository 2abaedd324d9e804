/** The file name of a result inside its commit. */
export const RESULT_FILE_NAME = 'result.json'

/**
 * Names the ref that carries one task's result: one ref per manifest, run and task, so 256
 * legs never write the same ref, overlapping runs keep their own results, and a re-run
 * attempt replaces its own task's ref.
 */
export function resultRef(manifest: string, runId: string, task: string): string {
  return `${resultRefPrefix(manifest, runId)}/${task}`
}

/** The folder of one run's result refs for one manifest; collect fetches `<prefix>/*`. */
export function resultRefPrefix(manifest: string, runId: string): string {
  return `refs/parallel-setup/results/${manifestKey(manifest)}/${manifestKey(runId)}`
}

/** Names the claim ref that lets exactly one leg open a task's issue. */
export function claimRef(manifest: string, task: string): string {
  return `refs/parallel-setup/claims/${manifestKey(manifest)}/${task}`
}

/** Turns a manifest path into one ref component: `.github/parallel-setup.yml` becomes `github-parallel-setup-yml`. */
export function manifestKey(manifest: string): string {
  const key = manifest
    .replace(/\\/g, '/')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
  return key || 'manifest'
}
