import fs from 'node:fs'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Type } from '@sinclair/typebox'
import { ErrorEnvelope, FileTransferQuery, FileWriteResult, HubPath, IdParams, Role, validate } from '@outpost/protocol'
import type { HubServices } from '../hub-services.ts'
import { installOperatorAuth, operatorOf } from '../auth/operator-auth-hook.ts'
import { routeName } from '../auth/host-scope.ts'
import { AuditAction } from '../audit/audit-log.ts'
import { HubError, HubErrorCode } from '../errors.ts'
import { TransferRegistry } from '../transfers/transfer-registry.ts'
import { serveDownload } from '../transfers/download-flow.ts'
import { serveUpload } from '../transfers/upload-flow.ts'
import { fetchRemoteUpload, sendRemoteDownload } from '../transfers/transfer-bus.ts'
import { requestSignal } from './operator-routes.ts'
import type { RouteAuth, RouteDoc } from './route-spec.ts'

const DOWNLOAD_URL = '/api/v1/hosts/:id/files/download'
const UPLOAD_URL = '/api/v1/hosts/:id/files/upload'
const AGENT_TRANSFER_URL = `${HubPath.AgentTransfers}/:transferId`
const TransferParams = Type.Object({ transferId: Type.String({ pattern: '^[A-Za-z0-9_-]{16,64}$' }) }, { additionalProperties: false })
const Bytes = Type.String({ description: 'raw bytes (application/octet-stream)' })
const errors = { 400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope, 409: ErrorEnvelope, 413: ErrorEnvelope, 422: ErrorEnvelope, 503: ErrorEnvelope }
const EMPTY = Buffer.alloc(0)

/** The file transfer routes as documented in OpenAPI. */
export const fileTransferRouteDocs: readonly RouteDoc[] = [
  { method: 'GET', url: DOWNLOAD_URL, summary: 'Download a file from a host: the bytes stream back as application/octet-stream (operator role)', auth: Role.Operator, params: IdParams, query: FileTransferQuery, responses: { 200: Bytes, ...errors } },
  { method: 'PUT', url: UPLOAD_URL, summary: 'Upload a file to a host: send the raw bytes as application/octet-stream; written atomically with a .outpost-bak copy (operator role)', auth: Role.Operator, params: IdParams, query: FileTransferQuery, responses: { 200: FileWriteResult, ...errors } },
  { method: 'PUT', url: AGENT_TRANSFER_URL, summary: 'The agent streams a download to the hub (signed over an empty body; single use)', auth: 'agent', params: TransferParams, responses: { 204: Type.Null(), ...errors } },
  { method: 'GET', url: AGENT_TRANSFER_URL, summary: 'The agent fetches an upload from the hub (signed over an empty body; single use)', auth: 'agent', params: TransferParams, responses: { 200: Bytes, ...errors } }
]

/**
 * Registers the streamed file transfers: the operator routes in a context of their own (raw
 * `application/octet-stream` bodies are left unread for the upload to stream them) and the agent
 * routes in another. Transfers pair an operator request with one agent request, on this replica
 * or, over the bus, on another (`transfers/transfer-bus.ts`).
 */
