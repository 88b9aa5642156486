import type { Alert, AlertRule, Silence } from '@outpost/protocol'
import type { AlertRecord, AlertRuleRecord, SilenceRecord } from '../store/alert-store.ts'

const iso = (ms: number): string => new Date(ms).toISOString()
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms))

/** An alert as the API, live events and notifications show it. */
export function alertView (a: AlertRecord, silenced: boolean): Alert {
  return {
    id: a.id,
    ruleId: a.ruleId,
    ruleName: a.ruleName,
    hostId: a.hostId,
    hostName: a.hostName,
    severity: a.severity,
    state: a.state,
    summary: a.summary,
    metric: a.metric,
    value: a.value,
    startedAt: iso(a.startedAt),
    acknowledgedAt: isoOrNull(a.acknowledgedAt),
    acknowledgedBy: a.acknowledgedBy,
    resolvedAt: isoOrNull(a.resolvedAt),
    silenced
  }
}

/** A rule as the API shows it. */
export function ruleView (r: AlertRuleRecord): AlertRule {
  return {
    id: r.id,
    name: r.name,
    enabled: r.enabled,
    severity: r.severity,
    scope: r.scope,
    condition: r.condition,
    notify: r.notify,
    repeatIntervalMs: r.repeatIntervalMs,
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt)
  }
}

/** A silence as the API shows it. */
export function silenceView (s: SilenceRecord): Silence {
  return {
    id: s.id,
    scope: s.scope,
    ruleId: s.ruleId,
    startsAt: iso(s.startsAt),
    endsAt: iso(s.endsAt),
    reason: s.reason,
    createdBy: s.createdBy,
    createdAt: iso(s.createdAt)
  }
}
