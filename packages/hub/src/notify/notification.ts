import type { Alert, AlertCondition } from '@outpost/protocol'

/** Why a notification is sent: the alert started, is still firing, or ended. */
export const NotificationKind = { Firing: 'firing', Repeat: 'repeat', Resolved: 'resolved' } as const
export type NotificationKind = (typeof NotificationKind)[keyof typeof NotificationKind]

/** What the alert engine hands to `Notifier.notify`: one alert event and where it goes. */
export interface AlertNotification {
  readonly kind: NotificationKind
  readonly alert: Alert
  /** Mail recipients; each gets their own mail (critical at once, others grouped). */
  readonly emails: readonly string[]
  /** http(s) URLs that receive a signed JSON POST per notification. */
  readonly webhooks: readonly string[]
  /** The rule's condition, when known: names the fault type in mails. */
  readonly condition?: AlertCondition
}

/**
 * How one `notify()` ended in this process: `settled` when every delivery made from it was
 * delivered, given up after its last attempt, or refused for good (bad address, no relay);
 * `released` when some of it was not sent here (queue full, notifier closed with attempts left),
 * so whoever keeps the notification durably must send it again later.
 */
export const NotifyOutcome = { Settled: 'settled', Released: 'released' } as const
export type NotifyOutcome = (typeof NotifyOutcome)[keyof typeof NotifyOutcome]

/** One alert event inside a delivery: plain JSON, so an outbox can persist it. */
export interface NotificationItem {
  readonly kind: NotificationKind
  readonly alert: Alert
  readonly condition: AlertCondition | null
}

/** How a delivery leaves the hub. */
export const DeliveryChannel = { Email: 'email', Webhook: 'webhook' } as const
export type DeliveryChannel = (typeof DeliveryChannel)[keyof typeof DeliveryChannel]

/**
 * One unit of outgoing work: a mail to one recipient (one or several items) or one webhook POST
 * (exactly one item). Plain JSON on purpose: a durable outbox stores it as it is.
 */
export interface Delivery {
  readonly id: string
  readonly channel: DeliveryChannel
  /** The mail address or the webhook URL. */
  readonly target: string
  readonly items: NotificationItem[]
  /** Epoch ms at which the next attempt is due. */
  dueAt: number
  /** Attempts made so far. */
  attempts: number
  /** Still gathering companions (a warning/info mail inside its group window). */
  open: boolean
  /** The last failure's message, for the outbox and the logs. */
  lastError: string | null
}

/** The `type` of a webhook body for each notification kind. */
export const WEBHOOK_EVENT_TYPE = {
  firing: 'alert.firing',
  repeat: 'alert.repeat',
  resolved: 'alert.resolved'
} as const satisfies Record<NotificationKind, string>

/** The JSON body POSTed to a webhook. */
export interface WebhookBody {
  readonly type: (typeof WEBHOOK_EVENT_TYPE)[NotificationKind]
  readonly alert: Alert
  /** The hub's public URL, so a receiver serving several hubs can tell them apart. */
  readonly hub: string
  /** ISO time of this attempt; covered by the signature, so receivers can refuse stale replays. */
  readonly sentAt: string
}
