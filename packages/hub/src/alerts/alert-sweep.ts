import type { AlertStore } from '../store/alert-store.ts'
import { MAX_ALERT_ROWS } from '../store/kysely/kysely-alert-store.ts'
import type { AlertEngine } from './alert-engine.ts'
import type { AlertLifecycle } from './alert-lifecycle.ts'
import type { HostDirectory } from './host-directory.ts'
import type { LivePublisher } from './live-publisher.ts'
import type { NotificationDrain } from './notification-drain.ts'
import type { OpenAlerts } from './open-alerts.ts'
import type { RuleBook } from './rule-book.ts'
import { inScope } from './rule-match.ts'
import { RelayUnreachable } from './relay-unreachable.ts'
import type { Store } from '../store/store.ts'

/** What the sweep is built from. */
export interface SweepDeps {
  readonly store: AlertStore
  readonly rules: RuleBook
  readonly open: OpenAlerts
  readonly engine: AlertEngine
  readonly lifecycle: AlertLifecycle
  readonly hosts: HostDirectory
  readonly live: LivePublisher
  readonly drain: NotificationDrain
  /** `config.agentIntervalMs`. */
  readonly intervalMs: number
  /** When this hub started (hub clock): hosts get their missed intervals to reconnect after a hub restart. */
  readonly startedAt: number
  /** Paths and names, for `relay-unreachable` (see `relay-unreachable.ts`). */
  readonly topology: Pick<Store, 'topology' | 'listHostSummaries'>
}

/**
 * What time alone changes, run periodically: re-reads rules, silences and open alerts (picking
 * up other replicas' changes), opens `host-offline` alerts for hosts silent for N intervals and
 * resolves them once the host reports (hosts cut off behind a failed relay get one `relay-unreachable`
 * alert on the relay instead), sends due repeat notices, resolves alerts of deleted or
 * disabled rules, and drains leftovers of the outbox.
 */
export class AlertSweep {
  readonly #d: SweepDeps
  /** Hosts past three silent intervals (the `offline` status) at the last sweep. */
  #offline = new Set<string>()
  readonly #relays: RelayUnreachable

  constructor (deps: SweepDeps) {
    this.#d = deps
    this.#relays = new RelayUnreachable(deps)
  }

  async run (now: number): Promise<void> {
    const d = this.#d
    await d.rules.refresh(now)
    const readFrom = d.open.beginRead()
    d.open.reset(await d.store.listAlerts({ state: 'open', limit: MAX_ALERT_ROWS }), readFrom)
    d.engine.prune()
    await this.#orphans(now)
    await this.#offlineHosts(now, await this.#relays.run(now))
    await this.#repeats(now)
    d.drain.kick()
  }

  async #orphans (now: number): Promise<void> {
    for (const a of this.#d.open.all()) {
      const rule = this.#d.rules.rule(a.ruleId)
      if (rule === undefined || !rule.enabled) await this.#d.engine.clear(a.ruleId, a.hostId, now, true)
    }
  }

  /** `covered`: hosts whose silence a `relay-unreachable` alert on their relay stands for. */
  async #offlineHosts (now: number, covered: ReadonlySet<string>): Promise<void> {
    const d = this.#d
    const status = await d.store.silentHosts(now - 3 * d.intervalMs)
    const offline = new Set(status.map(h => h.id))
    for (const id of offline) if (!this.#offline.has(id)) d.live.hostChanged(id)
    this.#offline = offline

    const rules = d.rules.enabled('host-offline')
    if (rules.length === 0) return
    const fewest = Math.min(...rules.map(r => r.condition.missedIntervals))
    const silent = fewest === 3 ? status : await d.store.silentHosts(now - fewest * d.intervalMs)
    const lastSeen = new Map(silent.map(h => [h.id, h.lastSeen]))
    for (const rule of rules) {
      const limit = rule.condition.missedIntervals * d.intervalMs
      for (const a of d.open.ofRule(rule.id)) {
        const seen = lastSeen.get(a.hostId)
        if (seen === undefined || now - seen <= limit) await d.engine.clear(rule.id, a.hostId, now)
      }
      // Right after a hub start every host looks silent: give each its intervals to come back.
      if (now - d.startedAt < limit) continue
      for (const h of silent) {
        if (now - h.lastSeen <= limit || d.open.get(rule.id, h.id) !== undefined || covered.has(h.id)) continue
        const host = await d.hosts.get(h.id)
        if (host === undefined || !inScope(rule.scope, host)) continue
        const silentFor = Math.round((now - h.lastSeen) / 1000)
        await d.engine.raise(rule, host, { summary: `no report for ${silentFor} s (${rule.condition.missedIntervals} intervals of ${d.intervalMs / 1000} s missed)`, metric: null, value: null }, now)
      }
    }
  }

  async #repeats (now: number): Promise<void> {
    for (const a of this.#d.open.all()) {
      const rule = this.#d.rules.rule(a.ruleId)
      if (rule === undefined || rule.repeatIntervalMs <= 0 || a.state !== 'firing') continue
      if (a.lastNotifiedAt + rule.repeatIntervalMs <= now) await this.#d.lifecycle.repeat(a, rule, now)
    }
  }
}
