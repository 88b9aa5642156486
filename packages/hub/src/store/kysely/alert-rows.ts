import type { Selectable } from 'kysely'
import type { AlertCondition, AlertNotify, AlertScope, AlertState, Severity } from '@outpost/protocol'
import type { AlertRecord, AlertRuleRecord, SilenceRecord } from '../alert-store.ts'
import type { JsonCodec } from './db-schema.ts'

/** The alert tables as Kysely sees them (see `alerts-migration.ts`); JSON columns as in `DbSchema`. */
// A type alias, not an interface: Kysely's `withTables` needs an index-compatible type.
export type AlertTables = {
  alert_rules: {
    id: string, name: string, enabled: number, severity: string, scope: unknown, condition: unknown, notify: unknown
    repeat_interval_ms: number, created_at: number, updated_at: number
  }
  alerts: {
    id: string, rule_id: string, rule_name: string, host_id: string, host_name: string, severity: string, state: string
    summary: string, metric: string | null, value: number | null, started_at: number, acknowledged_at: number | null
    acknowledged_by: string | null, resolved_at: number | null, last_notified_at: number
  }
  silences: {
    id: string, scope: unknown, rule_id: string | null, starts_at: number, ends_at: number, reason: string, created_by: string, created_at: number
  }
  alert_notifications: { id: string, alert_id: string, payload: unknown, created_at: number, claimed_at: number | null }
}

// As in row-mappers.ts: every JSON value was validated against its protocol schema before the
// hub stored it, and only the store writes these tables.

/** alert_rules row ⇄ record. */
export function toRule (r: Selectable<AlertTables['alert_rules']>, json: JsonCodec): AlertRuleRecord {
  return {
    id: r.id,
    name: r.name,
    enabled: Number(r.enabled) !== 0,
    severity: r.severity as Severity,
    scope: json.decode(r.scope) as AlertScope,
    condition: json.decode(r.condition) as AlertCondition,
    notify: json.decode(r.notify) as AlertNotify,
    repeatIntervalMs: Number(r.repeat_interval_ms),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at)
  }
}

/** The columns of a rule. */
export function ruleRow (r: AlertRuleRecord): AlertTables['alert_rules'] {
  return {
    id: r.id, name: r.name, enabled: r.enabled ? 1 : 0, severity: r.severity, scope: JSON.stringify(r.scope),
    condition: JSON.stringify(r.condition), notify: JSON.stringify(r.notify), repeat_interval_ms: r.repeatIntervalMs,
    created_at: r.createdAt, updated_at: r.updatedAt
  }
}

/** alerts row → record. */
export function toAlert (r: Selectable<AlertTables['alerts']>): AlertRecord {
  return {
    id: r.id,
    ruleId: r.rule_id,
    ruleName: r.rule_name,
    hostId: r.host_id,
    hostName: r.host_name,
    severity: r.severity as Severity,
    state: r.state as AlertState,
    summary: r.summary,
    metric: r.metric,
    value: r.value === null ? null : Number(r.value),
    startedAt: Number(r.started_at),
    acknowledgedAt: nullable(r.acknowledged_at),
    acknowledgedBy: r.acknowledged_by,
    resolvedAt: nullable(r.resolved_at),
    lastNotifiedAt: Number(r.last_notified_at)
  }
}

/** The columns of an alert. */
export function alertRow (a: AlertRecord): AlertTables['alerts'] {
  return {
    id: a.id, rule_id: a.ruleId, rule_name: a.ruleName, host_id: a.hostId, host_name: a.hostName, severity: a.severity,
    state: a.state, summary: a.summary, metric: a.metric, value: a.value, started_at: a.startedAt,
    acknowledged_at: a.acknowledgedAt, acknowledged_by: a.acknowledgedBy, resolved_at: a.resolvedAt, last_notified_at: a.lastNotifiedAt
  }
}

/** silences row → record. */
export function toSilence (r: Selectable<AlertTables['silences']>, json: JsonCodec): SilenceRecord {
  return {
    id: r.id, scope: json.decode(r.scope) as AlertScope, ruleId: r.rule_id, startsAt: Number(r.starts_at), endsAt: Number(r.ends_at),
    reason: r.reason, createdBy: r.created_by, createdAt: Number(r.created_at)
  }
}

function nullable (v: number | null): number | null {
  return v === null ? null : Number(v)
}
