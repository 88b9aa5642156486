import { Type } from '@sinclair/typebox'
import {
  AuditList, AuditQuery, CreateUserRequest, ErrorEnvelope, LiveEvent, LoginRequest, PresenceList, Role, SessionInfo, TotpEnrollment,
  UpdateUserRequest, UserList, UserNameParams, UserView, ViewingRequest
} from '@outpost/protocol'
import { HubError, HubErrorCode } from '../errors.ts'
import type { HubServices } from '../hub-services.ts'
import { AuditAction } from '../audit/audit-log.ts'
import type { OperatorIdentity, OperatorSession } from '../auth/api-token-service.ts'
import { clearedSessionCookie, sessionCookie } from '../auth/session-service.ts'
import { routeName } from '../auth/host-scope.ts'
import { defineRoute } from './route-spec.ts'
import type { AnyOperatorRoute } from './operator-routes.ts'

/** Entries `GET /api/v1/audit` returns unless `limit` says otherwise. */
export const DEFAULT_AUDIT_LIMIT = 100

const errors = { 400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope }
const throttled = { 429: ErrorEnvelope }
const NoContent = Type.Null({ description: 'no body' })

/**
 * The console's routes: session (login, logout), presence, live events, users and audit. Roles
 * are enforced by the auth hook from `auth`; handlers check only what depends on the data
 * (e.g. "admin or the user themself").
 */
