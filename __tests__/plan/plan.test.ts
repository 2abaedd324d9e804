import { buildMatrix, buildWaves, parseOnly, planTasks, selectTasks } from '../../src/plan/index.js'
import { makeManifest, makeTask, makeTasks } from '../../test/support/tasks.js'

describe('buildMatrix', () => {
  it('gives each task its own leg up to the limit', () => {
    expect(buildMatrix(makeTasks(3), 256)).toEqual([
      { task: 't0', title: 'Task t0', index: 0 },
      { task: 't1', title: 'Task t1', index: 1 },
      { task: 't2', title: 'Task t2', index: 2 }
    ])
  })

  it('is empty for no tasks', () => {
    expect(buildMatrix([], 256)).toEqual([])
  })

  it('spreads 257 tasks over 256 legs', () => {
    const tasks = makeTasks(257)
    const matrix = buildMatrix(tasks, 256)
    expect(matrix).toHaveLength(256)
    expect(matrix[0]!.task).toBe('t0,t1')
    expect(matrix[0]!.title).toBe('Task t0 (+1 more)')
    expect(matrix[1]!.task).toBe('t2')
    const ids = matrix.flatMap((entry) => entry.task.split(','))
    expect(ids).toEqual(tasks.map((task) => task.id))
  })

  it.each([
    [10, 3, [4, 3, 3]],
    [7, 7, [1, 1, 1, 1, 1, 1, 1]],
    [1000, 256, [...Array(232).fill(4), ...Array(24).fill(3)]],
    [5, 1, [5]]
  ])('spreads %i tasks over %i legs evenly', (count, maxJobs, sizes) => {
    const tasks = makeTasks(count)
    const matrix = buildMatrix(tasks, maxJobs)
    expect(matrix.map((entry) => entry.task.split(',').length)).toEqual(sizes)
    expect(matrix.map((entry) => entry.index)).toEqual(matrix.map((_, i) => i))
    expect(matrix.flatMap((entry) => entry.task.split(','))).toEqual(tasks.map((task) => task.id))
  })

  it('keeps matrix entries small whatever the body size', () => {
    const tasks = makeTasks(256).map((task) => ({ ...task, body: 'x'.repeat(100_000) }))
    const json = JSON.stringify({ include: buildMatrix(tasks, 256) })
    expect(json.length).toBeLessThan(20_000)
  })
})

describe('buildWaves', () => {
  it('orders tasks by dependency depth', () => {
    const tasks = [
      makeTask('db'),
      makeTask('api', { dependsOn: ['db'] }),
      makeTask('ui', { dependsOn: ['api', 'db'] }),
      makeTask('docs')
    ]
    expect(buildWaves(tasks)).toEqual([['db', 'docs'], ['api'], ['ui']])
  })

  it('treats unselected dependencies as done', () => {
    expect(buildWaves([makeTask('api', { dependsOn: ['db'] })])).toEqual([['api']])
  })
})

describe('selectTasks', () => {
  const tasks = [
    makeTask('api-client'),
    makeTask('api-server'),
    makeTask('login'),
    makeTask('logout')
  ]

  it('parses commas and newlines', () => {
    expect(parseOnly(' api-*, login\n\nlogout \n')).toEqual(['api-*', 'login', 'logout'])
  })

  it('matches ids and globs in manifest order', () => {
    expect(selectTasks(tasks, ['log?ut', 'api-*']).map((task) => task.id)).toEqual([
      'api-client',
      'api-server',
      'logout'
    ])
  })

  it('keeps every task without patterns', () => {
    expect(selectTasks(tasks, [])).toHaveLength(4)
  })

  it('treats regex characters literally', () => {
    expect(() => selectTasks(tasks, ['api.client'])).toThrow(
      "The 'only' input 'api.client' matches no task id"
    )
  })

  it('rejects a pattern that matches nothing', () => {
    expect(() => selectTasks(tasks, ['login', 'sigin'])).toThrow(
      "The 'only' input 'sigin' matches no task id. Known ids: api-client, api-server, login, logout. Use ids or globs such as 'api-*'."
    )
  })
})

describe('planTasks', () => {
  it.each([0, 257, 1.5, Number.NaN])('rejects max-jobs %p', (maxJobs) => {
    expect(() => planTasks(makeManifest(makeTasks(2)), { maxJobs })).toThrow(
      `Invalid max-jobs ${String(maxJobs)}: expected a whole number from 1 to 256, GitHub's limit of jobs in one matrix.`
    )
  })

  it('plans an empty manifest without legs', () => {
    const plan = planTasks(makeManifest([]))
    expect(plan.matrix).toEqual({ include: [] })
    expect(plan.waves).toEqual([])
  })
})
