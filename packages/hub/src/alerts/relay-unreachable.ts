import type { AlertRuleRecord, AlertStore } from '../store/alert-store.ts'
import type { Store } from '../store/store.ts'
import { pathOf } from '../topology/host-paths.ts'
import type { AlertEngine } from './alert-engine.ts'
import type { HostDirectory } from './host-directory.ts'
import type { OpenAlerts } from './open-alerts.ts'
import type { RuleBook } from './rule-book.ts'
import { inScope } from './rule-match.ts'

/** A silent host: id and last report (hub clock). */
export interface SilentHost { readonly id: string, readonly lastSeen: number }

/** Most host names an alert's summary spells out; the rest are counted. */
export const MAX_NAMED_HOSTS = 20

/**
 * Groups silent hosts by the failed relay they sit behind: for each host, the failed relay on its
 * path nearest the hub (a relay further out is cut off by that one too, so it and the hosts behind
 * it belong to the same outage). Hosts with no failed relay on their path are left out: they are
 * simply offline. A failed relay is itself in a group only when it sits behind another.
 *
 * `silent`: hosts that missed at least one interval. `failed`: the relays counted as failed
 * (silent ones, and those whose outage is still being waited out).
 */
export function groupByFailedRelay (silent: readonly SilentHost[], firstHops: ReadonlyMap<string, string>, failed: ReadonlySet<string>): Map<string, SilentHost[]> {
  const groups = new Map<string, SilentHost[]>()
  for (const h of silent) {
    let nearest: string | undefined
    for (const relay of pathOf(h.id, firstHops)) if (failed.has(relay)) nearest = relay
    if (nearest === undefined) continue
    const list = groups.get(nearest) ?? []
    list.push(h)
    groups.set(nearest, list)
  }
  return groups
}

/** What the relay sweep is built from. */
export interface RelaySweepDeps {
  readonly store: AlertStore
  readonly topology: Pick<Store, 'topology' | 'listHostSummaries'>
  readonly rules: RuleBook
  readonly open: OpenAlerts
  readonly engine: AlertEngine
  readonly hosts: HostDirectory
  readonly intervalMs: number
  readonly startedAt: number
}

type RelayRule = AlertRuleRecord & { condition: { type: 'relay-unreachable' } }

/**
 * `relay-unreachable`: one alert on a failed relay naming the hosts cut off behind it, in place of
 * one `host-offline` alert per host. A relay has failed once it missed an interval. Its alert stays
 * open while hosts behind it are silent; once the relay reports again, those hosts get as many
 * intervals as the rule waits to reconnect through it before they count as offline on their own.
 */
export class RelayUnreachable {
  readonly #d: RelaySweepDeps
  /** Relays with an open alert that report again, and since when (hub clock). */
  readonly #back = new Map<string, number>()
  #firstHops: { readonly map: ReadonlyMap<string, string>, readonly at: number } | undefined

  constructor (deps: RelaySweepDeps) {
    this.#d = deps
  }

  /**
   * Opens and resolves the relay alerts; returns the hosts whose `host-offline` alerts the
   * relay alerts stand for (those behind a failed relay that an enabled rule covers).
   */
  async run (now: number): Promise<Set<string>> {
    const d = this.#d
    const covered = new Set<string>()
    const rules = d.rules.enabled('relay-unreachable')
    if (rules.length === 0) {
      this.#back.clear()
      return covered
    }
    const silent = await d.store.silentHosts(now - d.intervalMs)
    const openOn = new Set(rules.flatMap((r) => d.open.ofRule(r.id).map((a) => a.hostId)))
    if (silent.length === 0 && openOn.size === 0) return covered
    const failed = this.#failed(silent, openOn, rules, now)
    const groups = failed.size === 0 ? new Map<string, SilentHost[]>() : groupByFailedRelay(silent, await this.#hops(now), failed)

    for (const rule of rules) {
      for (const a of d.open.ofRule(rule.id)) if (!groups.has(a.hostId)) await d.engine.clear(rule.id, a.hostId, now)
    }
    for (const [relayId, behind] of groups) {
      const relay = await d.hosts.get(relayId)
      if (relay === undefined) continue
      for (const rule of rules) {
        if (!inScope(rule.scope, relay)) continue
        for (const h of behind) covered.add(h.id)
        const limit = rule.condition.missedIntervals * d.intervalMs
        // Right after a hub start every host looks silent: give each its intervals to come back.
        if (now - d.startedAt < limit || d.open.get(rule.id, relayId) !== undefined) continue
        if (!behind.some((h) => now - h.lastSeen > limit)) continue
        await d.engine.raise(rule, relay, { summary: await this.#summary(relay.name, behind), metric: null, value: null }, now)
      }
    }
    return covered
  }

  /** Silent relays, and relays with an open alert that are back for fewer intervals than their rule waits. */
  #failed (silent: readonly SilentHost[], openOn: ReadonlySet<string>, rules: readonly RelayRule[], now: number): Set<string> {
    const failed = new Set(silent.map((h) => h.id))
    const wait = Math.max(...rules.map((r) => r.condition.missedIntervals)) * this.#d.intervalMs
    for (const id of [...this.#back.keys()]) if (!openOn.has(id) || failed.has(id)) this.#back.delete(id)
    for (const id of openOn) {
      if (failed.has(id)) continue
      const since = this.#back.get(id) ?? now
      this.#back.set(id, since)
      if (now - since < wait) failed.add(id)
    }
    return failed
  }

  /** The first hops, read at most once per interval: they change slowly, and a relay's failure keeps them. */
  async #hops (now: number): Promise<ReadonlyMap<string, string>> {
    const cached = this.#firstHops
    if (cached !== undefined && now - cached.at < this.#d.intervalMs && now >= cached.at) return cached.map
    const map = await this.#d.topology.topology.firstHops()
    this.#firstHops = { map, at: now }
    return map
  }

  async #summary (relayName: string, behind: readonly SilentHost[]): Promise<string> {
    const names = (await this.#d.topology.listHostSummaries(behind.map((h) => h.id))).map((h) => h.name)
    const shown = names.slice(0, MAX_NAMED_HOSTS).join(', ')
    const more = names.length > MAX_NAMED_HOSTS ? ` and ${names.length - MAX_NAMED_HOSTS} more` : ''
    const n = behind.length
    return `${n} host${n === 1 ? '' : 's'} unreachable behind relay ${relayName}: ${shown}${more}`.slice(0, 1024)
  }
}
