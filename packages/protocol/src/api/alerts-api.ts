import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { MetricName, Severity } from '../messages/monitoring.ts'

const IsoTime = Type.String({ format: 'date-time', description: 'ISO 8601 UTC time' })
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()])
const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' })

/** Which hosts a rule or silence applies to. */
export const AlertScope = Type.Union([
  Type.Object({ type: Type.Literal('all') }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('group'), group: Type.String({ minLength: 1, maxLength: 128 }) }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('host'), hostId: Id }, { additionalProperties: false })
])
export type AlertScope = Static<typeof AlertScope>

/**
 * A metric name a rule watches; `[*]` stands for every instance (`fs.used_pct[*]`).
 */
export const MetricPattern = Type.String({ pattern: '^[a-z][a-z0-9_]*(\\.[a-z0-9_]+)*(\\[(\\*|[^\\[\\]]{1,200})\\])?$', maxLength: 256 })

/** What makes a rule fire. */
export const AlertCondition = Type.Union([
  Type.Object({
    type: Type.Literal('metric-threshold'),
    metric: MetricPattern,
    op: Type.Union([Type.Literal('>='), Type.Literal('>'), Type.Literal('<='), Type.Literal('<')]),
    value: Type.Number(),
    /** The condition must hold this long before the alert fires (0: at once). */
    forMs: Type.Integer({ minimum: 0, maximum: 7 * 24 * 3600_000 }),
    /** The threshold is `value` × the host's CPU cores (from its inventory), e.g. load per core. */
    perCore: Type.Optional(Type.Boolean())
  }, { additionalProperties: false }),
  Type.Object({
    type: Type.Literal('host-offline'),
    /** Fires after this many reporting intervals without a report. */
    missedIntervals: Type.Integer({ minimum: 1, maximum: 1000 })
  }, { additionalProperties: false }),
  Type.Object({
    type: Type.Literal('relay-unreachable'),
    /**
     * Fires on a relay once a host behind it (a host whose path to the hub goes through it) has
     * missed this many intervals while the relay is silent too: one alert naming the hosts cut
     * off, in place of one `host-offline` alert per host.
     */
    missedIntervals: Type.Integer({ minimum: 1, maximum: 1000 })
  }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('instruction-failed') }, { additionalProperties: false }),
  Type.Object({
    type: Type.Literal('agent-event'),
    /** Event name the agent reports, e.g. `threshold.crossed`; `*` for any. */
    event: Type.String({ minLength: 1, maxLength: 128 }),
    /** Only events at least this severe. */
    minSeverity: Severity
  }, { additionalProperties: false })
])
export type AlertCondition = Static<typeof AlertCondition>

/** Where a rule's notifications go. */
export const AlertNotify = Type.Object({
  emails: Type.Array(Type.String({ format: 'email', maxLength: 254 }), { maxItems: 50 }),
  webhooks: Type.Array(Type.String({ pattern: '^https?://', maxLength: 2048 }), { maxItems: 20 })
}, { additionalProperties: false })
export type AlertNotify = Static<typeof AlertNotify>

const RuleFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  enabled: Type.Boolean(),
  severity: Severity,
  scope: AlertScope,
  condition: AlertCondition,
  notify: AlertNotify,
  /** Notify again while the alert stays firing (not acknowledged); 0: never. */
  repeatIntervalMs: Type.Integer({ minimum: 0, maximum: 30 * 24 * 3600_000 })
}

/** Body of `POST /api/v1/alert-rules` and `PUT /api/v1/alert-rules/:id`. */
export const AlertRuleInput = Type.Object(RuleFields, { additionalProperties: false })
export type AlertRuleInput = Static<typeof AlertRuleInput>

/** An alert rule as stored. */
export const AlertRule = Type.Object({ id: Id, ...RuleFields, createdAt: IsoTime, updatedAt: IsoTime }, { additionalProperties: false })
export type AlertRule = Static<typeof AlertRule>

/** `firing` → (`acknowledged`) → `resolved`. */
export const AlertState = Type.Union([Type.Literal('firing'), Type.Literal('acknowledged'), Type.Literal('resolved')])
export type AlertState = Static<typeof AlertState>

/** One alert: at most one open (firing or acknowledged) per (rule, host). */
export const Alert = Type.Object({
  id: Id,
  ruleId: Id,
  ruleName: Type.String(),
  hostId: Id,
  hostName: Type.String(),
  severity: Severity,
  state: AlertState,
  /** One line, e.g. `fs.used_pct[/var] = 93.1 (≥ 90)`. */
  summary: Type.String(),
  /** The metric, value and threshold involved, when any. */
  metric: Nullable(Type.String()),
  value: Nullable(Type.Number()),
  startedAt: IsoTime,
  acknowledgedAt: Nullable(IsoTime),
  acknowledgedBy: Nullable(Type.String()),
  resolvedAt: Nullable(IsoTime),
  /** Whether a silence or maintenance window holds its notifications now. */
  silenced: Type.Boolean()
}, { additionalProperties: false })
export type Alert = Static<typeof Alert>

/** Query of `GET /api/v1/alerts`. */
export const AlertQuery = Type.Object({
  state: Type.Optional(Type.Union([AlertState, Type.Literal('open')])),
  hostId: Type.Optional(Id),
  limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,5}$' }))
}, { additionalProperties: false })

/** Body of `POST /api/v1/alerts/:id/ack`. */
export const AckRequest = Type.Object({ comment: Type.Optional(Type.String({ maxLength: 1000 })) }, { additionalProperties: false })

/** A silence, or a maintenance window scheduled in advance: no notifications in scope meanwhile. */
export const SilenceInput = Type.Object({
  scope: AlertScope,
  /** Only this rule; all rules when absent. */
  ruleId: Type.Optional(Id),
  startsAt: IsoTime,
  endsAt: IsoTime,
  reason: Type.String({ minLength: 1, maxLength: 500 })
}, { additionalProperties: false })
export type SilenceInput = Static<typeof SilenceInput>

export const Silence = Type.Object({
  id: Id,
  scope: AlertScope,
  ruleId: Nullable(Id),
  startsAt: IsoTime,
  endsAt: IsoTime,
  reason: Type.String(),
  createdBy: Type.String(),
  createdAt: IsoTime
}, { additionalProperties: false })
export type Silence = Static<typeof Silence>

export { MetricName }
