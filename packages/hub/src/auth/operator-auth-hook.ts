import type { FastifyInstance, FastifyRequest } from 'fastify'
import { HubError, HubErrorCode } from '../errors.ts'
import { AuditAction, type AuditLog } from '../audit/audit-log.ts'
import { roleAllows, type OperatorIdentity } from './api-token-service.ts'
import { csrfSatisfied, type OperatorAuthenticator } from './operator-authenticator.ts'
import type { RouteAuth } from '../http/route-spec.ts'

/** Identity of each authenticated operator request (kept off the request object's type). */
const identities = new WeakMap<FastifyRequest, OperatorIdentity>()

/** The operator a request was authenticated as, if any. */
export function operatorOf (request: FastifyRequest): OperatorIdentity | undefined {
  return identities.get(request)
}

/**
 * Adds the one authentication hook of the operator API: it runs before the body is read,
 * resolves the bearer token or the session cookie (401), requires the CSRF token on
 * state-changing cookie requests (403 `HUB_ERR_CSRF`), then checks the route's role (403).
 * Refusals after authentication are audited. `authOf` tells what a route (method and Fastify url) requires.
 */
export function installOperatorAuth (app: FastifyInstance, authn: OperatorAuthenticator, audit: AuditLog, authOf: (method: string, url: string) => RouteAuth | undefined): void {
  app.addHook('onRequest', async (request) => {
    const needed = authOf(request.method, request.routeOptions.url ?? '')
    if (needed === undefined || needed === 'none' || needed === 'agent' || needed === 'enroll') return
    const identity = await authn.authenticate({ authorization: request.headers.authorization, cookie: request.headers.cookie })
    const target = `${request.method} ${request.routeOptions.url ?? ''}`
    if (!csrfSatisfied(identity, request.method, request.headers['x-csrf-token'])) {
      await audit.record({ actor: identity.actor, action: AuditAction.ApiAccess, target, result: 'denied', detail: { reason: 'csrf' } })
      throw new HubError(HubErrorCode.Csrf, 'send the session\'s CSRF token in x-csrf-token')
    }
    if (!roleAllows(identity.role, needed)) {
      await audit.record({ actor: identity.actor, action: AuditAction.ApiAccess, target, result: 'denied', detail: { role: identity.role, needed } })
      throw new HubError(HubErrorCode.Forbidden, `this needs the ${needed} role`)
    }
    identities.set(request, identity)
  })
}
