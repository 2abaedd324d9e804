/**
 * Evaluates `${{ }}` expressions and template tokens of a parsed workflow with
 * `@actions/expressions`, the expression engine of GitHub's own workflow language services.
 */
import { Evaluator, Lexer, Parser, data, type Expr } from '@actions/expressions'
import {
  ContextAccess,
  FunctionCall,
  Grouping,
  IndexAccess,
  Literal,
  Logical,
  Binary,
  Unary
} from '@actions/expressions/ast'
import type { FunctionDefinition, FunctionInfo } from '@actions/expressions/funcs/info'
import { truthy } from '@actions/expressions/result'
import {
  isBasicExpression,
  isBoolean,
  isMapping,
  isNumber,
  isSequence,
  isString
} from '@actions/workflow-parser'
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token'

export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }

/** The named contexts a workflow expression may read, such as `github` or `matrix`. */
export type Contexts = Record<string, JsonValue>

/**
 * The values that the status functions `success()`, `failure()` and `cancelled()` return. For
 * a job's `if:` they describe the jobs it needs, and for a step's `if:` the earlier steps.
 */
export interface StatusValues {
  success: boolean
  failure: boolean
  cancelled: boolean
}

export interface ExpressionScope {
  contexts: Contexts
  status: StatusValues
}

/** Every context name GitHub defines. The workflow parser checks which ones a position allows. */
export const CONTEXT_NAMES = [
  'github',
  'env',
  'vars',
  'job',
  'jobs',
  'steps',
  'runner',
  'secrets',
  'strategy',
  'matrix',
  'needs',
  'inputs'
] as const

const STATUS_FUNCTIONS: FunctionInfo[] = ['always', 'success', 'failure', 'cancelled'].map(
  (name) => ({ name, minArgs: 0, maxArgs: 0 })
)

/** Parses one expression (the text between `${{` and `}}`), or throws the parser's error. */
export function parseExpression(expression: string): Expr {
  const { tokens } = new Lexer(expression).lex()
  return new Parser(tokens, [...CONTEXT_NAMES], STATUS_FUNCTIONS).parse()
}

/** Evaluates one expression with the scope's contexts and status values. */
export function evaluateExpression(
  expression: string,
  scope: ExpressionScope
): data.ExpressionData {
  const parsed = parseExpression(expression)
  const contexts = new data.Dictionary()
  for (const name of CONTEXT_NAMES) {
    // Every context exists, empty when the position has none, because the evaluator reads a
    // missing one as undefined and fails on it.
    contexts.add(name, toExpressionData(scope.contexts[name] ?? {}))
  }
  const functions = new Map<string, FunctionDefinition>(
    STATUS_FUNCTIONS.map((info) => [
      info.name,
      { ...info, call: () => new data.BooleanData(statusOf(info.name, scope.status)) }
    ])
  )
  return new Evaluator(parsed, contexts, functions).evaluate()
}

function statusOf(name: string, status: StatusValues): boolean {
  if (name === 'always') return true
  if (name === 'success') return status.success
  if (name === 'failure') return status.failure
  return status.cancelled
}

/** Evaluates an `if:` condition with the runner's truthiness: false, 0, '' and null are false. */
export function evaluateCondition(expression: string, scope: ExpressionScope): boolean {
  return truthy(evaluateExpression(expression, scope))
}

/**
 * Evaluates a template token: literals as they are, expressions through the evaluator, and
 * mappings and sequences member by member.
 */
export function evaluateTemplate(token: TemplateToken, scope: ExpressionScope): JsonValue {
  if (isBasicExpression(token)) return toJson(evaluateExpression(token.expression, scope))
  if (isString(token)) return token.value
  if (isBoolean(token)) return token.value
  if (isNumber(token)) return token.value
  if (isSequence(token)) return [...token].map((item) => evaluateTemplate(item, scope))
  if (isMapping(token)) {
    const mapping: Record<string, JsonValue> = {}
    for (const { key, value } of token) {
      mapping[templateString(key, scope, 'a mapping key')] = evaluateTemplate(value, scope)
    }
    return mapping
  }
  if (token.isExpression) {
    throw new Error(`${describeToken(token)}: '\${{ insert }}' is not supported by the harness.`)
  }
  return null
}