export function consoleRoutes (s: HubServices): readonly AnyOperatorRoute[] {
  const c = s.console
  return [
    defineRoute({
      method: 'POST', url: '/api/v1/session', summary: 'Log in: sets the HttpOnly session cookie and answers the CSRF token', auth: 'none', body: LoginRequest,
      responses: { 200: SessionInfo, ...errors, ...throttled },
      handler: async ({ body, request, reply }) => {
        const session = await c.login.login(body, request.ip)
        void reply.header('set-cookie', sessionCookie(session.token)).header('cache-control', 'no-store')
        c.presence.publishSoon()
        return session.info
      }
    }),
    defineRoute({
      method: 'GET', url: '/api/v1/session', summary: 'The current console session', auth: Role.Viewer,
      responses: { 200: SessionInfo, ...errors },
      handler: async ({ identity, reply }) => {
        const session = sessionOf(identity)
        void reply.header('cache-control', 'no-store')
        return { user: session.userName, role: identity?.role, groups: [...(identity?.groups ?? [])], csrfToken: session.csrfToken, expiresAt: new Date(session.expiresAt).toISOString() }
      }
    }),
    defineRoute({
      method: 'DELETE', url: '/api/v1/session', summary: 'Log out: ends the session and its event streams', auth: Role.Viewer,
      okStatus: 204, responses: { 204: NoContent, ...errors },
      handler: async ({ identity, reply }) => {
        const session = sessionOf(identity)
        await c.sessions.end(session.tokenHash)
        c.live.endSession(session.tokenHash)
        await s.audit.record({ actor: `user:${session.userName}`, action: AuditAction.Logout, target: `user:${session.userName}`, result: 'ok' })
        void reply.header('set-cookie', clearedSessionCookie())
        c.presence.publishSoon()
        return undefined
      }
    }),
    defineRoute({
      method: 'GET', url: '/api/v1/presence', summary: 'Operators logged in to the console now, with the host page each has open', auth: Role.Viewer,
      responses: { 200: PresenceList, ...errors },
      handler: async ({ identity }) => s.hostScope.presenceFor(identity, await c.presence.list())
    }),
    defineRoute({
      method: 'POST', url: '/api/v1/presence/viewing', summary: 'Tell others which host page this session has open (null: none)', auth: Role.Viewer, body: ViewingRequest,
      okStatus: 204, responses: { 204: NoContent, ...errors },
      handler: async ({ identity, body, request }) => {
        const session = sessionOf(identity)
        if (body.hostId !== null) await s.hostScope.hostOr404(identity, body.hostId, routeName(request))
        await c.presence.setViewing(session.tokenHash, body.hostId)
        return undefined
      }
    }),
    defineRoute({
      method: 'GET', url: '/api/v1/events', summary: 'Live events as Server-Sent Events (`event: <type>`, `data: <LiveEvent JSON>`); heartbeats every 25 s', auth: Role.Viewer,
      responses: { 200: LiveEvent, ...errors, ...throttled },
      handler: async ({ identity, reply }) => {
        if (identity === undefined) throw new HubError(HubErrorCode.Unauthenticated, 'log in first')
        c.live.admit(identity)
        reply.hijack()
        c.live.open(reply.raw, identity)
        return undefined
      }
    }),
    defineRoute({
      method: 'GET', url: '/api/v1/users', summary: 'List users', auth: Role.Admin,
      responses: { 200: UserList, ...errors },
      handler: async () => c.users.list()
    }),
    defineRoute({
      method: 'POST', url: '/api/v1/users', summary: 'Create a user', auth: Role.Admin, body: CreateUserRequest,
      okStatus: 201, responses: { 201: UserView, ...errors, 409: ErrorEnvelope },
      handler: async ({ body, identity }) => c.users.create(body, actorOf(identity))
    }),
    defineRoute({
      method: 'PATCH', url: '/api/v1/users/:name', summary: 'Change a user: role, e-mail, groups, disabled, password (disabling or a new password ends their sessions)', auth: Role.Admin,
      params: UserNameParams, body: UpdateUserRequest,
      responses: { 200: UserView, ...errors, 409: ErrorEnvelope },
      handler: async ({ params, body, identity }) => c.users.update(params.name, body, actorOf(identity))
    }),
    defineRoute({
      method: 'POST', url: '/api/v1/users/:name/totp', summary: 'Enable TOTP (admin, or the user themself): answers the new secret once', auth: Role.Viewer, params: UserNameParams,
      responses: { 200: TotpEnrollment, ...errors },
      handler: async ({ params, identity, request, reply }) => {
        await selfOrAdmin(s, identity, params.name, `${request.method} ${request.routeOptions.url ?? ''}`)
        void reply.header('cache-control', 'no-store')
        return c.users.enableTotp(params.name, actorOf(identity))
      }
    }),
    defineRoute({
      method: 'DELETE', url: '/api/v1/users/:name/totp', summary: 'Disable TOTP (admin, or the user themself)', auth: Role.Viewer, params: UserNameParams,
      responses: { 200: UserView, ...errors },
      handler: async ({ params, identity, request }) => {
        await selfOrAdmin(s, identity, params.name, `${request.method} ${request.routeOptions.url ?? ''}`)
        return c.users.disableTotp(params.name, actorOf(identity))
      }
    }),
    defineRoute({
      method: 'GET', url: '/api/v1/audit', summary: 'The audit log, newest first, filtered by exact actor, action or target (admin only)', auth: Role.Admin, query: AuditQuery,
      responses: { 200: AuditList, ...errors },
      handler: async ({ query }) => {
        const rows = await s.store.console.queryAudit({ limit: query.limit === undefined ? DEFAULT_AUDIT_LIMIT : Number(query.limit), actor: query.actor, action: query.action, target: query.target })
        return rows.map((r) => ({ id: r.id, time: new Date(r.time).toISOString(), actor: r.actor, action: r.action, target: r.target, result: r.result, detail: { ...r.detail } }))
      }
    })
  ]
}

function sessionOf (identity: OperatorIdentity | undefined): OperatorSession {
  if (identity?.session === undefined) throw new HubError(HubErrorCode.Unauthenticated, 'this needs a console session (log in with POST /api/v1/session)')
  return identity.session
}

function actorOf (identity: OperatorIdentity | undefined): string {
  return identity?.actor ?? 'system'
}

/** Admins may act on anyone; others only on themselves (a denial is audited like the hook's). */
async function selfOrAdmin (s: HubServices, identity: OperatorIdentity | undefined, name: string, target: string): Promise<void> {
  if (identity === undefined) throw new HubError(HubErrorCode.Unauthenticated, 'log in first')
  if (identity.role === Role.Admin || identity.actor === `user:${name}`) return
  await s.audit.record({ actor: identity.actor, action: AuditAction.ApiAccess, target, result: 'denied', detail: { role: identity.role, needed: 'admin or self' } })
  throw new HubError(HubErrorCode.Forbidden, 'only an admin or the user themself may do this')
}
