import type { FastifyInstance } from 'fastify'
import { ErrorEnvelope, HubPath, RelayVerifyAnswer, RelayVerifyRequest, parseJson } from '@outpost/protocol'
import type { HubServices } from '../hub-services.ts'
import { verifyRelayConnect } from '../agents/relay-verify.ts'
import type { RouteDoc } from './route-spec.ts'

/** The relay check as documented in OpenAPI. */
export const relayRouteDoc: RouteDoc = {
  method: 'POST', url: HubPath.AgentRelayVerify, auth: 'agent', body: RelayVerifyRequest,
  summary: 'A relay (signed as an agent) asks whether a downstream agent\'s CONNECT signature is genuine; answers ok, or refused with a reason',
  responses: { 200: RelayVerifyAnswer, 400: ErrorEnvelope, 401: ErrorEnvelope }
}

/** Registers `POST /agent/v1/relay/verify` in its own context (raw body: the signature covers it). */
export async function registerRelayRoutes (app: FastifyInstance, s: HubServices): Promise<void> {
  const log = s.log.child({ component: 'relay-verify' })
  await app.register(async (child) => {
    child.removeAllContentTypeParsers()
    child.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: 8 * 1024 }, (_req, body, done) => { done(null, body) })
    child.post(HubPath.AgentRelayVerify, async (request) => {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
      const relayId = await s.requestAuth.authenticate({ method: request.method, url: request.url, headers: request.headers, body })
      const req = parseJson(RelayVerifyRequest, body, 'relay verify request')
      const answer = await verifyRelayConnect(s.store, req, relayId, s.now())
      if (!answer.ok) log.info({ relayId, agentId: req.agentId, reason: answer.reason }, 'relay CONNECT refused')
      return answer
    })
  })
}
