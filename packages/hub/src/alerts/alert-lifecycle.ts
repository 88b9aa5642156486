import { randomId } from '@outpost/protocol'
import type { AlertRecord, AlertRuleRecord, AlertStore, AlertTransition, PendingNotification } from '../store/alert-store.ts'
import type { NotificationKind } from '../notify/notification.ts'
import type { HostDirectory } from './host-directory.ts'
import type { RuleBook } from './rule-book.ts'
import type { LivePublisher } from './live-publisher.ts'
import type { NotificationDrain } from './notification-drain.ts'
import { alertView } from './alert-views.ts'
import type { HostFacts } from './rule-match.ts'

/** What a firing alert says. */
export interface Finding {
  readonly summary: string
  readonly metric: string | null
  readonly value: number | null
}

/** What the lifecycle is built from. */
export interface LifecycleDeps {
  readonly store: AlertStore
  readonly rules: RuleBook
  readonly hosts: HostDirectory
  readonly live: LivePublisher
  readonly drain: NotificationDrain
}

/**
 * Every alert transition goes through here: firing → (acknowledged) → resolved, and repeats.
 * Each one is written with its notification in one transaction (none while a silence holds
 * the rule on the host, or when the rule notifies nobody), then the outbox is drained at once
 * and the console hears of it on the bus.
 */
export class AlertLifecycle {
  readonly #d: LifecycleDeps

  constructor (deps: LifecycleDeps) {
    this.#d = deps
  }

  /** Opens a firing alert unless one is open for (rule, host); returns it when it opened. */
  async open (rule: AlertRuleRecord, host: HostFacts, f: Finding, at: number): Promise<AlertRecord | undefined> {
    const rec: AlertRecord = {
      id: randomId(16), ruleId: rule.id, ruleName: rule.name, hostId: host.id, hostName: host.name, severity: rule.severity,
      state: 'firing', summary: f.summary, metric: f.metric, value: f.value, startedAt: at, acknowledgedAt: null,
      acknowledgedBy: null, resolvedAt: null, lastNotifiedAt: at
    }
    const silenced = this.#d.rules.silenced(rule.id, host, at)
    const opened = await this.#d.store.openAlert(rec, silenced ? null : notification('firing', rec, rule, at))
    if (opened !== undefined) this.#changed(opened, silenced)
    return opened
  }

  /** Resolves an open alert (the condition cleared, or an operator acknowledged an event alert). */
  async resolve (a: AlertRecord, at: number, opts: { by?: string, summary?: string, quiet?: boolean } = {}): Promise<AlertRecord | undefined> {
    const t: AlertTransition = { id: a.id, to: 'resolved', at, ...(opts.by === undefined ? {} : { by: opts.by }), ...(opts.summary === undefined ? {} : { summary: opts.summary }) }
    return this.#transition(a, t, opts.quiet === true ? null : 'resolved')
  }

  /** Acknowledges a firing alert: no more repeats; it still resolves when its condition clears. */
  async acknowledge (a: AlertRecord, by: string, at: number): Promise<AlertRecord | undefined> {
    return this.#transition(a, { id: a.id, to: 'acknowledged', at, by }, null)
  }

  /** Sends a repeat notice for a firing alert whose repeat interval passed (one replica wins). */
  async repeat (a: AlertRecord, rule: AlertRuleRecord, at: number): Promise<void> {
    const host = await this.#d.hosts.get(a.hostId)
    // A silenced repeat stays due: it goes out once the silence ends (if the alert still fires).
    if (this.#d.rules.silenced(rule.id, host, at)) return
    const n = notification('repeat', { ...a, lastNotifiedAt: at }, rule, at)
    if (n === null) return
    if (await this.#d.store.markRepeated(a.id, a.lastNotifiedAt, at, n)) this.#d.drain.kick()
  }

  /** Whether notifications of this alert are held now. */
  async silenced (a: AlertRecord, at: number): Promise<boolean> {
    return this.#d.rules.silenced(a.ruleId, await this.#d.hosts.get(a.hostId), at)
  }

  async #transition (a: AlertRecord, t: AlertTransition, kind: NotificationKind | null): Promise<AlertRecord | undefined> {
    const rule = this.#d.rules.rule(a.ruleId)
    const silenced = await this.silenced(a, t.at)
    const by = t.by ?? null
    const after: AlertRecord = {
      ...a,
      state: t.to,
      summary: t.to === 'resolved' ? t.summary ?? a.summary : a.summary,
      acknowledgedAt: a.acknowledgedAt ?? (by === null ? null : t.at),
      acknowledgedBy: a.acknowledgedBy ?? by,
      resolvedAt: t.to === 'resolved' ? t.at : a.resolvedAt
    }
    // A deleted rule has nobody to notify; its alerts still resolve.
    const n = kind === null || rule === undefined || silenced ? null : notification(kind, after, rule, t.at)
    const done = await this.#d.store.transitionAlert(t, n)
    if (done !== undefined) this.#changed(done, silenced)
    return done
  }

  #changed (a: AlertRecord, silenced: boolean): void {
    this.#d.drain.kick()
    this.#d.live.alert(alertView(a, silenced))
    this.#d.live.hostChanged(a.hostId)
  }
}

function notification (kind: NotificationKind, a: AlertRecord, rule: AlertRuleRecord, at: number): PendingNotification | null {
  if (rule.notify.emails.length === 0 && rule.notify.webhooks.length === 0) return null
  const payload = { kind, alert: alertView(a, false), emails: rule.notify.emails, webhooks: rule.notify.webhooks, condition: rule.condition }
  return { id: randomId(16), alertId: a.id, payload, createdAt: at }
}
