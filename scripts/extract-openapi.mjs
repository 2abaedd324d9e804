#!/usr/bin/env node
// Extracts the operations that the GitHub REST API emulator (test/emulator) serves from an
// installed @octokit/openapi package and writes them to test/emulator/openapi/operations.json.
//
// Re-run this script whenever @octokit/openapi is upgraded, and whenever the emulator starts to
// serve another route (add it to SERVED_OPERATIONS below). The package unpacks to about 385 MB,
// so it is never a dependency of this project. Install it outside the repository first:
//
//   npm install --no-save --prefix /tmp/openapi @octokit/openapi@23
//   node scripts/extract-openapi.mjs /tmp/openapi/node_modules/@octokit/openapi
//
// The output keeps only what the contract check needs: parameters, the request body schema, and
// the response schemas by status. Descriptions and examples are dropped. Subschemas that occur
// more than once (the issue, user and label objects appear in most operations) are stored once
// under "definitions" and referenced as {"$ref": "github-openapi#/definitions/<name>"}. Schemas
// stay in OpenAPI 3.0 form (`nullable`, `format: int64`), and the emulator converts them when it
// loads the file.

import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as prettier from 'prettier'

/** Path templates and methods that test/emulator/routes serves. */
const SERVED_OPERATIONS = {
  '/rate_limit': ['get'],
  '/search/issues': ['get'],
  '/repos/{owner}/{repo}': ['get'],
  '/repos/{owner}/{repo}/issues': ['get', 'post'],
  '/repos/{owner}/{repo}/issues/{issue_number}': ['get', 'patch'],
  '/repos/{owner}/{repo}/issues/{issue_number}/comments': ['get', 'post'],
  '/repos/{owner}/{repo}/issues/comments/{comment_id}': ['get', 'patch'],
  '/repos/{owner}/{repo}/labels': ['get', 'post'],
  '/repos/{owner}/{repo}/labels/{name}': ['get'],
  '/repos/{owner}/{repo}/issues/{issue_number}/labels': ['post'],
  '/repos/{owner}/{repo}/milestones': ['get', 'post'],
  '/repos/{owner}/{repo}/issues/{issue_number}/sub_issues': ['get', 'post'],
  '/repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by': ['get', 'post'],
  '/repos/{owner}/{repo}/actions/runs/{run_id}/jobs': ['get'],
  '/repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{attempt_number}/jobs': ['get']
}

/** Schema keywords that document a value but never constrain it. */
const ANNOTATION_KEYWORDS = new Set(['description', 'example', 'examples', 'externalDocs', 'xml'])

/** Keywords whose values are data, not subschemas. */
const VALUE_KEYWORDS = new Set(['default', 'enum', 'const', 'required'])

/** Subschemas shorter than this many characters of JSON stay inline even when repeated. */
const MIN_SHARED_SCHEMA_LENGTH = 300

const REF_BASE = 'github-openapi#/definitions/'

async function main() {
  const packageDir = process.argv[2]
  if (!packageDir) {
    console.error('Usage: node scripts/extract-openapi.mjs <path to node_modules/@octokit/openapi>')
    process.exit(2)
  }
  const packageJson = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'))
  const descriptionFile = 'generated/api.github.com.deref.json'
  const document = JSON.parse(readFileSync(join(packageDir, descriptionFile), 'utf8'))
  if (!String(document.openapi).startsWith('3.0.')) {
    throw new Error(
      `Expected an OpenAPI 3.0 description, found openapi ${document.openapi}. ` +
        'The emulator converts OpenAPI 3.0 schemas (nullable) and needs an update first.'
    )
  }

  const operations = {}
  for (const [path, methods] of Object.entries(SERVED_OPERATIONS)) {
    const pathItem = document.paths[path]
    if (!pathItem) throw new Error(`Path ${path} is missing from ${descriptionFile}`)
    for (const method of methods) {
      const operation = pathItem[method]
      if (!operation) throw new Error(`${method.toUpperCase()} ${path} is missing`)
      operations[`${method.toUpperCase()} ${path}`] = extractOperation(pathItem, operation)
    }
  }

  const shared = shareRepeatedSchemas(operations)
  const output = {
    source: {
      package: packageJson.name,
      version: packageJson.version,
      file: descriptionFile,
      openapi: document.openapi
    },
    operations: shared.operations,
    definitions: shared.definitions
  }

  const outputFile = resolve(
    dirname(fileURLToPath(import.meta.url)),
    '../test/emulator/openapi/operations.json'
  )
  mkdirSync(dirname(outputFile), { recursive: true })
  // Formatted like the rest of the repository, so that `prettier --check .` passes and an
  // upgrade shows a readable diff.
  const text = await prettier.format(JSON.stringify(output), {
    ...(await prettier.resolveConfig(outputFile)),
    parser: 'json'
  })
  writeFileSync(outputFile, text)
  console.log(
    `Wrote ${Object.keys(operations).length} operations and ` +
      `${Object.keys(shared.definitions).length} shared schemas ` +
      `(${Math.round(text.length / 1024)} KiB) from ${packageJson.name}@${packageJson.version} ` +
      `to ${outputFile}`
  )
}

