import type { AlertScope, LiveEvent, PresenceEntry } from '@outpost/protocol'
import type { AgentRecord, HostSummaryRecord, Store } from '../store/store.ts'
import { HubError, HubErrorCode } from '../errors.ts'
import { AuditAction, type AuditLog } from '../audit/audit-log.ts'
import type { OperatorIdentity } from './api-token-service.ts'

/**
 * True when the identity sees every host: a user with no host groups, or an API token made by
 * `outpost admin api-token` (it has no user, so no groups). No identity at all sees nothing, so
 * that a route wired without authentication fails closed.
 */
export function isUnrestricted (identity: OperatorIdentity | undefined): boolean {
  return identity !== undefined && (identity.groups === undefined || identity.groups.length === 0)
}

/** The one rule of host-group scoping: may this identity see hosts of this group? */
export function canSeeGroup (identity: OperatorIdentity | undefined, group: string): boolean {
  return isUnrestricted(identity) || (identity?.groups?.includes(group) ?? false)
}

/** `METHOD /fastify/url` of a request, as denials name the route. */
export function routeName (r: { readonly method: string, readonly routeOptions: { readonly url?: string | undefined } }): string {
  return `${r.method} ${r.routeOptions.url ?? ''}`
}

/** May this identity see this host (and everything about it: metrics, commands, alerts)? */
export function canSeeHost (identity: OperatorIdentity | undefined, host: { readonly group: string }): boolean {
  return canSeeGroup(identity, host.group)
}

/**
 * Applies `canSeeHost` for routes. A host out of scope is answered exactly like a missing one
 * (404 with the same message), so that a restricted user cannot learn which ids exist; the
 * attempt is audited as a denial so that an admin can see someone probing.
 */
export class HostScope {
  readonly #store: Store
  readonly #audit: AuditLog

  constructor (store: Store, audit: AuditLog) {
    this.#store = store
    this.#audit = audit
  }

  /** The host when it exists and is in scope; else 404 `no such host` (a scope miss is audited). */
  async hostOr404 (identity: OperatorIdentity | undefined, id: string, route: string): Promise<AgentRecord> {
    const host = await this.#store.getAgent(id)
    if (host === undefined) throw new HubError(HubErrorCode.NotFound, 'no such host')
    if (!canSeeHost(identity, host)) await this.deny(identity, `host:${id}`, route, 'no such host')
    return host
  }

  /** Throws the 404 a missing `thing` would get unless the host `hostId` exists and is in scope. */
  async requireHostId (identity: OperatorIdentity | undefined, hostId: string, target: string, route: string, missing: string): Promise<void> {
    if (isUnrestricted(identity)) return
    const host = await this.#summary(hostId)
    if (host === undefined || !canSeeHost(identity, host)) await this.deny(identity, target, route, missing)
  }

  /** The ids of the hosts in scope, or `undefined` when every host is. */
  async visibleHostIds (identity: OperatorIdentity | undefined): Promise<string[] | undefined> {
    if (isUnrestricted(identity)) return undefined
    return (await this.#store.listHostSummaries()).filter(h => canSeeHost(identity, h)).map(h => h.id)
  }

  /**
   * Whether the identity may see (and so create or delete) something scoped like an alert rule or
   * a silence: `all` only when unrestricted (it reaches hosts of every group), a group when in
   * scope, a host when it exists and is in scope.
   */
  async canSeeScope (identity: OperatorIdentity | undefined, scope: AlertScope): Promise<boolean> {
    if (isUnrestricted(identity)) return true
    if (scope.type === 'all') return false
    if (scope.type === 'group') return canSeeGroup(identity, scope.group)
    const host = await this.#summary(scope.hostId)
    return host !== undefined && canSeeHost(identity, host)
  }

  /** Presence with the open host page of others hidden (null) where that host is out of scope. */
  async presenceFor (identity: OperatorIdentity | undefined, list: readonly PresenceEntry[]): Promise<PresenceEntry[]> {
    if (isUnrestricted(identity)) return [...list]
    const ids = [...new Set(list.flatMap(e => e.viewingHostId === null ? [] : [e.viewingHostId]))]
    const visible = new Set((await this.#store.listHostSummaries(ids)).filter(h => canSeeHost(identity, h)).map(h => h.id))
    return list.map(e => e.viewingHostId === null || visible.has(e.viewingHostId) ? e : { ...e, viewingHostId: null })
  }

  /**
   * A live event as this identity may receive it, or `undefined` when it concerns a host out of
   * scope. Hosts carry their group; alerts and presence name host ids, which are looked up.
   */
  async liveEventFor (identity: OperatorIdentity | undefined, e: LiveEvent): Promise<LiveEvent | undefined> {
    if (isUnrestricted(identity)) return e
    if (e.type === 'host') return canSeeHost(identity, e.host) ? e : undefined
    if (e.type === 'presence') return { type: 'presence', presence: await this.presenceFor(identity, e.presence) }
    if (e.type === 'job') {
      // A job is shown only to those who see all its hosts (as `GET /api/v1/jobs` does).
      const groups = await this.#store.jobs.jobGroups(e.job.id)
      return groups !== undefined && groups.every(g => canSeeGroup(identity, g)) ? e : undefined
    }
    const host = await this.#summary(e.alert.hostId)
    return host !== undefined && canSeeHost(identity, host) ? e : undefined
  }

  async #summary (id: string): Promise<HostSummaryRecord | undefined> {
    return (await this.#store.listHostSummaries([id]))[0]
  }

  /** Audits a scope denial of `target`, then throws 404 with the message a missing one gets. */
  async deny (identity: OperatorIdentity | undefined, target: string, route: string, missing: string): Promise<never> {
    await this.#audit.record({ actor: identity?.actor ?? 'system', action: AuditAction.ApiAccess, target, result: 'denied', detail: { reason: 'host-scope', route, groups: [...(identity?.groups ?? [])] } })
    throw new HubError(HubErrorCode.NotFound, missing)
  }
}
