import { readFileSync } from 'node:fs'
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import type { ValidationErrorItem } from './errors.js'

/** One operation of GitHub's OpenAPI description, as scripts/extract-openapi.mjs stores it. */
export interface OperationDescription {
  operationId: string
  documentationUrl?: string
  parameters: Array<{ name: string; in: string; required: boolean; schema: Schema }>
  requestBody?: { required: boolean; schema: Schema }
  responses: Record<string, { schema?: Schema }>
}

interface OperationsFile {
  source: { package: string; version: string; file: string; openapi: string }
  operations: Record<string, OperationDescription>
  definitions: Record<string, Schema>
}

type Schema = Record<string, unknown>

/** A request or response that GitHub's OpenAPI description does not allow. */
export interface ContractViolation {
  /** Request number, as in the request log. */
  seq: number
  method: string
  path: string
  /** "METHOD /template", or null when no served operation matched. */
  route: string | null
  kind:
    | 'unknown-route'
    | 'path-parameter'
    | 'query-parameter'
    | 'unknown-query-parameter'
    | 'request-body'
    | 'response-status'
    | 'response-body'
  message: string
}

/** How GitHub rejects a request that breaks the description. */
export interface Rejection {
  status: 400 | 404 | 422
  message: string
  errors?: ValidationErrorItem[]
}

export interface RequestCheck {
  /** Problems to record as contract violations. */
  problems: Array<{ kind: ContractViolation['kind']; message: string }>
  /** Set when GitHub would not run the operation. */
  rejection?: Rejection
}

const OPERATIONS_URL = new URL('./openapi/operations.json', import.meta.url)
const SCHEMA_ID = 'github-openapi'

let loaded: { file: OperationsFile; ajv: Ajv } | undefined
const validators = new Map<string, ValidateFunction>()

function load(): { file: OperationsFile; ajv: Ajv } {
  if (loaded) return loaded
  const file = JSON.parse(readFileSync(OPERATIONS_URL, 'utf8')) as OperationsFile
  const ajv = new Ajv({
    allErrors: true,
    // Keeps the rejected value in each error, which GitHub's messages quote.
    verbose: true,
    // GitHub's schemas use keywords and combinations that Ajv's strict mode rejects, e.g.
    // `required` entries without a matching property.
    strict: false,
    formats: {
      'date-time': /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
      date: /^\d{4}-\d{2}-\d{2}$/,
      uri: (value: string) => URL.canParse(value),
      email: /^[^\s@]+@[^\s@]+$/,
      // OpenAPI number formats and GitHub's "timestamp" carry no extra constraint here.
      int32: true,
      int64: true,
      timestamp: true
    }
  })
  ajv.addSchema({
    $id: SCHEMA_ID,
    definitions: Object.fromEntries(
      Object.entries(file.definitions).map(([name, schema]) => [name, toJsonSchema(schema)])
    )
  })
  loaded = { file, ajv }
  return loaded
}

/** Version of @octokit/openapi that operations.json was extracted from. */
export function descriptionSource(): OperationsFile['source'] {
  return load().file.source
}

export function findOperation(route: string): OperationDescription | undefined {
  return load().file.operations[route]
}

export function describedRoutes(): string[] {
  return Object.keys(load().file.operations)
}

function validator(key: string, schema: Schema): ValidateFunction {
  let validate = validators.get(key)
  if (!validate) {
    validate = load().ajv.compile(toJsonSchema(schema))
    validators.set(key, validate)
  }
  return validate
}

/**
 * Converts an OpenAPI 3.0 schema to JSON Schema draft-07 for Ajv. OpenAPI 3.0 marks null with
 * `nullable: true` next to `type`, while JSON Schema lists "null" as a type. A nullable schema
 * without `type` (oneOf, allOf, $ref) becomes `anyOf: [schema, {type: "null"}]`, and a
 * nullable `enum` gets null as a member, because the enum check would reject null otherwise.
 */