export async function registerFileTransferRoutes (app: FastifyInstance, s: HubServices): Promise<void> {
  const registry = new TransferRegistry(s.now, { bus: s.bus, log: s.log })
  const auth = new Map<string, RouteAuth>([[`GET ${DOWNLOAD_URL}`, Role.Operator], [`PUT ${UPLOAD_URL}`, Role.Operator]])

  await app.register(async (child) => {
    child.removeAllContentTypeParsers()
    // The body stays on the socket: the upload handler streams it to disk itself.
    child.addContentTypeParser('application/octet-stream', (_req, _payload, done) => { done(null, undefined) })
    installOperatorAuth(child, s.console.authenticator, s.audit, (method, url) => auth.get(`${method} ${url}`) ?? Role.Admin)
    child.get(DOWNLOAD_URL, async (request, reply) => {
      const { host, query, actor } = await operatorInput(s, request)
      return await serveDownload(s, registry, host, query.path, actor, reply, requestSignal(reply.raw, s.closing))
    })
    child.put(UPLOAD_URL, async (request, reply) => {
      if (request.headers['content-type']?.split(';')[0]?.trim() !== 'application/octet-stream') {
        throw new HubError(HubErrorCode.BadRequest, 'send the file as application/octet-stream')
      }
      const { host, query, actor } = await operatorInput(s, request)
      return await serveUpload(s, registry, host, query, actor, request.raw, requestSignal(reply.raw, s.closing))
    })
  })

  await app.register(async (child) => {
    child.removeAllContentTypeParsers()
    child.addContentTypeParser('application/octet-stream', (_req, _payload, done) => { done(null, undefined) })
    child.put(AGENT_TRANSFER_URL, async (request, reply) => {
      const { agentId, transferId } = await agentInput(s, request)
      const entry = registry.claim(transferId, agentId, 'download')
      const length = Number(request.headers['content-length'] ?? NaN)
      const declared = Number.isSafeInteger(length) ? length : undefined
      if (entry?.kind !== 'download') {
        // The operator may wait on another replica: relay the bytes there over the bus.
        if (!await sendRemoteDownload(s.bus, transferId, agentId, request.raw, declared)) return await refuse(s, agentId, transferId, 'download')
        return await reply.code(204).send()
      }
      await new Promise<void>((resolve, reject) => {
        entry.deliver({ stream: request.raw, length: declared, finish: (err) => { if (err === undefined) resolve(); else reject(err) } })
      })
      return await reply.code(204).send()
    })
    child.get(AGENT_TRANSFER_URL, async (request, reply) => {
      const { agentId, transferId } = await agentInput(s, request)
      const entry = registry.claim(transferId, agentId, 'upload')
      if (entry?.kind !== 'upload') {
        const remote = await fetchRemoteUpload(s.bus, transferId, agentId)
        if (remote === undefined) return await refuse(s, agentId, transferId, 'upload')
        return await reply.header('content-type', 'application/octet-stream').header('content-length', String(remote.size)).send(remote.stream)
      }
      return await reply.header('content-type', 'application/octet-stream').header('content-length', String(entry.size))
        .send(fs.createReadStream(entry.file, { highWaterMark: 1024 * 1024 }))
    })
  })
}

async function operatorInput (s: HubServices, request: FastifyRequest): Promise<{ host: Awaited<ReturnType<HubServices['hostScope']['hostOr404']>>, query: FileTransferQuery, actor: string }> {
  const params = validate(IdParams, request.params, 'path parameters')
  const query = validate(FileTransferQuery, request.query, 'query')
  const identity = operatorOf(request)
  const host = await s.hostScope.hostOr404(identity, params.id, routeName(request))
  return { host, query, actor: identity?.actor ?? 'system' }
}

async function agentInput (s: HubServices, request: FastifyRequest): Promise<{ agentId: string, transferId: string }> {
  // Signed over an empty body: the bytes are checked by size and SHA-256 against the signed instruction or result.
  const agentId = await s.requestAuth.authenticate({ method: request.method, url: request.url, headers: request.headers, body: EMPTY })
  const { transferId } = validate(TransferParams, request.params, 'path parameters')
  return { agentId, transferId }
}

/** Unknown, used, expired or someone else's: one answer for all (no oracle), audited. */
async function refuse (s: HubServices, agentId: string, transferId: string, kind: string): Promise<never> {
  await s.audit.record({ actor: `agent:${agentId}`, action: AuditAction.FileTransferRefused, target: `transfer:${transferId}`, result: 'denied', detail: { kind } })
  throw new HubError(HubErrorCode.NotFound, 'no such transfer')
}
