import { randomUUID } from 'node:crypto'
import type { EventEmitter } from 'node:events'
import type { Logger } from 'pino'
import { Type } from '@sinclair/typebox'
import { isValid } from '@outpost/protocol'
import type { HubConfig } from '../config/hub-config.ts'
import { HubError, HubErrorCode } from '../errors.ts'
import { DeliveryQueue } from './delivery-queue.ts'
import type { NotifyOutbox } from './delivery-outbox.ts'
import { createMailTransport, type MailTransport, type SmtpSettings } from './mail-transport.ts'
import { renderMail } from './mail-render.ts'
import { WEBHOOK_EVENT_TYPE, type AlertNotification, type Delivery, type DeliveryChannel, type NotificationItem, type NotifyOutcome, type WebhookBody } from './notification.ts'
import { createNotifierEvents, safeTarget, type NotifierEventMap, type NotifierStats } from './notify-events.ts'
import { DEFAULT_NOTIFY_RETRY, type DeliveryFailure, type RetryPolicy } from './retry-policy.ts'
import { Settlements, type Settlement } from './settlements.ts'
import { WebhookTransport, checkWebhookUrl } from './webhook-transport.ts'

/** Bounds that keep a storm of alerts from exhausting memory or flooding a relay. */
export interface NotifyLimits {
  /** Deliveries waiting at most; more are refused (and logged). */
  readonly maxPending: number
  /** Attempts running at once. */
  readonly maxInFlight: number
  /** Items in one grouped mail; more start a new group. */
  readonly maxGroupItems: number
  /** How long `close()` waits for the last sends. */
  readonly closeTimeoutMs: number
}

/** The default bounds. */
export const NOTIFY_LIMITS: NotifyLimits = Object.freeze({ maxPending: 10_000, maxInFlight: 8, maxGroupItems: 100, closeTimeoutMs: 10_000 })

/** Everything a notifier is built from; `notifierOptions(config, …)` fills it from the hub config. */
export interface NotifierOptions {
  readonly smtp: SmtpSettings | null
  readonly groupWindowMs: number
  readonly webhookSecret: string | null
  readonly webhookTimeoutMs: number
  /** The console URL mails link to; read at send time (known once the hub listens). */
  readonly publicUrl: () => string
  readonly log: Logger
  readonly now?: () => number
  readonly retry?: RetryPolicy
  /** Persists pending deliveries; none by default (pending notifications die with the process). */
  readonly outbox?: NotifyOutbox | null
  readonly limits?: Partial<NotifyLimits>
}

/** The notifier options of a hub config. */
export function notifierOptions (config: HubConfig, publicUrl: () => string, log: Logger): NotifierOptions {
  const n = config.notify
  return { smtp: n.smtp, groupWindowMs: n.groupWindowMs, webhookSecret: n.webhookSecret, webhookTimeoutMs: n.webhookTimeoutMs, publicUrl, log }
}

const Email = Type.String({ format: 'email', maxLength: 254 })

/**
 * Delivers alert notifications by mail (SMTP) and webhook. `notify` returns at once: critical
 * alerts go out immediately, warning and info ones are gathered per recipient for
 * `groupWindowMs` into one mail. Failed attempts are retried with back-off, then given up,
 * logged once with context and counted; nothing here throws at the alert engine. The promise
 * `notify` returns tells when the notification settled, so a durable outbox keeps it till then.
 */
export class Notifier {
  /** `delivered`, `retry`, `failed`, `refused`. */
  readonly events: EventEmitter<NotifierEventMap> = createNotifierEvents()
  readonly #o: NotifierOptions
  readonly #now: () => number
  readonly #limits: NotifyLimits
  readonly #queue: DeliveryQueue
  readonly #mail: MailTransport | null
  readonly #webhooks: WebhookTransport
  /** Recipient (lower case) → id of the mail still gathering its group. */
  readonly #groups = new Map<string, string>()
  readonly #settlements = new Settlements()
  #closed: Promise<void> | undefined
  #warnedNoSmtp = false

