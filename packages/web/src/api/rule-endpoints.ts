import { Type } from '@sinclair/typebox'
import { AlertRule, Silence, type AlertRuleInput, type SilenceInput } from '@outpost/protocol'
import type { ApiClient } from './api-client.ts'

const RuleList = Type.Array(AlertRule)
const SilenceList = Type.Array(Silence)
const Ignored = Type.Unknown()
const enc = encodeURIComponent

/** Alert rule API calls (changes: admins only, the hub enforces it). */
export const rules = {
  list: (c: ApiClient) => c.request('GET', '/api/v1/alert-rules', RuleList),
  create: (c: ApiClient, input: AlertRuleInput) => c.request('POST', '/api/v1/alert-rules', AlertRule, input),
  update: (c: ApiClient, id: string, input: AlertRuleInput) => c.request('PUT', `/api/v1/alert-rules/${enc(id)}`, AlertRule, input),
  remove: (c: ApiClient, id: string) => c.request('DELETE', `/api/v1/alert-rules/${enc(id)}`, Ignored)
}

/** Silence and maintenance window API calls (changes: operators and admins). */
export const silences = {
  list: (c: ApiClient) => c.request('GET', '/api/v1/silences', SilenceList),
  create: (c: ApiClient, input: SilenceInput) => c.request('POST', '/api/v1/silences', Silence, input),
  remove: (c: ApiClient, id: string) => c.request('DELETE', `/api/v1/silences/${enc(id)}`, Ignored)
}
