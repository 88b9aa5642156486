import type { FastifyInstance } from 'fastify'
import type { HubServices } from '../hub-services.ts'
import { installOperatorAuth, operatorOf } from '../auth/operator-auth-hook.ts'
import { ProtocolError, ProtocolErrorCode } from '@outpost/protocol'
import type { AnyOperatorRoute } from './operator-routes.ts'
import type { RouteAuth } from './route-spec.ts'

/**
 * Registers the operator API in its own context: JSON bodies up to `limits.apiBodyBytes`,
 * one authentication hook, and each route's schemas validated by the TypeBox compiler.
 */
export async function registerOperatorApi (app: FastifyInstance, s: HubServices, routes: readonly AnyOperatorRoute[]): Promise<void> {
  const auth = new Map<string, RouteAuth>(routes.map(r => [`${r.method} ${r.url}`, r.auth]))
  await app.register(async (child) => {
    child.removeAllContentTypeParsers()
    child.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: s.config.limits.apiBodyBytes }, (_req, text, done) => {
      try {
        done(null, JSON.parse(typeof text === 'string' ? text : text.toString('utf8')))
      } catch (cause) {
        // Not a failure of the hub: the client's body is the problem, answered as 400.
        done(new ProtocolError(ProtocolErrorCode.Invalid, 'body is not valid JSON', { cause }), undefined)
      }
    })
    installOperatorAuth(child, s.console.authenticator, s.audit, (method, url) => auth.get(`${method} ${url}`))
    for (const r of routes) {
      child.route({
        method: r.method,
        url: r.url,
        ...(r.bodyLimit === undefined ? {} : { bodyLimit: r.bodyLimit }),
        schema: { ...(r.params === undefined ? {} : { params: r.params }), ...(r.query === undefined ? {} : { querystring: r.query }), ...(r.body === undefined ? {} : { body: r.body }) },
        handler: async (request, reply) => {
          const result = await r.handler({ params: request.params, query: request.query, body: request.body, identity: operatorOf(request), request, reply })
          // A handler that took the response over (the event stream) has answered already.
          if (reply.sent) return reply
          return reply.code(r.okStatus ?? 200).send(result)
        }
      })
    }
  })
}