export function toJsonSchema(schema: unknown): Schema {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
    return schema as Schema
  }
  const source = schema as Schema
  const result: Schema = {}
  for (const [key, value] of Object.entries(source)) {
    if (key === 'nullable') continue
    if (key === 'properties' || key === 'patternProperties') {
      result[key] = Object.fromEntries(
        Object.entries(value as Schema).map(([name, child]) => [name, toJsonSchema(child)])
      )
    } else if (key === 'enum' || key === 'required' || key === 'default' || key === 'const') {
      result[key] = value
    } else if (Array.isArray(value)) {
      result[key] = value.map((item) => toJsonSchema(item))
    } else if (value !== null && typeof value === 'object') {
      result[key] = toJsonSchema(value)
    } else {
      result[key] = value
    }
  }
  if (source.nullable !== true) return result

  if (typeof result.type === 'string') {
    result.type = [result.type, 'null']
    if (Array.isArray(result.enum) && !result.enum.includes(null)) {
      result.enum = [...result.enum, null]
    }
    return result
  }
  return { anyOf: [result, { type: 'null' }] }
}

/**
 * Checks path parameters, query parameters and the JSON body against the operation.
 *
 * GitHub responds with 404 when a path parameter has the wrong type, because the route does not
 * match. A body that is not JSON gets 400 "Problems parsing JSON". A body that its schema rejects
 * gets 422 "Invalid request." with one line per schema problem. GitHub ignores unknown query
 * parameters, so they are only recorded.
 */
export function checkRequest(
  route: string,
  operation: OperationDescription,
  request: {
    params: Record<string, string>
    query: URLSearchParams
    rawBody: string
    body: unknown
    bodyParseError: boolean
  }
): RequestCheck {
  const problems: RequestCheck['problems'] = []
  let rejection: Rejection | undefined

  for (const parameter of operation.parameters.filter((entry) => entry.in === 'path')) {
    const value = request.params[parameter.name] ?? ''
    const problem = checkParameterValue(value, parameter.schema)
    if (problem) {
      problems.push({
        kind: 'path-parameter',
        message: `Path parameter ${parameter.name}: ${problem}`
      })
      rejection ??= { status: 404, message: 'Not Found' }
    }
  }

  const queryParameters = operation.parameters.filter((entry) => entry.in === 'query')
  for (const parameter of queryParameters) {
    const values = request.query.getAll(parameter.name)
    if (values.length === 0) {
      if (parameter.required) {
        problems.push({
          kind: 'query-parameter',
          message: `Query parameter ${parameter.name} is required but missing`
        })
        rejection ??= {
          status: 422,
          message: 'Validation Failed',
          errors: [{ resource: resourceName(route), field: parameter.name, code: 'missing' }]
        }
      }
      continue
    }
    for (const value of values) {
      const problem = checkParameterValue(value, parameter.schema)
      if (!problem) continue
      problems.push({
        kind: 'query-parameter',
        message: `Query parameter ${parameter.name}: ${problem}`
      })
      // NOTE: GitHub's response to an invalid query value is not documented per endpoint. The
      // descriptions list 422 for these list endpoints, so the emulator sends that.
      rejection ??= {
        status: 422,
        message: 'Validation Failed',
        errors: [{ resource: resourceName(route), field: parameter.name, code: 'invalid', value }]
      }
    }
  }
  const known = new Set(queryParameters.map((entry) => entry.name))
  for (const name of new Set(request.query.keys())) {
    if (!known.has(name)) {
      problems.push({
        kind: 'unknown-query-parameter',
        message: `Query parameter ${name} is not defined for ${route}`
      })
    }
  }

  if (operation.requestBody) {
    const bodyCheck = checkBody(route, operation.requestBody, request)
    if (bodyCheck) {
      problems.push({ kind: 'request-body', message: bodyCheck.message.replace(/\n+/g, ' ') })
      rejection ??= bodyCheck
    }
  }
  return { problems, ...(rejection ? { rejection } : {}) }
}

function checkBody(
  route: string,
  requestBody: NonNullable<OperationDescription['requestBody']>,
  request: { rawBody: string; body: unknown; bodyParseError: boolean }
): Rejection | undefined {
  if (request.bodyParseError) return { status: 400, message: 'Problems parsing JSON' }
  if (request.rawBody.trim() === '') {
    if (!requestBody.required) return undefined
    return {
      status: 422,
      message: "Invalid request.\n\nFor 'links/0/schema', nil is not an object."
    }
  }
  const validate = validator(`${route} request`, requestBody.schema)
  if (validate(request.body)) return undefined
  const lines = [...new Set((validate.errors ?? []).map((error) => describeBodyError(error)))]
  return { status: 422, message: `Invalid request.\n\n${lines.join('\n')}` }
}

