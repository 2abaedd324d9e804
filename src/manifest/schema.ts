import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import schema from '../../schema/manifest.schema.json' with { type: 'json' }

/** The manifest's JSON Schema: the same file editors use, so the rules live in one place. */
export const manifestSchema = schema

let compiled: ValidateFunction | undefined

/** Validates parsed manifest data against the schema and returns every error found. */
export function validateAgainstSchema(data: unknown): ErrorObject[] {
  compiled ??= new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema)
  return compiled(data) ? [] : [...(compiled.errors ?? [])]
}

/** The keys a task may have, for suggestions when a key is unknown. */
export const TASK_KEYS = Object.keys(schema.definitions.task.properties)
export const DEFAULTS_KEYS = Object.keys(schema.definitions.taskFields.properties)
export const TOP_LEVEL_KEYS = Object.keys(schema.properties).filter((key) => key !== '$schema')
