import type { Manifest, Task } from '../../src/manifest/index.js'

/** Builds a task with defaults, for tests that do not care about most fields. */
export function makeTask(id: string, overrides: Partial<Task> = {}): Task {
  return {
    id,
    title: `Task ${id}`,
    body: '',
    labels: [],
    assignees: [],
    branch: 'task/{id}',
    install: 'auto',
    workingDirectory: '.',
    copy: [],
    dependsOn: [],
    ...overrides
  }
}

export function makeManifest(tasks: Task[]): Manifest {
  return { path: '.github/parallel-setup.yml', format: 'native', tasks }
}

/** Ids t0, t1, … t(count-1). */
export function makeTasks(count: number): Task[] {
  return Array.from({ length: count }, (_, i) => makeTask(`t${i}`))
}
