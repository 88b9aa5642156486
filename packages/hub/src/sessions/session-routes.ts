import { Type } from '@sinclair/typebox'
import { CreateSessionRequest, ErrorEnvelope, IdParams, LiveSessionInfo, LiveSessionList, LiveSessionListQuery, Role } from '@outpost/protocol'
import { routeName } from '../auth/host-scope.ts'
import type { HubServices } from '../hub-services.ts'
import { defineRoute, type RouteDoc } from '../http/route-spec.ts'
import type { AnyOperatorRoute } from '../http/operator-routes.ts'

const errors = { 400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope }

/** The operator routes of live sessions (the WebSocket itself is in `session-sockets.ts`). */
export function sessionRoutes (s: HubServices): readonly AnyOperatorRoute[] {
  return [
    defineRoute({
      method: 'POST', url: '/api/v1/hosts/:id/sessions', summary: 'Open a terminal on a host; join it at /api/v1/sessions/:id/ws', auth: Role.Operator, params: IdParams, body: CreateSessionRequest,
      okStatus: 201, responses: { 201: LiveSessionInfo, 429: ErrorEnvelope, ...errors },
      handler: async ({ params, body, identity, request }) => s.sessions.create(identity, params.id, body, routeName(request))
    }),
    defineRoute({
      method: 'GET', url: '/api/v1/sessions', summary: 'Live sessions of the hosts in scope, newest first', auth: Role.Viewer, query: LiveSessionListQuery,
      responses: { 200: LiveSessionList, ...errors },
      handler: async ({ query, identity, request }) => s.sessions.list(identity, query.hostId, routeName(request))
    }),
    defineRoute({
      method: 'GET', url: '/api/v1/sessions/:id', summary: 'One live session', auth: Role.Viewer, params: IdParams,
      responses: { 200: LiveSessionInfo, ...errors },
      handler: async ({ params, identity, request }) => s.sessions.info(await s.sessions.visible(identity, params.id, routeName(request)))
    }),
    defineRoute({
      method: 'GET', url: '/api/v1/sessions/:id/recording', summary: 'The session\'s asciicast v2 recording (application/x-asciicast; output and resizes, never input)', auth: Role.Operator, params: IdParams,
      responses: { 200: Type.String({ description: 'asciicast v2: a header line, then one JSON event per line' }), ...errors },
      handler: async ({ params, identity, request, reply }) => {
        const cast = await s.sessions.recording(identity, params.id, routeName(request))
        void reply.type('application/x-asciicast').header('content-disposition', `attachment; filename="session-${params.id}.cast"`)
        return cast
      }
    }),
    defineRoute({
      method: 'DELETE', url: '/api/v1/sessions/:id', summary: 'Close a live session (its creator or an admin)', auth: Role.Operator, params: IdParams,
      responses: { 200: LiveSessionInfo, ...errors },
      handler: async ({ params, identity, request }) => s.sessions.close(identity, params.id, routeName(request))
    })
  ]
}

/** The session WebSockets as documented in OpenAPI. */
export const sessionSocketDocs: readonly RouteDoc[] = [
  { method: 'GET', url: '/api/v1/sessions/:id/ws', summary: 'Join a live session (WebSocket upgrade): binary frames are terminal bytes, text frames SessionControl JSON', auth: Role.Operator, params: IdParams, responses: { 101: Type.Object({}), ...errors } },
  { method: 'GET', url: '/agent/v1/sessions/:id', summary: 'The agent side of a live session (WebSocket upgrade, signed over an empty body)', auth: 'agent', responses: { 101: Type.Object({}), ...errors } }
]