/** Checks a response status and body and returns the problems found. */
export function checkResponse(
  operation: OperationDescription,
  route: string,
  status: number,
  body: unknown
): Array<{ kind: ContractViolation['kind']; message: string }> {
  const response = operation.responses[String(status)] ?? operation.responses.default
  if (!response) {
    const listed = Object.keys(operation.responses).join(', ')
    return [
      {
        kind: 'response-status',
        message: `Status ${status} is not listed for ${route} (listed: ${listed})`
      }
    ]
  }
  if (!response.schema) return []
  const validate = validator(`${route} ${status}`, response.schema)
  if (validate(body)) return []
  return (validate.errors ?? []).slice(0, 10).map((error) => ({
    kind: 'response-body' as const,
    message: `Response ${status} body${error.instancePath || ' root'}: ${error.message}`
  }))
}

function checkParameterValue(value: string, schema: Schema): string | undefined {
  const type = schema.type
  if (type === 'integer' && !/^-?\d+$/.test(value)) {
    return `${JSON.stringify(value)} is not an integer`
  }
  if (type === 'number' && !Number.isFinite(Number(value))) {
    return `${JSON.stringify(value)} is not a number`
  }
  if (type === 'boolean' && value !== 'true' && value !== 'false') {
    return `${JSON.stringify(value)} is not a boolean`
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) {
    const allowed = schema.enum.map((item) => JSON.stringify(item)).join(', ')
    return `${JSON.stringify(value)} is not one of ${allowed}`
  }
  if (
    schema.format === 'date-time' &&
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)
  ) {
    return `${JSON.stringify(value)} is not an ISO 8601 timestamp (YYYY-MM-DDTHH:MM:SSZ)`
  }
  return undefined
}

/**
 * Writes one Ajv error the way GitHub's request validator does, for example
 * `For 'properties/labels', "bug" is not an array.` or `"title" wasn't supplied.`
 * The location is the schema path, as in GitHub's messages.
 */
function describeBodyError(error: ErrorObject): string {
  const location = error.schemaPath.replace(/^#\//, '').replace(/\/[^/]+$/, '')
  const prefix = location ? `For '${location}', ` : ''
  const value = rubyInspect(valueAt(error))
  switch (error.keyword) {
    case 'required':
      return `"${String(error.params.missingProperty)}" wasn't supplied.`
    case 'additionalProperties':
      return `"${String(error.params.additionalProperty)}" is not a permitted key.`
    case 'type': {
      const types = String(error.params.type)
        .split(',')
        .filter((type) => type !== 'null')
      return `${prefix}${value} is not ${types.map(withArticle).join(' or ')}.`
    }
    case 'enum':
      // NOTE: GitHub's exact wording for enum mismatches is unverified.
      return `${prefix}${value} is not a member of ${rubyInspect(error.params.allowedValues)}.`
    case 'oneOf':
    case 'anyOf':
      return `No subschema in "${error.keyword}" matched.`
    case 'minItems':
      return `${prefix}${value} has fewer than ${String(error.params.limit)} items.`
    default:
      return `${prefix}${value} ${error.message ?? `fails ${error.keyword}`}.`
  }
}

/** Returns the rejected value, which Ajv stores in `data` because `verbose` is set. */
function valueAt(error: ErrorObject): unknown {
  return (error as ErrorObject & { data?: unknown }).data
}

function withArticle(type: string): string {
  const name = type === 'object' ? 'object' : type
  return /^[aeiou]/.test(name) ? `an ${name}` : `a ${name}`
}

/** Formats a JSON value as Ruby's `inspect` does, because GitHub's messages come from Ruby. */
export function rubyInspect(value: unknown): string {
  if (value === null || value === undefined) return 'nil'
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (Array.isArray(value)) return `[${value.map(rubyInspect).join(', ')}]`
  const entries = Object.entries(value as Record<string, unknown>).map(
    ([key, item]) => `${JSON.stringify(key)} => ${rubyInspect(item)}`
  )
  return `{${entries.join(', ')}}`
}

/** GitHub's resource name in `errors[].resource` for a route. */
function resourceName(route: string): string {
  if (route.includes('/search/')) return 'Search'
  if (route.includes('/comments')) return 'IssueComment'
  if (route.includes('/labels')) return 'Label'
  if (route.includes('/milestones')) return 'Milestone'
  if (route.includes('/actions/')) return 'WorkflowJob'
  return 'Issue'
}
