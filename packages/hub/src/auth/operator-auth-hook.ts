import type { FastifyInstance, FastifyRequest } from 'fastify'
import { HubError, HubErrorCode } from '../errors.ts'
import { AuditAction, type AuditLog } from '../audit/audit-log.ts'
import { roleAllows, type ApiTokenService, type OperatorIdentity } from './api-token-service.ts'
import type { RouteAuth } from '../http/route-spec.ts'

/** Identity of each authenticated operator request (kept off the request object's type). */
const identities = new WeakMap<FastifyRequest, OperatorIdentity>()

/** The operator a request was authenticated as, if any. */
export function operatorOf (request: FastifyRequest): OperatorIdentity | undefined {
  return identities.get(request)
}

/**
 * Adds the one authentication hook of the operator API: it runs before the body is read,
 * resolves the bearer token (401), then checks the route's role (403, audited as a denial).
 * `authOf` tells what a route (method and Fastify url) requires.
 */
export function installOperatorAuth (app: FastifyInstance, tokens: ApiTokenService, audit: AuditLog, authOf: (method: string, url: string) => RouteAuth | undefined): void {
  app.addHook('onRequest', async (request) => {
    const needed = authOf(request.method, request.routeOptions.url ?? '')
    if (needed === undefined || needed === 'none' || needed === 'agent' || needed === 'enroll') return
    const identity = await tokens.authenticate(request.headers.authorization)
    if (!roleAllows(identity.role, needed)) {
      await audit.record({ actor: identity.actor, action: AuditAction.ApiAccess, target: `${request.method} ${request.routeOptions.url ?? ''}`, result: 'denied', detail: { role: identity.role, needed } })
      throw new HubError(HubErrorCode.Forbidden, `this needs the ${needed} role`)
    }
    identities.set(request, identity)
  })
}
