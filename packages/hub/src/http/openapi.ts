import type { TSchema } from '@sinclair/typebox'
import { PROTOCOL_VERSION } from '@outpost/protocol'
import type { RouteDoc } from './route-spec.ts'

/**
 * Builds the OpenAPI 3.1 document from the route list itself: the TypeBox schemas are JSON
 * Schema, so the document cannot drift from what the hub validates.
 */
export function buildOpenApi (routes: readonly RouteDoc[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {}
  for (const r of routes) {
    const path = r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')
    const parameters = [...parametersOf(r.params, 'path'), ...parametersOf(r.query, 'query')]
    const responses: Record<string, unknown> = {}
    for (const [status, schema] of Object.entries(r.responses)) {
      responses[status] = { description: Number(status) < 400 ? 'success' : 'error envelope', content: { 'application/json': { schema: plain(schema) } } }
    }
    const op: Record<string, unknown> = {
      summary: r.summary,
      operationId: `${r.method.toLowerCase()}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
      security: securityOf(r),
      responses
    }
    if (parameters.length > 0) op.parameters = parameters
    if (r.body !== undefined) op.requestBody = { required: true, content: { 'application/json': { schema: plain(r.body) } } }
    paths[path] = { ...paths[path], [r.method.toLowerCase()]: op }
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Outpost hub', version: `protocol ${PROTOCOL_VERSION}` },
    components: {
      securitySchemes: {
        apiToken: { type: 'http', scheme: 'bearer', description: 'API token from `outpost admin api-token`' },
        agentSignature: { type: 'apiKey', in: 'header', name: 'x-outpost-signature', description: 'Ed25519 request signature (see the protocol package)' }
      }
    },
    paths
  }
}

function securityOf (r: RouteDoc): unknown[] {
  if (r.auth === 'none' || r.auth === 'enroll') return []
  if (r.auth === 'agent') return [{ agentSignature: [] }]
  return [{ apiToken: [] }]
}

function parametersOf (schema: TSchema | undefined, where: 'path' | 'query'): unknown[] {
  if (schema === undefined) return []
  const props: Record<string, unknown> = typeof schema.properties === 'object' && schema.properties !== null ? schema.properties : {}
  const required: unknown[] = Array.isArray(schema.required) ? schema.required : []
  return Object.entries(props).map(([name, s]) => ({ name, in: where, required: where === 'path' || required.includes(name), schema: plain(s) }))
}

/** The schema as plain JSON (TypeBox keeps its metadata under symbols, which JSON drops). */
function plain (schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema))
}
