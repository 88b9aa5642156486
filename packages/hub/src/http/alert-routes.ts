import { Type } from '@sinclair/typebox'
import {
  AckRequest, Alert, AlertQuery, AlertRule, AlertRuleInput, ErrorEnvelope, IdParams, Role, Silence, SilenceInput
} from '@outpost/protocol'
import type { HubServices } from '../hub-services.ts'
import { HubError, HubErrorCode } from '../errors.ts'
import { AuditAction } from '../audit/audit-log.ts'
import type { OperatorIdentity } from '../auth/api-token-service.ts'
import { routeName } from '../auth/host-scope.ts'
import { defineRoute } from './route-spec.ts'
import type { AnyOperatorRoute } from './operator-routes.ts'

const errors = { 400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope }
const Deleted = Type.Null({ description: 'no content' })

/** The alert API: rules (admin), alerts and their acknowledgement (operator), silences (operator). */
export function alertRoutes (s: HubServices): readonly AnyOperatorRoute[] {
  const a = s.alerts.admin
  const actor = (identity: { actor: string } | undefined): string => identity?.actor ?? 'system'
  const scope = s.hostScope
  /**
   * A silence may only be made for what its maker sees. A host out of scope answers like a
   * missing one (404); a group or `all` is refused outright (403): a group is a name, so the
   * refusal tells nothing about which hosts exist.
   */
  const silenceInScope = async (target: SilenceInput['scope'], identity: OperatorIdentity | undefined, route: string): Promise<void> => {
    if (await scope.canSeeScope(identity, target)) return
    if (target.type === 'host') await scope.deny(identity, `host:${target.hostId}`, route, 'no such host')
    await s.audit.record({ actor: actor(identity), action: AuditAction.ApiAccess, target: target.type === 'group' ? `group:${target.group}` : 'group:*', result: 'denied', detail: { reason: 'host-scope', route, groups: [...(identity?.groups ?? [])] } })
    throw new HubError(HubErrorCode.Forbidden, target.type === 'all' ? 'only a user who sees every host group may silence all hosts' : 'this host group is not one of yours')
  }
  return [
    defineRoute({
      method: 'GET', url: '/api/v1/alert-rules', summary: 'List alert rules', auth: Role.Viewer,
      responses: { 200: Type.Array(AlertRule), ...errors },
      handler: async () => a.listRules()
    }),
    defineRoute({
      method: 'POST', url: '/api/v1/alert-rules', summary: 'Create an alert rule', auth: Role.Admin, body: AlertRuleInput,
      okStatus: 201, responses: { 201: AlertRule, ...errors },
      handler: async ({ body, identity }) => a.createRule(body, actor(identity))
    }),
    defineRoute({
      method: 'PUT', url: '/api/v1/alert-rules/:id', summary: 'Replace an alert rule', auth: Role.Admin, params: IdParams, body: AlertRuleInput,
      responses: { 200: AlertRule, ...errors },
      handler: async ({ params, body, identity }) => a.updateRule(params.id, body, actor(identity))
    }),
    defineRoute({
      method: 'DELETE', url: '/api/v1/alert-rules/:id', summary: 'Delete an alert rule (its open alerts resolve without a notice)', auth: Role.Admin, params: IdParams,
      okStatus: 204, responses: { 204: Deleted, ...errors },
      handler: async ({ params, identity }) => { await a.deleteRule(params.id, actor(identity)) }
    }),
    defineRoute({
      method: 'GET', url: '/api/v1/alerts', summary: 'List alerts, newest first (`state=open`: firing or acknowledged)', auth: Role.Viewer, query: AlertQuery,
      responses: { 200: Type.Array(Alert), ...errors },
      handler: async ({ query, identity }) => {
        const hostIds = await scope.visibleHostIds(identity)
        return a.listAlerts({
          ...(query.state === undefined ? {} : { state: query.state }),
          ...(query.hostId === undefined ? {} : { hostId: query.hostId }),
          ...(hostIds === undefined ? {} : { hostIds }),
          ...(query.limit === undefined ? {} : { limit: Number(query.limit) })
        })
      }
    }),
    defineRoute({
      method: 'POST', url: '/api/v1/alerts/:id/ack', summary: 'Acknowledge a firing alert (event alerts resolve)', auth: Role.Operator, params: IdParams, body: AckRequest,
      responses: { 200: Alert, ...errors },
      handler: async ({ params, body, identity, request }) => {
        const alert = await s.store.alerts.getAlert(params.id)
        if (alert !== undefined) await scope.requireHostId(identity, alert.hostId, `alert:${params.id}`, routeName(request), 'no such alert')
        return a.acknowledge(params.id, actor(identity), body.comment)
      }
    }),
    defineRoute({
      method: 'GET', url: '/api/v1/silences', summary: 'List silences and maintenance windows', auth: Role.Viewer,
      responses: { 200: Type.Array(Silence), ...errors },
      handler: async ({ identity }) => {
        const all = await a.listSilences()
        const shown = await Promise.all(all.map(async (x) => x.scope.type === 'all' || await scope.canSeeScope(identity, x.scope)))
        return all.filter((_, i) => shown[i])
      }
    }),
    defineRoute({
      method: 'POST', url: '/api/v1/silences', summary: 'Create a silence or schedule a maintenance window', auth: Role.Operator, body: SilenceInput,
      okStatus: 201, responses: { 201: Silence, ...errors },
      handler: async ({ body, identity, request }) => {
        await silenceInScope(body.scope, identity, routeName(request))
        return a.createSilence(body, actor(identity))
      }
    }),
    defineRoute({
      method: 'DELETE', url: '/api/v1/silences/:id', summary: 'Delete a silence', auth: Role.Operator, params: IdParams,
      okStatus: 204, responses: { 204: Deleted, ...errors },
      handler: async ({ params, identity, request }) => {
        const silence = (await a.listSilences()).find(x => x.id === params.id)
        if (silence !== undefined && !await scope.canSeeScope(identity, silence.scope)) await scope.deny(identity, `silence:${params.id}`, routeName(request), 'no such silence')
        await a.deleteSilence(params.id, actor(identity))
      }
    })
  ]
}