function extractOperation(pathItem, operation) {
  const parameters = [...(pathItem.parameters ?? []), ...(operation.parameters ?? [])].map(
    (parameter) => ({
      name: parameter.name,
      in: parameter.in,
      required: parameter.required === true,
      schema: stripSchema(parameter.schema ?? {})
    })
  )

  let requestBody
  const bodyContent = operation.requestBody?.content?.['application/json']
  if (bodyContent) {
    requestBody = {
      required: operation.requestBody.required === true,
      schema: stripSchema(bodyContent.schema ?? {})
    }
  }

  const responses = {}
  for (const [status, response] of Object.entries(operation.responses ?? {})) {
    const content = response.content ?? {}
    const json = content['application/json'] ?? content['application/scim+json']
    responses[status] = json?.schema ? { schema: stripSchema(json.schema) } : {}
  }

  return {
    operationId: operation.operationId,
    documentationUrl: operation.externalDocs?.url,
    parameters,
    ...(requestBody ? { requestBody } : {}),
    responses
  }
}

/**
 * Removes annotations and vendor extensions from a schema. Keys inside `properties` are property
 * names, so a property called "description" survives.
 */
function stripSchema(schema) {
  if (Array.isArray(schema)) return schema.map(stripSchema)
  if (schema === null || typeof schema !== 'object') return schema
  const result = {}
  for (const [key, value] of Object.entries(schema)) {
    if (ANNOTATION_KEYWORDS.has(key) || key.startsWith('x-')) continue
    if (key === 'properties' || key === 'patternProperties') {
      result[key] = Object.fromEntries(
        Object.entries(value).map(([name, propertySchema]) => [name, stripSchema(propertySchema)])
      )
    } else {
      result[key] = stripSchema(value)
    }
  }
  return result
}

/**
 * Moves every subschema that occurs more than once into `definitions`. Identical subtrees get
 * identical names, because a name is the schema title plus a hash of the schema's JSON text.
 */
function shareRepeatedSchemas(operations) {
  const occurrences = new Map()
  forEachSchema(operations, (schema) => {
    const key = JSON.stringify(schema)
    occurrences.set(key, (occurrences.get(key) ?? 0) + 1)
  })

  const definitions = {}
  const rewrite = (schema) => {
    if (Array.isArray(schema)) return schema.map(rewrite)
    if (schema === null || typeof schema !== 'object') return schema
    const key = JSON.stringify(schema)
    const shareable = key.length >= MIN_SHARED_SCHEMA_LENGTH && (occurrences.get(key) ?? 0) > 1
    if (shareable) {
      const name = definitionName(schema, key)
      if (!(name in definitions)) {
        definitions[name] = null
        definitions[name] = rewriteChildren(schema)
      }
      return { $ref: REF_BASE + name }
    }
    return rewriteChildren(schema)
  }
  const rewriteChildren = (schema) => {
    const result = {}
    for (const [name, value] of Object.entries(schema)) {
      if (VALUE_KEYWORDS.has(name)) {
        result[name] = value
      } else if (name === 'properties') {
        result[name] = Object.fromEntries(
          Object.entries(value).map(([property, child]) => [property, rewrite(child)])
        )
      } else {
        result[name] = typeof value === 'object' ? rewrite(value) : value
      }
    }
    return result
  }

  const rewritten = {}
  for (const [id, operation] of Object.entries(operations)) {
    rewritten[id] = {
      ...operation,
      parameters: operation.parameters.map((parameter) => ({
        ...parameter,
        schema: rewrite(parameter.schema)
      })),
      ...(operation.requestBody
        ? {
            requestBody: {
              ...operation.requestBody,
              schema: rewrite(operation.requestBody.schema)
            }
          }
        : {}),
      responses: Object.fromEntries(
        Object.entries(operation.responses).map(([status, response]) => [
          status,
          response.schema ? { schema: rewrite(response.schema) } : {}
        ])
      )
    }
  }
  return { operations: rewritten, definitions: sortKeys(definitions) }
}

function forEachSchema(operations, visit) {
  const walk = (schema) => {
    if (Array.isArray(schema)) return schema.forEach(walk)
    if (schema === null || typeof schema !== 'object') return
    visit(schema)
    for (const [name, value] of Object.entries(schema)) {
      if (VALUE_KEYWORDS.has(name)) continue
      if (name === 'properties') Object.values(value).forEach(walk)
      else if (typeof value === 'object') walk(value)
    }
  }
  for (const operation of Object.values(operations)) {
    operation.parameters.forEach((parameter) => walk(parameter.schema))
    if (operation.requestBody) walk(operation.requestBody.schema)
    Object.values(operation.responses).forEach((response) => walk(response.schema))
  }
}

function definitionName(schema, key) {
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 8)
  const title = typeof schema.title === 'string' ? schema.title : 'schema'
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
  return `${slug || 'schema'}-${hash}`
}

function sortKeys(object) {
  return Object.fromEntries(Object.entries(object).sort(([a], [b]) => a.localeCompare(b)))
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