  constructor (options: NotifierOptions) {
    this.#o = options
    this.#now = options.now ?? Date.now
    this.#limits = Object.freeze({ ...NOTIFY_LIMITS, ...options.limits })
    this.#mail = options.smtp === null ? null : createMailTransport(options.smtp)
    this.#webhooks = new WebhookTransport({ secret: options.webhookSecret, timeoutMs: options.webhookTimeoutMs })
    this.#queue = new DeliveryQueue({
      send: (d) => this.#send(d),
      log: options.log,
      now: this.#now,
      retry: options.retry ?? DEFAULT_NOTIFY_RETRY,
      events: this.events,
      outbox: options.outbox ?? null,
      maxInFlight: this.#limits.maxInFlight,
      onSettled: (d, outcome) => { this.#settlements.settle(d.id, outcome) }
    })
  }

  /** Counters since start. */
  get stats (): Readonly<NotifierStats> {
    return { ...this.#queue.stats, pending: this.#queue.size }
  }

  /**
   * Queues the notification's mails and webhooks; never blocks and never throws. The promise
   * (which never rejects, so it may be ignored) resolves once every delivery carrying `n`
   * settled: `settled` (delivered, given up after the last attempt, or refused for good) or
   * `released` (some of it was not sent here: queue full, or cut short by `close()`).
   */
  notify (n: AlertNotification): Promise<NotifyOutcome> {
    const s = this.#settlements.begin()
    try {
      const item: NotificationItem = { kind: n.kind, alert: n.alert, condition: n.condition ?? null }
      for (const to of new Set(n.emails)) this.#email(to, item, s)
      for (const url of new Set(n.webhooks)) this.#webhook(url, item, s)
    } catch (err) {
      // A bug in composing it: retrying the same notification would fail the same way.
      this.#o.log.error({ err, alert: n.alert.id }, 'queueing a notification failed')
    }
    this.#settlements.end(s)
    return s.done
  }

  /** Loads deliveries a durable outbox kept from before a restart; returns how many. */
  resume (): Promise<number> {
    return this.#queue.resume()
  }

  /** Sends what is pending (groups included) once, waits for it (bounded), closes the SMTP pool. */
  close (): Promise<void> {
    this.#closed ??= (async () => {
      this.#groups.clear()
      await this.#queue.close(this.#limits.closeTimeoutMs)
      this.#mail?.close()
    })()
    return this.#closed
  }

  #refuse (channel: DeliveryChannel, target: string, alertId: string, reason: string, quiet = false): void {
    this.#queue.stats.refused++
    this.#o.log[quiet ? 'debug' : 'warn']({ channel, target: safeTarget(channel, target), alert: alertId, reason }, 'notification refused')
    this.events.emit('refused', { channel, target: safeTarget(channel, target), alertId, reason })
  }

  /** Whether a new delivery may be queued; when not, the notification is released (not given up). */
  #admit (channel: DeliveryChannel, target: string, alertId: string, s: Settlement): boolean {
    if (this.#closed !== undefined) this.#refuse(channel, target, alertId, 'the notifier is closed')
    else if (this.#queue.size >= this.#limits.maxPending) this.#refuse(channel, target, alertId, `${this.#limits.maxPending} notifications already pending`)
    else return true
    this.#settlements.release(s)
    return false
  }

  #place (d: Delivery, s: Settlement): void {
    this.#settlements.attach(s, d.id)
    this.#queue.put(d)
  }

  #email (to: string, item: NotificationItem, s: Settlement): void {
    if (!isValid(Email, to)) return this.#refuse('email', '(invalid address)', item.alert.id, 'not a mail address')
    if (this.#mail === null) {
      // Said once at warn level: without a relay every alert would repeat it.
      this.#refuse('email', to, item.alert.id, 'no SMTP relay is configured (--smtp)', this.#warnedNoSmtp)
      this.#warnedNoSmtp = true
      return
    }
    const key = to.toLowerCase()
    const groupId = this.#groups.get(key)
    const group = groupId === undefined ? undefined : this.#queue.openDelivery(groupId)
    if (item.alert.severity !== 'critical' && group !== undefined && group.items.length < this.#limits.maxGroupItems) {
      group.items.push(item)
      this.#place(group, s)
      return
    }
    if (!this.#admit('email', to, item.alert.id, s)) return
    const grouped = item.alert.severity !== 'critical' && this.#o.groupWindowMs > 0
    const d = this.#delivery('email', to, item, grouped ? this.#o.groupWindowMs : 0)
    if (grouped) this.#groups.set(key, d.id)
    this.#place(d, s)
  }

  #webhook (url: string, item: NotificationItem, s: Settlement): void {
    try {
      checkWebhookUrl(url)
    } catch (err) {
      return this.#refuse('webhook', url, item.alert.id, (err as Error).message)
    }
    if (this.#admit('webhook', url, item.alert.id, s)) this.#place(this.#delivery('webhook', url, item, 0), s)
  }

  #delivery (channel: DeliveryChannel, target: string, item: NotificationItem, delayMs: number): Delivery {
    return { id: randomUUID(), channel, target, items: [item], dueAt: this.#now() + delayMs, attempts: 0, open: delayMs > 0, lastError: null }
  }

  async #send (d: Delivery): Promise<DeliveryFailure | null> {
    let publicUrl: string
    try {
      publicUrl = this.#o.publicUrl()
    } catch (err) {
      return { retryable: true, error: new HubError(HubErrorCode.NotifyFailed, 'the hub URL is not known yet', { cause: err }) }
    }
    if (d.channel === 'email') {
      if (this.#mail === null) return { retryable: false, error: new HubError(HubErrorCode.NotifyFailed, 'no SMTP relay is configured') }
      return await this.#mail.send(renderMail(d.target, d.items, publicUrl))
    }
    const item = d.items[0]
    if (item === undefined) return { retryable: false, error: new HubError(HubErrorCode.NotifyFailed, 'empty webhook delivery') }
    const body: WebhookBody = { type: WEBHOOK_EVENT_TYPE[item.kind], alert: item.alert, hub: publicUrl, sentAt: new Date(this.#now()).toISOString() }
    return await this.#webhooks.post(d.target, JSON.stringify(body), d.id)
  }
}
