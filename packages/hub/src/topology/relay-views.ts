import type { RelayHealth, RelaySummary } from '@outpost/protocol'
import type { HostSummaryRecord } from '../store/store.ts'
import type { RelayRecord } from '../store/topology-store.ts'
import { hostSummary } from '../http/api-views.ts'
import type { HostPaths } from './host-paths.ts'

/** Intervals without a report after which a host is offline, or a relay report stale. */
export const RELAY_STALE_INTERVALS = 3

/**
 * `ok`: the relay's host is online and its last relay report is at most three intervals old;
 * `stale`: online, but no relay report for longer (its listener is gone or was turned off);
 * `offline`: the host itself is not online.
 */
export function relayHealth (status: 'online' | 'offline' | 'unknown', reportedAt: number, now: number, intervalMs: number): RelayHealth {
  if (status !== 'online') return 'offline'
  return now - reportedAt <= RELAY_STALE_INTERVALS * intervalMs ? 'ok' : 'stale'
}

/**
 * The relays as `GET /api/v1/relays` lists them. `hosts` are the hosts the caller may see:
 * relays outside them are left out, and `downstream`, `behind` and `unreachable` count only them,
 * so that counts say nothing of hosts the caller cannot list.
 */
export function relaySummaries (relays: readonly RelayRecord[], hosts: readonly HostSummaryRecord[], paths: HostPaths, now: number, intervalMs: number): RelaySummary[] {
  const byId = new Map(hosts.map((h) => [h.id, hostSummary(h, now, intervalMs)]))
  const behind = new Map<string, { total: number, offline: number }>()
  for (const h of byId.values()) {
    for (const relayId of paths.ids(h.id)) {
      const c = behind.get(relayId) ?? { total: 0, offline: 0 }
      c.total++
      if (h.status === 'offline') c.offline++
      behind.set(relayId, c)
    }
  }
  const out: RelaySummary[] = []
  for (const r of relays) {
    const h = byId.get(r.relayId)
    if (h === undefined) continue
    const counts = behind.get(r.relayId) ?? { total: 0, offline: 0 }
    const rep = r.report
    out.push({
      id: h.id,
      name: h.name,
      group: h.group,
      status: h.status,
      health: relayHealth(h.status, r.reportedAt, now, intervalMs),
      listen: rep.listen,
      reportedAt: new Date(r.reportedAt).toISOString(),
      via: paths.via(h.id),
      downstream: new Set(rep.downstream.filter((id) => byId.has(id))).size,
      behind: counts.total,
      unreachable: counts.offline,
      active: rep.active,
      connections: rep.connections,
      refused: rep.refused,
      bytesUp: rep.bytesUp,
      bytesDown: rep.bytesDown,
      cpuPercent: rep.cpuPercent
    })
  }
  return out.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
}
