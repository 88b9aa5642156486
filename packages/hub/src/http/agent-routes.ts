import type { FastifyInstance } from 'fastify'
import { AgentMessage, EnrollRequest, EnrolledMessage, ErrorEnvelope, HubPath, ReplyMessage, parseJson } from '@outpost/protocol'
import type { HubServices } from '../hub-services.ts'
import { dispatchAgentMessage } from '../agents/agent-message-handlers.ts'
import { requestSignal } from './operator-routes.ts'
import type { RouteDoc } from './route-spec.ts'

const errors = { 400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope, 413: ErrorEnvelope, 503: ErrorEnvelope }

/** The agent endpoints as documented in OpenAPI. Bodies are validated after the signature check. */
export const agentRouteDocs: readonly RouteDoc[] = [
  { method: 'POST', url: HubPath.AgentEnroll, summary: 'Enroll a new agent with a single-use token', auth: 'enroll', body: EnrollRequest, responses: { 200: EnrolledMessage, ...errors } },
  { method: 'POST', url: HubPath.AgentMessages, summary: 'A signed agent message (headers x-outpost-*); polls are held until an instruction is queued', auth: 'agent', body: AgentMessage, responses: { 200: ReplyMessage, ...errors } }
]

/**
 * Registers the agent endpoints in their own encapsulated context, where every JSON body arrives
 * as raw bytes (the signature covers the exact bytes) with the agent body limit.
 */
export async function registerAgentRoutes (app: FastifyInstance, s: HubServices): Promise<void> {
  await app.register(async (child) => {
    child.removeAllContentTypeParsers()
    child.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: s.config.limits.agentBodyBytes }, (_req, body, done) => { done(null, body) })

    child.post(HubPath.AgentEnroll, async (request) => {
      return s.enroll.enroll(parseJson(EnrollRequest, bodyBytes(request.body), 'enrollment request'))
    })

    child.post(HubPath.AgentMessages, async (request, reply) => {
      const body = bodyBytes(request.body)
      const agentId = await s.requestAuth.authenticate({ method: request.method, url: request.url, headers: request.headers, body })
      // A child logger per request costs about as much as storing a small report, and nothing is
      // logged for a request that succeeds unless at debug: made up front only then, else on failure.
      const eager = s.log.isLevelEnabled('debug')
      if (eager) request.log = request.log.child({ agentId })
      try {
        const msg = parseJson(AgentMessage, body, 'agent message')
        return await dispatchAgentMessage(s.handlers, msg, { agentId, signal: requestSignal(reply.raw, s.closing) })
      } catch (err) {
        if (!eager) request.log = request.log.child({ agentId })
        throw err
      }
    })
  })
}

/** The raw body; a request without one is an empty body (which then fails to parse). */
function bodyBytes (body: unknown): Buffer {
  return Buffer.isBuffer(body) ? body : Buffer.alloc(0)
}
