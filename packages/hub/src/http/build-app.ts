import Fastify, { LogController, type FastifyInstance } from 'fastify'
import { Type } from '@sinclair/typebox'
import { HubPath } from '@outpost/protocol'
import { HubErrorCode } from '../errors.ts'
import type { HubServices } from '../hub-services.ts'
import type { TlsMaterial } from '../tls/tls-material.ts'
import { installErrorHandling } from './error-handler.ts'
import { typeboxValidatorCompiler } from './typebox-validator.ts'
import { agentRouteDocs, registerAgentRoutes } from './agent-routes.ts'
import { registerOperatorApi } from './operator-api.ts'
import { operatorRoutes } from './operator-routes.ts'
import { buildOpenApi } from './openapi.ts'
import type { RouteDoc } from './route-spec.ts'
import { consoleRoutes } from './console-routes.ts'
import { registerConsole } from './console-static.ts'
import { SECURITY_HEADERS } from './security-headers.ts'
import { sessionRoutes, sessionSocketDocs } from '../sessions/session-routes.ts'
import { registerSessionAgentRoutes, sessionAgentRouteDocs } from '../sessions/session-agent-routes.ts'
import { fileTransferRouteDocs, registerFileTransferRoutes } from './file-transfer-routes.ts'
import { commandOutputAgentDoc, commandOutputRoutes, registerCommandOutputAgentRoute } from './command-output-routes.ts'
import { registerRelayRoutes, relayRouteDoc } from './relay-routes.ts'

const healthDoc: RouteDoc = { method: 'GET', url: HubPath.Health, summary: 'Liveness probe', auth: 'none', responses: { 200: Type.Object({ status: Type.Literal('ok') }) } }
const wsDoc: RouteDoc = { method: 'GET', url: HubPath.AgentWebSocket, summary: 'Agent WebSocket (upgrade): challenge, signed auth, then agent frames and hub replies', auth: 'agent', responses: { 101: Type.Object({}) } }

/** Builds the HTTPS Fastify app (not listening): health, agent API, operator API, one error handler. */
export async function buildApp (s: HubServices, tls: TlsMaterial): Promise<FastifyInstance> {
  const app = Fastify({
    // ALPN as node:https does by default (http/1.1 or a no_application_protocol alert), but chosen
    // by a callback: with a protocol list Node copies it into every TLS socket's options, a slice
    // of its 64 KB buffer pool that kept a whole pool slab alive per few dozen connected agents.
    https: { key: tls.keyPem, cert: tls.certPem, minVersion: 'TLSv1.2', ALPNCallback: selectHttp11 },
    loggerInstance: s.log,
    // Request start/end and failures are logged by our own policy (log-policy.ts), once.
    logController: new LogController({ disableRequestLogging: true }),
    // The agent routes have their own limit; this one covers everything else.
    bodyLimit: s.config.limits.apiBodyBytes,
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 200 },
    // Malformed URLs (bad percent-encoding, too long a parameter) fail before any hook: answered here with the envelope and the security headers.
    frameworkErrors: (_err, _request, reply) => {
      reply.raw.writeHead(400, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8' })
      reply.raw.end(JSON.stringify({ error: { code: HubErrorCode.BadRequest, message: 'malformed URL' } }))
    }
  }) as unknown as FastifyInstance // the https-typed instance is used only through the common API
  app.setValidatorCompiler(typeboxValidatorCompiler)
  installErrorHandling(app)
  app.addHook('onRequest', async (_request, reply) => { void reply.headers(SECURITY_HEADERS) })

  let openapi: Record<string, unknown> | undefined
  const routes = [...operatorRoutes(s, () => openapi), ...consoleRoutes(s), ...sessionRoutes(s), ...commandOutputRoutes(s)]
  openapi = buildOpenApi([healthDoc, ...agentRouteDocs, relayRouteDoc, commandOutputAgentDoc, wsDoc, ...sessionAgentRouteDocs, ...sessionSocketDocs, ...routes, ...fileTransferRouteDocs])

  app.get(HubPath.Health, async () => ({ status: 'ok' as const }))
  await registerAgentRoutes(app, s)
  await registerSessionAgentRoutes(app, s)
  await registerCommandOutputAgentRoute(app, s)
  await registerRelayRoutes(app, s)
  await registerOperatorApi(app, s, routes)
  await registerFileTransferRoutes(app, s)
  registerConsole(app, s.config.consoleDir, s.log)
  return app
}

function selectHttp11 ({ protocols }: { readonly protocols: readonly string[] }): string | undefined {
  return protocols.includes('http/1.1') ? 'http/1.1' : undefined
}
