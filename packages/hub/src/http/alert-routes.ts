import { Type } from '@sinclair/typebox'
import {
  AckRequest, Alert, AlertQuery, AlertRule, AlertRuleInput, ErrorEnvelope, IdParams, Role, Silence, SilenceInput
} from '@outpost/protocol'
import type { HubServices } from '../hub-services.ts'
import { defineRoute } from './route-spec.ts'
import type { AnyOperatorRoute } from './operator-routes.ts'

const errors = { 400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope }
const Deleted = Type.Null({ description: 'no content' })

/** The alert API: rules (admin), alerts and their acknowledgement (operator), silences (operator). */
export function alertRoutes (s: HubServices): readonly AnyOperatorRoute[] {
  const a = s.alerts.admin
  const actor = (identity: { actor: string } | undefined): string => identity?.actor ?? 'system'
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
      handler: async ({ query }) => a.listAlerts({
        ...(query.state === undefined ? {} : { state: query.state }),
        ...(query.hostId === undefined ? {} : { hostId: query.hostId }),
        ...(query.limit === undefined ? {} : { limit: Number(query.limit) })
      })
    }),
    defineRoute({
      method: 'POST', url: '/api/v1/alerts/:id/ack', summary: 'Acknowledge a firing alert (event alerts resolve)', auth: Role.Operator, params: IdParams, body: AckRequest,
      responses: { 200: Alert, ...errors },
      handler: async ({ params, body, identity }) => a.acknowledge(params.id, actor(identity), body.comment)
    }),
    defineRoute({
      method: 'GET', url: '/api/v1/silences', summary: 'List silences and maintenance windows', auth: Role.Viewer,
      responses: { 200: Type.Array(Silence), ...errors },
      handler: async () => a.listSilences()
    }),
    defineRoute({
      method: 'POST', url: '/api/v1/silences', summary: 'Create a silence or schedule a maintenance window', auth: Role.Operator, body: SilenceInput,
      okStatus: 201, responses: { 201: Silence, ...errors },
      handler: async ({ body, identity }) => a.createSilence(body, actor(identity))
    }),
    defineRoute({
      method: 'DELETE', url: '/api/v1/silences/:id', summary: 'Delete a silence', auth: Role.Operator, params: IdParams,
      okStatus: 204, responses: { 204: Deleted, ...errors },
      handler: async ({ params, identity }) => { await a.deleteSilence(params.id, actor(identity)) }
    })
  ]
}
