import fs from 'node:fs'
import path from 'node:path'
import { isMapping } from '@actions/workflow-parser'
import {
  evaluateCondition,
  evaluateTemplate,
  findContextPaths,
  parseExpression,
  templateString,
  type Contexts,
  type StatusValues
} from '../../test/harness/expressions.js'
import { expandMatrix } from '../../test/harness/matrix.js'
import {
  findMapping,
  readWorkflow,
  repositoryRoot,
  type LoadedJob,
  type LoadedWorkflow
} from '../../test/harness/workflow-file.js'

const SUCCESS: StatusValues = { success: true, failure: false, cancelled: false }
const AFTER_FAILURE: StatusValues = { success: false, failure: true, cancelled: false }

const planMatrix = {
  include: [
    { task: 'db', title: 'Add the sessions table', index: 0 },
    { task: 'api', title: 'Session API', index: 1 }
  ]
}

function planNeeds(hasTasks: string, result = 'success'): Contexts {
  return {
    needs: {
      plan: {
        result,
        outputs: {
          matrix: JSON.stringify(planMatrix),
          'task-ids': '["db","api"]',
          'has-tasks': hasTasks
        }
      }
    }
  }
}

let example: LoadedWorkflow

function messageOf(action: () => unknown): string {
  try {
    action()
  } catch (error) {
    return (error as Error).message
  }
  throw new Error('Expected an error, but none was thrown.')
}

beforeAll(async () => {
  const { workflow } = await readWorkflow(
    path.join(repositoryRoot, 'examples', 'workflow-dispatch.yml')
  )
  if (!workflow) throw new Error('examples/workflow-dispatch.yml did not parse.')
  example = workflow
})

function job(id: string): LoadedJob {
  const found = example.jobs.find((candidate) => candidate.id === id)
  if (!found) throw new Error(`The example has no job '${id}'.`)
  return found
}

function withValue(jobId: string, stepId: string, input: string) {
  const step = job(jobId).steps.find((candidate) => candidate.template.id === stepId)
  const value = step && findMapping(step.raw, 'with')?.find(input)
  if (!value) throw new Error(`The example has no input '${input}' in ${jobId}.${stepId}.`)
  return value
}

describe('example workflow expressions', () => {
  it('setup if follows has-tasks', () => {
    const condition = job('setup').template.if.expression
    expect(condition).toBe("success() && (needs.plan.outputs.has-tasks == 'true')")
    expect(evaluateCondition(condition, { contexts: planNeeds('true'), status: SUCCESS })).toBe(
      true
    )
    expect(evaluateCondition(condition, { contexts: planNeeds('false'), status: SUCCESS })).toBe(
      false
    )
    expect(evaluateCondition(condition, { contexts: planNeeds(''), status: SUCCESS })).toBe(false)
  })

  it('setup if is false after a failed plan', () => {
    const condition = job('setup').template.if.expression
    const scope = { contexts: planNeeds('true', 'failure'), status: AFTER_FAILURE }
    expect(evaluateCondition(condition, scope)).toBe(false)
  })

  it('collect if runs after failed legs', () => {
    const condition = job('collect').template.if.expression
    expect(condition).toBe("always() && needs.plan.outputs.has-tasks == 'true'")
    expect(
      evaluateCondition(condition, { contexts: planNeeds('true'), status: AFTER_FAILURE })
    ).toBe(true)
    expect(
      evaluateCondition(condition, { contexts: planNeeds('false'), status: AFTER_FAILURE })
    ).toBe(false)
  })

  it('setup matrix expands the plan output', () => {
    const strategy = evaluateTemplate(job('setup').template.strategy!, {
      contexts: planNeeds('true'),
      status: SUCCESS
    })
    expect(strategy).toEqual({ 'fail-fast': false, matrix: planMatrix })
    expect(expandMatrix((strategy as { matrix: never }).matrix)).toEqual(planMatrix.include)
  })

  it('setup name reads the matrix title', () => {
    const name = job('setup').raw.find('name')!
    const scope = { contexts: { matrix: planMatrix.include[0]! }, status: SUCCESS }
    expect(templateString(name, scope, 'the job name')).toBe('setup Add the sessions table')
  })

  it('setup index becomes runner text', () => {
    const index = withValue('setup', 'setup', 'index')
    expect(
      templateString(index, { contexts: { matrix: { index: 0 } }, status: SUCCESS }, 'index')
    ).toBe('0')
    expect(
      templateString(index, { contexts: { matrix: { index: 12 } }, status: SUCCESS }, 'index')
    ).toBe('12')
  })

  it('collect fail-on follows a boolean dry-run', () => {
    const failOn = withValue('collect', 'collect', 'fail-on')
    const evaluate = (dryRun: boolean | string): string =>
      templateString(
        failOn,
        { contexts: { inputs: { 'dry-run': dryRun } }, status: SUCCESS },
        'fail-on'
      )
    expect(evaluate(true)).toBe('never')
    expect(evaluate(false)).toBe('any')
    // The string 'false' is truthy, which is why dispatch inputs of type boolean must reach the
    // inputs context as booleans.
    expect(evaluate('false')).toBe('never')
  })

  it('collect tasks passes the task ids through', () => {
    const tasks = withValue('collect', 'collect', 'tasks')
    expect(templateString(tasks, { contexts: planNeeds('true'), status: SUCCESS }, 'tasks')).toBe(
      '["db","api"]'
    )
  })
})

describe('expression evaluation', () => {
  it('rejects an object where a string goes', () => {
    const strategy = job('setup').template.strategy!
    if (!isMapping(strategy)) throw new Error('The example strategy is not a mapping.')
    const matrix = strategy.find('matrix')!
    const scope = { contexts: planNeeds('true'), status: SUCCESS }
    // The message points at the strategy's matrix line of the example file.
    const lines = fs
      .readFileSync(path.join(repositoryRoot, 'examples', 'workflow-dispatch.yml'), 'utf8')
      .split('\n')
    const line = lines.findIndex((text) => text.startsWith('      matrix: ${{ fromJSON(')) + 1
    expect(line).toBeGreaterThan(0)
    expect(messageOf(() => templateString(matrix, scope, "input 'task'"))).toBe(
      `line ${line}, column 15: input 'task' evaluated to an object, but the runner expects a string ` +
        'there. Wrap the value in toJSON(...) to pass it as text.'
    )
  })

  it('reads missing outputs as empty text', () => {
    const tasks = withValue('collect', 'collect', 'tasks')
    expect(
      templateString(
        tasks,
        { contexts: { needs: { plan: { outputs: {} } } }, status: SUCCESS },
        'tasks'
      )
    ).toBe('')
  })

  it('finds literal context paths', () => {
    const expression = parseExpression(
      "needs.plan.outputs['has-tasks'] == 'true' && steps[inputs.step].outputs.x || matrix.task"
    )
    expect(findContextPaths(expression)).toEqual([
      ['needs', 'plan', 'outputs', 'has-tasks'],
      ['steps'],
      ['inputs', 'step'],
      ['matrix', 'task']
    ])
  })

  it('rejects an unknown function', () => {
    expect(messageOf(() => parseExpression("hashFiles('**/package-lock.json')"))).toBe(
      "Unrecognized function: 'hashFiles'"
    )
  })
})
