import type { Plan } from '../plan/index.js'
import { escapeMarkdownCell } from './markdown.js'

/** Renders the plan as Markdown for the job summary: counts, waves and one row per task. */
export function renderPlanSummary(plan: Plan): string {
  const { tasks, matrix, waves } = plan
  const lines = [`## Planned ${tasks.length} ${tasks.length === 1 ? 'task' : 'tasks'}`, '']
  lines.push(
    `Manifest \`${plan.manifest.path}\` (${plan.manifest.format}), ${matrix.include.length} matrix ${
      matrix.include.length === 1 ? 'leg' : 'legs'
    }, ${waves.length} ${waves.length === 1 ? 'wave' : 'waves'}.`,
    ''
  )
  if (tasks.length === 0) {
    lines.push('No task was selected, so the fan-out job is skipped (`has-tasks` is `false`).')
    return lines.join('\n') + '\n'
  }
  const legOf = new Map<string, number>()
  for (const entry of matrix.include) {
    for (const id of entry.task.split(',')) legOf.set(id, entry.index)
  }
  const waveOf = new Map<string, number>()
  waves.forEach((ids, wave) => ids.forEach((id) => waveOf.set(id, wave)))

  lines.push('| Task | Title | Leg | Wave | Depends on |', '| --- | --- | --- | --- | --- |')
  for (const task of tasks) {
    const dependsOn = task.dependsOn.map((id) => `\`${id}\``).join(', ') || '-'
    lines.push(
      `| \`${task.id}\` | ${escapeMarkdownCell(task.title)} | ${legOf.get(task.id)} | ${waveOf.get(task.id)} | ${dependsOn} |`
    )
  }
  return lines.join('\n') + '\n'
}
