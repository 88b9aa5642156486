import type { HostSummary } from '@outpost/protocol'

/** Open alert counts of a host by severity. */
export interface AlertCounts { readonly critical: number, readonly warning: number, readonly info: number }

/** How a host looks in the list: worst first. */
export const Health = { Critical: 'critical', Offline: 'offline', Warning: 'warning', Unknown: 'unknown', Ok: 'ok' } as const
export type Health = (typeof Health)[keyof typeof Health]

const RANK: Record<Health, number> = { critical: 0, offline: 1, warning: 2, unknown: 3, ok: 4 }
const NONE: AlertCounts = { critical: 0, warning: 0, info: 0 }

/** The open alert counts the hub sends with a host (`HostSummary.alerts`), zeros when absent. */
export function alertCounts (h: HostSummary): AlertCounts {
  const a = (h as { alerts?: unknown }).alerts
  if (typeof a !== 'object' || a === null) return NONE
  const n = (k: string): number => { const v = (a as Record<string, unknown>)[k]; return typeof v === 'number' ? v : 0 }
  return { critical: n('critical'), warning: n('warning'), info: n('info') }
}

/** The one health word for a host. */
export function healthOf (h: HostSummary): Health {
  const a = alertCounts(h)
  if (a.critical > 0) return Health.Critical
  if (h.status === 'offline') return Health.Offline
  if (a.warning > 0) return Health.Warning
  if (h.status === 'unknown') return Health.Unknown
  return Health.Ok
}

/** Faulty: open critical or warning alerts, or offline. These are highlighted and listed first. */
export function isFaulty (h: HostSummary): boolean {
  const x = healthOf(h)
  return x === Health.Critical || x === Health.Offline || x === Health.Warning
}

/** Status filter values of the host list. */
export type HostFilter = 'all' | 'faulty' | 'online' | 'offline'

/** Filters by text (name, id, group, OS) and status, then sorts worst first, then by name. */
export function visibleHosts (all: readonly HostSummary[], text: string, filter: HostFilter): HostSummary[] {
  const q = text.trim().toLowerCase()
  const out = all.filter(h =>
    (q === '' || h.name.toLowerCase().includes(q) || h.id.toLowerCase().includes(q) || h.group.toLowerCase().includes(q) || h.os.toLowerCase().includes(q)) &&
    (filter === 'all' || (filter === 'faulty' ? isFaulty(h) : h.status === filter)))
  const rank = new Map(out.map(h => [h, RANK[healthOf(h)]]))
  return out.sort((a, b) => (rank.get(a) ?? 4) - (rank.get(b) ?? 4) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
}

/** Replaces or adds one host in a list (a live `host` event). */
export function upsertHost (all: readonly HostSummary[], h: HostSummary): HostSummary[] {
  const i = all.findIndex(x => x.id === h.id)
  if (i < 0) return [...all, h]
  const next = all.slice()
  next[i] = h
  return next
}
