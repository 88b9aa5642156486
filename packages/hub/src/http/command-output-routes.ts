import type { FastifyInstance } from 'fastify'
import { Type } from '@sinclair/typebox'
import { CommandOutputChunk, CommandStatus, ErrorEnvelope, HubPath, IdParams, Role, parseJson } from '@outpost/protocol'
import type { HubServices } from '../hub-services.ts'
import { HubError, HubErrorCode } from '../errors.ts'
import { routeName } from '../auth/host-scope.ts'
import { CommandOutputStreams, relayOutputChunk, type CommandOutputDeps } from '../commands/command-output.ts'
import { defineRoute, type RouteDoc } from './route-spec.ts'
import type { AnyOperatorRoute } from './operator-routes.ts'

/** Largest chunk request: a 256 KiB chunk, JSON-escaped, fits. */
const OUTPUT_BODY_BYTES = 1024 * 1024
const errors = { 400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope }
const CommandIdParams = Type.Object({ commandId: IdParams.properties.id }, { additionalProperties: false })

/** The agent side, as documented in OpenAPI. */
export const commandOutputAgentDoc: RouteDoc = {
  method: 'POST', url: HubPath.AgentCommandOutput, auth: 'agent', params: CommandIdParams, body: CommandOutputChunk,
  summary: 'A signed chunk of a running command\'s output (the command must be this agent\'s and not finished: 404 / 409 otherwise); answers 204',
  responses: { 204: Type.Null({ description: 'no body' }), ...errors, 409: ErrorEnvelope, 413: ErrorEnvelope }
}

function deps (s: HubServices): CommandOutputDeps {
  return { bus: s.bus, commands: s.commands, audit: s.audit, now: s.now, closing: s.closing, log: s.log.child({ component: 'command-output' }) }
}

/** Registers the agent's output endpoint in its own context, where the body arrives as the signed raw bytes. */
export async function registerCommandOutputAgentRoute (app: FastifyInstance, s: HubServices): Promise<void> {
  const d = deps(s)
  await app.register(async (child) => {
    child.removeAllContentTypeParsers()
    child.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: OUTPUT_BODY_BYTES }, (_req, body, done) => { done(null, body) })
    child.post<{ Params: { commandId: string } }>(HubPath.AgentCommandOutput, async (request, reply) => {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
      const agentId = await s.requestAuth.authenticate({ method: request.method, url: request.url, headers: request.headers, body })
      const commandId = request.params.commandId
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(commandId)) throw new HubError(HubErrorCode.BadRequest, 'malformed command id')
      await relayOutputChunk(d, agentId, commandId, parseJson(CommandOutputChunk, body, 'output chunk'))
      return reply.code(204).send()
    })
  })
}

/** `GET /api/v1/commands/:id/output`: the live output of a command as Server-Sent Events. */
export function commandOutputRoutes (s: HubServices): readonly AnyOperatorRoute[] {
  const streams = new CommandOutputStreams(deps(s))
  return [
    defineRoute({
      method: 'GET', url: '/api/v1/commands/:id/output', auth: Role.Viewer, params: IdParams,
      summary: 'A command\'s output live, as Server-Sent Events: `event: chunk` (`CommandOutputChunk` JSON) per piece while it runs, then one `event: finished` (`CommandStatus` JSON, all the output included), then the stream ends. Comment heartbeats every 25 s. Only chunks posted after the stream opened are sent',
      responses: { 200: Type.Union([CommandOutputChunk, CommandStatus]), ...errors, 429: ErrorEnvelope },
      handler: async ({ params, identity, reply, request }) => {
        if (identity === undefined) throw new HubError(HubErrorCode.Unauthenticated, 'log in first')
        const c = await s.commands.get(params.id)
        await s.hostScope.requireHostId(identity, c.agentId, `command:${params.id}`, routeName(request), 'no such command')
        streams.admit(identity)
        reply.hijack()
        streams.open(reply.raw, params.id, identity)
        return undefined
      }
    })
  ]
}
