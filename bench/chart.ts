/** Draws the comparison as an SVG line chart: task count (log scale) against wall seconds. */

export interface ChartSeries {
  label: string
  color: string
  dashed?: boolean
  /** Points in task order; `hollow` marks an estimate. */
  points: Array<{ tasks: number; seconds: number; hollow?: boolean }>
}

const WIDTH = 720
const HEIGHT = 420
const MARGIN = { left: 70, right: 24, top: 48, bottom: 56 }

export function renderChart(title: string, series: ChartSeries[]): string {
  const points = series.flatMap((line) => line.points)
  const tasks = [...new Set(points.map((point) => point.tasks))].sort((a, b) => a - b)
  const maxTasks = Math.max(2, ...tasks)
  const maxSeconds = niceCeiling(Math.max(1, ...points.map((point) => point.seconds)))
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom
  const x = (n: number): number => MARGIN.left + (Math.log2(n) / Math.log2(maxTasks)) * plotWidth
  const y = (s: number): number => MARGIN.top + plotHeight - (s / maxSeconds) * plotHeight

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="24" text-anchor="middle" font-size="15">${escape(title)}</text>`
  ]

  for (let i = 0; i <= 5; i++) {
    const seconds = (maxSeconds * i) / 5
    const yPos = y(seconds)
    parts.push(
      `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${yPos}" y2="${yPos}" stroke="#e5e5e5"/>`,
      `<text x="${MARGIN.left - 8}" y="${yPos + 4}" text-anchor="end">${formatTick(seconds)}</text>`
    )
  }
  for (const n of tasks) {
    parts.push(
      `<line x1="${x(n)}" x2="${x(n)}" y1="${MARGIN.top}" y2="${MARGIN.top + plotHeight}" stroke="#f0f0f0"/>`,
      `<text x="${x(n)}" y="${MARGIN.top + plotHeight + 18}" text-anchor="middle">${n}</text>`
    )
  }
  parts.push(
    `<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${MARGIN.top + plotHeight}" stroke="#333"/>`,
    `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${MARGIN.top + plotHeight}" y2="${MARGIN.top + plotHeight}" stroke="#333"/>`,
    `<text x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 14}" text-anchor="middle">tasks N (log scale)</text>`,
    `<text x="18" y="${MARGIN.top + plotHeight / 2}" text-anchor="middle" transform="rotate(-90 18 ${MARGIN.top + plotHeight / 2})">wall time (s)</text>`
  )

  for (const line of series) {
    if (line.points.length === 0) continue
    const path = line.points
      .map(
        (point, i) =>
          `${i === 0 ? 'M' : 'L'}${x(point.tasks).toFixed(1)},${y(point.seconds).toFixed(1)}`
      )
      .join(' ')
    parts.push(
      `<path d="${path}" fill="none" stroke="${line.color}" stroke-width="2"${line.dashed ? ' stroke-dasharray="6 4"' : ''}/>`
    )
    for (const point of line.points) {
      parts.push(
        `<circle cx="${x(point.tasks).toFixed(1)}" cy="${y(point.seconds).toFixed(1)}" r="4" fill="${point.hollow ? '#ffffff' : line.color}" stroke="${line.color}" stroke-width="2"/>`
      )
    }
  }

  series.forEach((line, i) => {
    const yPos = MARGIN.top + 8 + i * 18
    const xPos = MARGIN.left + 14
    parts.push(
      `<line x1="${xPos}" x2="${xPos + 24}" y1="${yPos}" y2="${yPos}" stroke="${line.color}" stroke-width="2"${line.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      `<text x="${xPos + 32}" y="${yPos + 4}">${escape(line.label)}</text>`
    )
  })
  parts.push('</svg>', '')
  return parts.join('\n')
}

/** Rounds up to a round number, so that the five axis ticks are round numbers too. */
function niceCeiling(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value))
  for (const step of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) {
    if (step * power >= value) return step * power
  }
  return 10 * power
}

function formatTick(seconds: number): string {
  return Number.isInteger(seconds) ? String(seconds) : seconds.toFixed(1)
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}