/**
 * Evaluates a token in a position where the runner expects a string, such as a `with:` value,
 * an `env:` value or a `run:` script. Booleans become 'true'/'false', numbers the runner's
 * number text and null ''. An array or object fails, as it does on the runner.
 */
export function templateString(
  token: TemplateToken,
  scope: ExpressionScope,
  where: string
): string {
  const value = evaluateTemplate(token, scope)
  if (value === null) return ''
  if (typeof value === 'string') return value
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (typeof value === 'number') return new data.NumberData(value).coerceString()
  const kind = Array.isArray(value) ? 'an array' : 'an object'
  throw new Error(
    `${describeToken(token)}: ${where} evaluated to ${kind}, but the runner expects a string there. ` +
      'Wrap the value in toJSON(...) to pass it as text.'
  )
}

/** Names a token's position as `line L, column C` for error messages. */
export function describeToken(token: TemplateToken): string {
  return token.line === undefined ? 'expression' : `line ${token.line}, column ${token.col}`
}

/** Converts a plain JSON value into the evaluator's data, keeping key order. */
export function toExpressionData(value: JsonValue): data.ExpressionData {
  return JSON.parse(JSON.stringify(value), data.reviver) as data.ExpressionData
}

/** Converts the evaluator's data into a plain JSON value. */
export function toJson(value: data.ExpressionData): JsonValue {
  switch (value.kind) {
    case data.Kind.String:
      return value.coerceString()
    case data.Kind.Number:
      return value.number()
    case data.Kind.Boolean:
      return (value as data.BooleanData).value
    case data.Kind.Null:
      return null
    case data.Kind.Array:
      return (value as data.Array).values().map(toJson)
    default: {
      const mapping: Record<string, JsonValue> = {}
      for (const { key, value: member } of (value as data.Dictionary).pairs()) {
        mapping[key] = toJson(member)
      }
      return mapping
    }
  }
}

/**
 * Lists the property paths an expression reads with literal names, such as
 * ['steps', 'plan', 'outputs', 'matrix'] for `steps.plan.outputs.matrix`. A path stops at the
 * first computed index (`steps[x]`), so only names written in the workflow are checked.
 */
export function findContextPaths(expression: Expr): string[][] {
  const paths: string[][] = []
  const visit = (node: Expr): void => {
    const path = literalPath(node)
    if (path) {
      paths.push(path)
      if (node instanceof IndexAccess) visitIndexes(node)
      return
    }
    if (node instanceof IndexAccess) {
      visit(node.expr)
      visit(node.index)
    } else if (node instanceof Unary) {
      visit(node.expr)
    } else if (node instanceof Binary) {
      visit(node.left)
      visit(node.right)
    } else if (node instanceof Logical) {
      node.args.forEach(visit)
    } else if (node instanceof Grouping) {
      visit(node.group)
    } else if (node instanceof FunctionCall) {
      node.args.forEach(visit)
    }
  }
  // Expressions inside a literal path's brackets, as in `matrix[inputs.key]`, are not part
  // of the path but may read contexts themselves.
  const visitIndexes = (node: IndexAccess): void => {
    if (!(node.index instanceof Literal)) visit(node.index)
    if (node.expr instanceof IndexAccess) visitIndexes(node.expr)
  }
  visit(expression)
  return paths
}

function literalPath(node: Expr): string[] | undefined {
  return pathOf(node)?.names
}

/** `open` is false once a computed index has ended the literal part of the path. */
function pathOf(node: Expr): { names: string[]; open: boolean } | undefined {
  if (node instanceof ContextAccess) return { names: [node.name.lexeme], open: true }
  if (!(node instanceof IndexAccess)) return undefined
  const parent = pathOf(node.expr)
  if (!parent) return undefined
  if (!parent.open) return parent
  if (node.index instanceof Literal && node.index.literal.kind === data.Kind.String) {
    return { names: [...parent.names, node.index.literal.coerceString()], open: true }
  }
  return { names: parent.names, open: false }
}
