import { Type } from '@sinclair/typebox'
import {
  AuditList, CommandStatus, CreatedCommand, HostDetail, HostList, MetricSeries, PresenceList, SessionInfo, UserList, UserView,
  type LoginRequest, type Role, type SessionInfo as SessionInfoType
} from '@outpost/protocol'
import type { ApiClient } from './api-client.ts'

const Ignored = Type.Unknown()
const enc = encodeURIComponent

/** `POST /api/v1/session`: logs in; the hub sets the session cookie. */
export async function login (c: ApiClient, body: LoginRequest): Promise<SessionInfoType> {
  const s = await c.request('POST', '/api/v1/session', SessionInfo, body, { noRedirect: true })
  c.setCsrfToken(s.csrfToken)
  return s
}

/** `GET /api/v1/session`: who this browser is logged in as (401 when nobody). */
export async function currentSession (c: ApiClient): Promise<SessionInfoType> {
  const s = await c.request('GET', '/api/v1/session', SessionInfo, undefined, { noRedirect: true })
  c.setCsrfToken(s.csrfToken)
  return s
}

/** `DELETE /api/v1/session`: logs out. */
export async function logout (c: ApiClient): Promise<void> {
  await c.request('DELETE', '/api/v1/session', Ignored, undefined, { noRedirect: true })
  c.setCsrfToken(null)
}

/** Host API calls. */
export const hosts = {
  list: (c: ApiClient) => c.request('GET', '/api/v1/hosts', HostList),
  get: (c: ApiClient, id: string) => c.request('GET', `/api/v1/hosts/${enc(id)}`, HostDetail),
  metrics: (c: ApiClient, id: string, name: string, fromMs: number) =>
    c.request('GET', `/api/v1/hosts/${enc(id)}/metrics?name=${enc(name)}&from=${fromMs}&limit=500`, MetricSeries),
  exec: (c: ApiClient, id: string, argv: readonly string[]) =>
    c.request('POST', `/api/v1/hosts/${enc(id)}/commands`, CreatedCommand, { type: 'exec', argv }),
  command: (c: ApiClient, id: string, waitMs: number, signal?: AbortSignal) =>
    c.request('GET', `/api/v1/commands/${enc(id)}?wait=${waitMs}`, CommandStatus, undefined, signal === undefined ? {} : { signal })
}

/** Presence API calls. */
export const presence = {
  list: (c: ApiClient) => c.request('GET', '/api/v1/presence', PresenceList),
  viewing: (c: ApiClient, hostId: string | null) => c.request('POST', '/api/v1/presence/viewing', Ignored, { hostId })
}

/** Audit log query; empty filters are left out. */
export function auditLog (c: ApiClient, filter: { actor?: string, action?: string, target?: string }) {
  const q = new URLSearchParams({ limit: '200' })
  for (const [k, v] of Object.entries(filter)) if (v !== undefined && v !== '') q.set(k, v)
  return c.request('GET', `/api/v1/audit?${q.toString()}`, AuditList)
}

/** User administration (admin only). */
export const users = {
  list: (c: ApiClient) => c.request('GET', '/api/v1/users', UserList),
  create: (c: ApiClient, u: { name: string, password: string, role: Role }) => c.request('POST', '/api/v1/users', UserView, u),
  update: (c: ApiClient, name: string, patch: { role?: Role, disabled?: boolean }) => c.request('PATCH', `/api/v1/users/${enc(name)}`, UserView, patch)
}
