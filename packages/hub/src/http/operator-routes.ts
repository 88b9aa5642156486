import { Type } from '@sinclair/typebox'
import {
  CommandStatus, CommandWaitQuery, CreateCommandRequest, CreatedCommand, ErrorEnvelope, HostDetail, HostList,
  IdParams, InstructionBody, MetricQuery, MetricSeries, Role, validate
} from '@outpost/protocol'
import { canSeeHost, routeName } from '../auth/host-scope.ts'
import type { HubServices } from '../hub-services.ts'
import { commandStatus, hostDetail, hostSummary } from './api-views.ts'
import { invalid } from './error-mapping.ts'
import { defineRoute, type OperatorRoute } from './route-spec.ts'
import { alertRoutes } from './alert-routes.ts'
import { jobRoutes } from './job-routes.ts'
import { topologyRoutes } from './topology-routes.ts'
import { loadPaths } from '../topology/host-paths.ts'

/** Default and largest number of points one metrics query returns. */
export const DEFAULT_METRIC_POINTS = 1000
export const MAX_METRIC_POINTS = 100_000

const errors = { 400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope }

// `any` erases each route's own schema types so that routes of different shapes share one list.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyOperatorRoute = OperatorRoute<any, any, any>

/** The operator API; `openapi` produces the document served at `/api/v1/openapi.json`. */
export function operatorRoutes (s: HubServices, openapi: () => unknown): readonly AnyOperatorRoute[] {
  const interval = s.config.agentIntervalMs
  const scope = s.hostScope
  return [
    defineRoute({
      method: 'GET', url: '/api/v1/hosts', summary: 'List hosts', auth: Role.Viewer,
      responses: { 200: HostList, ...errors },
      handler: async ({ identity }) => {
        const [agents, counts] = await Promise.all([s.store.listHostSummaries(), s.store.alerts.openCounts()])
        const paths = await loadPaths(s.store, agents)
        return agents.filter(a => canSeeHost(identity, a)).map(a => hostSummary(a, s.now(), interval, counts.get(a.id), paths.via(a.id)))
      }
    }),
    defineRoute({
      method: 'GET', url: '/api/v1/hosts/:id', summary: 'One host with its latest data', auth: Role.Viewer, params: IdParams,
      responses: { 200: HostDetail, ...errors },
      handler: async ({ params, identity, request }) => hostDetail(s.store, await scope.hostOr404(identity, params.id, routeName(request)), s.now(), interval)
    }),
    defineRoute({
      method: 'GET', url: '/api/v1/hosts/:id/metrics', summary: 'Points of one metric of a host', auth: Role.Viewer, params: IdParams, query: MetricQuery,
      responses: { 200: MetricSeries, ...errors },
      handler: async ({ params, query, identity, request }) => {
        const host = await scope.hostOr404(identity, params.id, routeName(request))
        const to = query.to === undefined ? s.now() : parseTime(query.to, 'to')
        const from = query.from === undefined ? to - 3600_000 : parseTime(query.from, 'from')
        if (from > to) throw invalid('"from" is after "to"')
        const limit = Math.min(query.limit === undefined ? DEFAULT_METRIC_POINTS : Number(query.limit), MAX_METRIC_POINTS)
        const points = await s.store.queryMetrics(host.id, query.name, from, to, limit)
        return { hostId: host.id, name: query.name, points: points.map(p => ({ time: new Date(p.time).toISOString(), value: p.value })) }
      }
    }),
    defineRoute({
      method: 'POST', url: '/api/v1/hosts/:id/commands', summary: 'Queue an instruction for a host', auth: Role.Operator, params: IdParams, body: CreateCommandRequest,
      okStatus: 201, responses: { 201: CreatedCommand, ...errors },
      handler: async ({ params, body, identity, request }) => {
        // A missing host is left to `create`, which audits it; only a scope miss is refused here.
        const host = await s.store.getAgent(params.id)
        if (host !== undefined && !canSeeHost(identity, host)) await scope.deny(identity, `host:${params.id}`, routeName(request), 'no such host')
        const { ttlMs, ...rest } = body
        const id = await s.commands.create({ agentId: params.id, body: validate(InstructionBody, rest, 'instruction'), ttlMs: ttlMs ?? s.config.commandTtlMs, issuer: identity?.actor ?? 'system' })
        return { id }
      }
    }),
    defineRoute({
      method: 'GET', url: '/api/v1/commands/:id', summary: 'A command and its result; `wait` holds the answer until it finishes', auth: Role.Viewer, params: IdParams, query: CommandWaitQuery,
      responses: { 200: CommandStatus, ...errors },
      handler: async ({ params, query, reply, identity, request }) => {
        const first = await s.commands.get(params.id)
        await scope.requireHostId(identity, first.agentId, `command:${params.id}`, routeName(request), 'no such command')
        if (query.wait === undefined) return commandStatus(first, s.now())
        const c = await s.commands.waitFinished(params.id, Number(query.wait), requestSignal(reply.raw, s.closing))
        return commandStatus(c, s.now())
      }
    }),
    ...alertRoutes(s),
    ...jobRoutes(s),
    ...topologyRoutes(s),
    defineRoute({
      method: 'GET', url: '/api/v1/openapi.json', summary: 'This API described as OpenAPI 3.1', auth: 'none',
      responses: { 200: Type.Object({}, { additionalProperties: true }) },
      handler: async () => openapi()
    })
  ]
}

/** An abort signal for "the client went away or the hub is closing". */
export function requestSignal (res: { once: (ev: 'close', f: () => void) => unknown }, closing: AbortSignal): AbortSignal {
  const ac = new AbortController()
  res.once('close', () => { ac.abort() })
  return AbortSignal.any([ac.signal, closing])
}

function parseTime (v: string, name: string): number {
  const ms = /^[0-9]{1,15}$/.test(v) ? Number(v) : Date.parse(v)
  if (!Number.isFinite(ms)) throw invalid(`"${name}" is neither an ISO time nor milliseconds`)
  return ms
}
