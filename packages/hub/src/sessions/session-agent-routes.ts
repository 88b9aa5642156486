import type { FastifyInstance } from 'fastify'
import { Type } from '@sinclair/typebox'
import { ErrorEnvelope, HubPath, SessionIn, SessionOut, parseJson } from '@outpost/protocol'
import type { HubServices } from '../hub-services.ts'
import { requestSignal } from '../http/operator-routes.ts'
import type { RouteDoc } from '../http/route-spec.ts'
import { HubError, HubErrorCode } from '../errors.ts'

const errors = { 400: ErrorEnvelope, 401: ErrorEnvelope, 404: ErrorEnvelope, 409: ErrorEnvelope }

/** The POST fallback of a session's agent side, as documented in OpenAPI. */
export const sessionAgentRouteDocs: readonly RouteDoc[] = [
  { method: 'POST', url: `${HubPath.AgentSessions}/:id/out`, summary: 'Session output from the agent (POST fallback, signed)', auth: 'agent', body: SessionOut, responses: { 204: Type.Null(), ...errors } },
  { method: 'POST', url: `${HubPath.AgentSessions}/:id/in`, summary: 'Session input for the agent since ?after=N (long-poll, signed over an empty body)', auth: 'agent', responses: { 200: SessionIn, ...errors } }
]

/**
 * Registers the POST fallback in its own context: bodies arrive as raw bytes (the signature
 * covers them), the signature is checked before anything else, and the session must be the
 * signing agent's (checked by the session service).
 */
export async function registerSessionAgentRoutes (app: FastifyInstance, s: HubServices): Promise<void> {
  await app.register(async (child) => {
    child.removeAllContentTypeParsers()
    child.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: s.config.limits.agentBodyBytes }, (_req, body, done) => { done(null, body) })

    child.post<{ Params: { id: string } }>(`${HubPath.AgentSessions}/:id/out`, async (request, reply) => {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
      const agentId = await s.requestAuth.authenticate({ method: request.method, url: request.url, headers: request.headers, body })
      const out = parseJson(SessionOut, body, 'session output')
      await s.sessions.agentOut(agentId, sessionId(request.params.id), out)
      return reply.code(204).send()
    })

    child.post<{ Params: { id: string }, Querystring: { after?: string } }>(`${HubPath.AgentSessions}/:id/in`, async (request, reply) => {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
      const agentId = await s.requestAuth.authenticate({ method: request.method, url: request.url, headers: request.headers, body })
      const after = request.query.after ?? '0'
      if (!/^[0-9]{1,15}$/.test(after)) throw new HubError(HubErrorCode.BadRequest, '"after" must be a non-negative integer')
      return s.sessions.agentPoll(agentId, sessionId(request.params.id), Number(after), requestSignal(reply.raw, s.closing))
    })
  })
}

function sessionId (id: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new HubError(HubErrorCode.NotFound, 'no such session')
  return id
}
