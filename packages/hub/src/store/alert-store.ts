import type { AlertCondition, AlertNotify, AlertScope, AlertState, Severity } from '@outpost/protocol'

/**
 * The alert engine's part of the store (`store.alerts`): rules, alerts, silences and the
 * notification outbox. Times are milliseconds since the epoch. Every method is atomic.
 * At most one alert per (rule, host) is open (firing or acknowledged), enforced by the database
 * itself, so hub replicas evaluating the same host cannot open it twice.
 */
export interface AlertStore {
  // ── rules ──
  listRules (): Promise<AlertRuleRecord[]>
  getRule (id: string): Promise<AlertRuleRecord | undefined>
  /** Inserts a rule; with `ifAbsent` an existing id is left as it is (returns false). */
  createRule (r: AlertRuleRecord, ifAbsent?: boolean): Promise<boolean>
  /** Replaces a rule's fields (not `id`, `createdAt`); false when it does not exist. */
  updateRule (r: AlertRuleRecord): Promise<boolean>
  deleteRule (id: string): Promise<boolean>

  // ── alerts ──
  /**
   * Opens a firing alert unless one is open for its (rule, host); writes `notification` (when
   * given) in the same transaction. Returns the new alert, or `undefined` when one was open.
   */
  openAlert (a: AlertRecord, notification: PendingNotification | null): Promise<AlertRecord | undefined>
  getAlert (id: string): Promise<AlertRecord | undefined>
  /** Newest first. */
  listAlerts (q: AlertFilter): Promise<AlertRecord[]>
  /**
   * Moves an open alert on: `acknowledged` (from firing) or `resolved` (from firing or
   * acknowledged), with the notification in the same transaction. Returns the alert afterwards,
   * or `undefined` when it was not in a state that allows the change (someone else was first).
   */
  transitionAlert (t: AlertTransition, notification: PendingNotification | null): Promise<AlertRecord | undefined>
  /**
   * A repeat notice: sets `lastNotifiedAt` to `at` only if it still is `expected` and the alert is
   * still firing (so one replica sends it), writing the notification in the same transaction.
   */
  markRepeated (id: string, expected: number, at: number, notification: PendingNotification): Promise<boolean>
  /** Open alert counts by host and severity. */
  openCounts (hostId?: string): Promise<Map<string, AlertCounts>>

  // ── silences ──
  createSilence (s: SilenceRecord): Promise<void>
  deleteSilence (id: string): Promise<boolean>
  /** Silences whose end is after `endsAfter` (all when omitted), soonest start first. */
  listSilences (endsAfter?: number): Promise<SilenceRecord[]>

  // ── notification outbox ──
  /**
   * Claims up to `limit` pending notifications (never claimed, or claimed before `staleBefore`:
   * the replica that claimed them died), marking them claimed at `now`. Oldest first.
   */
  claimNotifications (now: number, staleBefore: number, limit: number): Promise<PendingNotification[]>
  /** Forgets a notification whose deliveries all settled (delivered or given up). */
  deleteNotification (id: string): Promise<void>
  /**
   * Extends the lease of claimed notifications still being delivered: sets their claim time to
   * `now`, so no replica takes them as stale. Unknown (deleted) or unclaimed ids are left alone.
   * Returns how many were renewed.
   */
  renewNotificationLeases (ids: readonly string[], now: number): Promise<number>
  /** Gives claimed notifications back unsent (graceful shutdown): the next claim takes them at once. */
  releaseNotifications (ids: readonly string[]): Promise<number>

  // ── hosts, as the engine needs them ──
  /** Hosts that reported once and not since `before`: id and last report. */
  silentHosts (before: number): Promise<Array<{ id: string, lastSeen: number }>>
}

/** Open alert counts of one host. */
export interface AlertCounts { critical: number, warning: number, info: number }

/** A rule as stored. */
export interface AlertRuleRecord {
  readonly id: string
  readonly name: string
  readonly enabled: boolean
  readonly severity: Severity
  readonly scope: AlertScope
  readonly condition: AlertCondition
  readonly notify: AlertNotify
  readonly repeatIntervalMs: number
  readonly createdAt: number
  readonly updatedAt: number
}

/** An alert as stored; names are kept as they were when it opened. */
export interface AlertRecord {
  readonly id: string
  readonly ruleId: string
  readonly ruleName: string
  readonly hostId: string
  readonly hostName: string
  readonly severity: Severity
  readonly state: AlertState
  readonly summary: string
  readonly metric: string | null
  readonly value: number | null
  readonly startedAt: number
  readonly acknowledgedAt: number | null
  readonly acknowledgedBy: string | null
  readonly resolvedAt: number | null
  /** When the last firing or repeat notice was due (sent or silenced); repeats count from here. */
  readonly lastNotifiedAt: number
}

/** What `listAlerts` returns: `open` is firing or acknowledged. */
export interface AlertFilter {
  readonly state?: AlertState | 'open'
  readonly hostId?: string
  /** Only alerts of these hosts (none when empty): a user's host-group scope. */
  readonly hostIds?: readonly string[]
  readonly ruleId?: string
  readonly limit: number
}

/** One change of an open alert. */
export type AlertTransition =
  | { readonly id: string, readonly to: 'acknowledged', readonly at: number, readonly by: string }
  | { readonly id: string, readonly to: 'resolved', readonly at: number, readonly by?: string, readonly summary?: string }

/** A notification written with its alert's transition and drained to the notifier. */
export interface PendingNotification {
  readonly id: string
  readonly alertId: string
  /** The JSON the notifier is called with (`AlertNotification`). */
  readonly payload: unknown
  readonly createdAt: number
}

/** A silence or a maintenance window. */
export interface SilenceRecord {
  readonly id: string
  readonly scope: AlertScope
  readonly ruleId: string | null
  readonly startsAt: number
  readonly endsAt: number
  readonly reason: string
  readonly createdBy: string
  readonly createdAt: number
}
