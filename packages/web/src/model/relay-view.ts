import type { HopRef, LinkInfo, RelayHealth, RelaySummary } from '@outpost/protocol'
import { bytes } from './format.ts'

/** Worst first: a relay that is gone cuts hosts off, a stale one has lost its listener. */
const RANK: Readonly<Record<RelayHealth, number>> = { offline: 0, stale: 1, ok: 2 }

/** The label shown with each health. */
export const RELAY_HEALTH_TEXT: Readonly<Record<RelayHealth, string>> = { ok: 'OK', stale: 'Stale', offline: 'Offline' }

/**
 * Relays worst first (offline, stale, ok); among equals the one with more hosts cut off, then
 * by name and id so the order does not jump between refreshes.
 */
export function sortRelays (all: readonly RelaySummary[]): RelaySummary[] {
  return all.slice().sort((a, b) =>
    RANK[a.health] - RANK[b.health] || b.unreachable - a.unreachable || a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
}

/**
 * A host's relays in the order the hub sees them (nearest the hub first). `via` runs the other
 * way, from the host towards the hub, as the protocol sends it.
 */
export function hubwardHops (via: readonly HopRef[]): HopRef[] {
  return via.slice().reverse()
}

/** The whole path in words: `Hub ← gw-1 ← relay-2 ← web-3`; `Hub ← web-3` when direct. */
export function pathText (via: readonly HopRef[], self: string): string {
  return ['Hub', ...hubwardHops(via).map(h => h.name), self].join(' ← ')
}

/** The host list's short line, host side first: `via relay-2 → gw-1`; empty when direct. */
export function viaText (via: readonly HopRef[]): string {
  return via.length === 0 ? '' : `via ${via.map(h => h.name).join(' → ')}`
}

/** True when the agent is not on its preferred upstream (the first of its list did not answer). */
export function onBackup (link: LinkInfo | null): boolean {
  return link !== null && link.index > 0
}

const KIND_TEXT: Readonly<Record<LinkInfo['kind'], string>> = { direct: 'direct to', relay: 'via', proxy: 'through the proxy' }

/** What the agent says it uses: `via relay://10.0.0.5:7443, upstream #1 of the list (preferred)`. */
export function linkText (link: LinkInfo): string {
  const place = `upstream #${link.index + 1} of the list`
  return `${KIND_TEXT[link.kind]} ${link.label}, ${place}${link.index === 0 ? ' (preferred)' : ' (a backup: the ones before it did not answer)'}`
}

/** Traffic both ways: `↑ 1.5 MiB ↓ 20 KiB` (up: towards the hub). */
export function trafficText (up: number, down: number): string {
  return `↑ ${bytes(up)} ↓ ${bytes(down)}`
}

/** CPU of one core in percent, one decimal below 10: `0.4 %`, `37 %`. */
export function cpuText (percent: number): string {
  return `${percent < 10 ? percent.toFixed(1) : Math.round(percent)} %`
}

/** `3 hosts behind · 1 unreachable`, `no host behind`. */
export function behindText (r: Pick<RelaySummary, 'behind' | 'unreachable'>): string {
  if (r.behind === 0) return 'no host behind'
  const base = `${r.behind} ${r.behind === 1 ? 'host' : 'hosts'} behind`
  return r.unreachable === 0 ? base : `${base} · ${r.unreachable} unreachable`
}
