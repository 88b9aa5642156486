import type { CommandStatus, HopRef, HostDetail, HostSummary } from '@outpost/protocol'
import type { AgentRecord, CommandRecord, HostSummaryRecord, Store } from '../store/store.ts'
import type { AlertCounts } from '../store/alert-store.ts'
import { isFinished } from '../commands/command-service.ts'
import { loadPaths } from '../topology/host-paths.ts'

/** How many events a host detail shows. */
export const HOST_DETAIL_EVENTS = 20

const iso = (ms: number): string => new Date(ms).toISOString()
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms))

/**
 * A host as listed: online when heard from within three reporting intervals; `alerts` counts its
 * open alerts (from `store.alerts.openCounts()`); `via` its path (from `loadPaths`).
 */
export function hostSummary (a: HostSummaryRecord, now: number, intervalMs: number, alerts: AlertCounts = { critical: 0, warning: 0, info: 0 }, via: HopRef[] = []): HostSummary {
  const status = a.lastSeen === null ? 'unknown' : now - a.lastSeen <= 3 * intervalMs ? 'online' : 'offline'
  return { id: a.id, name: a.name, group: a.group, status, lastSeen: isoOrNull(a.lastSeen), enrolledAt: iso(a.enrolledAt), os: a.os, alerts: { ...alerts }, via }
}

/** A host with its latest inventory, metrics, snapshot, events, open alert counts, path and relay load. */
export async function hostDetail (store: Store, a: AgentRecord, now: number, intervalMs: number): Promise<HostDetail> {
  const [latest, events, counts, paths, link, relay] = await Promise.all([
    store.latestMetrics(a.id), store.recentEvents(a.id, HOST_DETAIL_EVENTS), store.alerts.openCounts(a.id),
    loadPaths(store, [a]), store.topology.getLink(a.id), store.topology.getRelay(a.id)
  ])
  return {
    ...hostSummary(a, now, intervalMs, counts.get(a.id), paths.via(a.id)),
    link: link?.link ?? null,
    relay: relay?.report ?? null,
    relayAt: isoOrNull(relay?.reportedAt ?? null),
    inventory: a.inventory,
    inventoryAt: isoOrNull(a.inventoryAt),
    metrics: latest.values,
    metricsAt: isoOrNull(latest.time),
    snapshot: a.snapshot,
    recentEvents: events
  }
}

/** A command as operators see it; one past its expiry without a result shows as `expired`. */
export function commandStatus (c: CommandRecord, now: number): CommandStatus {
  const expired = (c.status === 'queued' || c.status === 'sent') && isFinished(c, now)
  return {
    id: c.id,
    hostId: c.agentId,
    type: c.body.type,
    status: expired ? 'expired' : c.status,
    issuer: c.issuer,
    createdAt: iso(c.createdAt),
    expiresAt: iso(c.expiresAt),
    finishedAt: isoOrNull(c.finishedAt),
    exitCode: c.exitCode,
    signal: c.signal,
    stdout: c.stdout,
    stderr: c.stderr,
    truncated: c.truncated,
    error: c.error
  }
}
