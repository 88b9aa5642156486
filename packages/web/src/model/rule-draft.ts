import { AlertCondition, AlertRuleInput, AlertScope, type AlertRule, type Severity } from '@outpost/protocol'
import type { TLiteral, TObject } from '@sinclair/typebox'
import { firstProblem } from '../api/check.ts'

/** The rule form's fields, as the inputs hold them (strings), before checking. */
export interface RuleDraft {
  readonly name: string
  readonly enabled: boolean
  readonly severity: Severity
  readonly scopeType: AlertScope['type']
  /** Group name or host id, per `scopeType`. */
  readonly scopeValue: string
  readonly condType: AlertCondition['type']
  readonly metric: string
  readonly op: '>=' | '>' | '<=' | '<'
  readonly value: string
  readonly forSeconds: string
  readonly perCore: boolean
  readonly missedIntervals: string
  /** A condition the form does not edit (agent events, failed instructions): sent back unchanged. */
  readonly kept: AlertCondition | null
  /** Comma-separated. */
  readonly emails: string
  readonly webhooks: string
  readonly repeatMinutes: string
}

/** A new rule's starting point: a metric threshold on all hosts. */
export const EMPTY_DRAFT: RuleDraft = {
  name: '', enabled: true, severity: 'warning', scopeType: 'all', scopeValue: '', condType: 'metric-threshold',
  metric: '', op: '>=', value: '', forSeconds: '0', perCore: false, missedIntervals: '3', kept: null,
  emails: '', webhooks: '', repeatMinutes: '240'
}

/** The form's fields for an existing rule. */
export function draftOf (r: AlertRule): RuleDraft {
  const c = r.condition
  return {
    ...EMPTY_DRAFT,
    name: r.name, enabled: r.enabled, severity: r.severity, scopeType: r.scope.type,
    scopeValue: r.scope.type === 'group' ? r.scope.group : r.scope.type === 'host' ? r.scope.hostId : '',
    condType: c.type,
    ...(c.type === 'metric-threshold' ? { metric: c.metric, op: c.op, value: String(c.value), forSeconds: String(c.forMs / 1000), perCore: c.perCore === true } : {}),
    ...(c.type === 'host-offline' || c.type === 'relay-unreachable' ? { missedIntervals: String(c.missedIntervals) } : {}),
    kept: c.type === 'metric-threshold' || c.type === 'host-offline' || c.type === 'relay-unreachable' ? null : c,
    emails: r.notify.emails.join(', '), webhooks: r.notify.webhooks.join(', '), repeatMinutes: String(r.repeatIntervalMs / 60_000)
  }
}

const list = (s: string): string[] => s.split(',').map(x => x.trim()).filter(x => x !== '')
// Empty stays NaN so the schema check names the field instead of sending 0.
const num = (s: string): number => (s.trim() === '' ? Number.NaN : Number(s))

/** Field labels for the schema's paths, so a problem names what the user sees. */
const LABELS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^name/, 'Name'], [/^scope/, 'Scope'], [/^condition\/metric/, 'Metric'], [/^condition\/value/, 'Threshold'],
  [/^condition\/forMs/, 'For (seconds)'], [/^condition\/missedIntervals/, 'Missed intervals'], [/^condition/, 'Condition'],
  [/^notify\/emails/, 'E-mails'], [/^notify\/webhooks/, 'Webhooks'], [/^repeatIntervalMs/, 'Repeat every (minutes)']
]

function scopeOf (d: RuleDraft): unknown {
  const v = d.scopeValue.trim()
  if (d.scopeType === 'group') return { type: 'group', group: v }
  if (d.scopeType === 'host') return { type: 'host', hostId: v }
  return { type: 'all' }
}

function conditionOf (d: RuleDraft): unknown {
  if (d.kept !== null && d.condType === d.kept.type) return d.kept
  if (d.condType === 'host-offline' || d.condType === 'relay-unreachable') return { type: d.condType, missedIntervals: num(d.missedIntervals) }
  return {
    type: 'metric-threshold', metric: d.metric.trim(), op: d.op, value: num(d.value),
    forMs: Math.round(num(d.forSeconds) * 1000), ...(d.perCore ? { perCore: true } : {})
  }
}

/**
 * The API body for a draft, checked against the protocol schema (`Value.Check`, as for every
 * answer), or the first problem in words, naming the field.
 */
export function ruleInputOf (d: RuleDraft): { ok: true, input: AlertRuleInput } | { ok: false, error: string } {
  const input = {
    name: d.name.trim(), enabled: d.enabled, severity: d.severity, scope: scopeOf(d), condition: conditionOf(d),
    notify: { emails: list(d.emails), webhooks: list(d.webhooks) }, repeatIntervalMs: Math.round(num(d.repeatMinutes) * 60_000)
  }
  // Scope and condition are unions: checked alone, their errors name the failing field, not "union".
  const p = variantProblem(AlertScope, input.scope, 'scope') ?? variantProblem(AlertCondition, input.condition, 'condition') ?? firstProblem(AlertRuleInput, input)
  if (p === undefined) return { ok: true, input: input as AlertRuleInput }
  const label = LABELS.find(([re]) => re.test(p.path))?.[1] ?? p.path
  return { ok: false, error: `${label}: ${p.message}` }
}

/** Checks a value against the member of a `type`-tagged union it claims to be. */
function variantProblem (union: typeof AlertScope | typeof AlertCondition, value: unknown, prefix: string): { path: string, message: string } | undefined {
  const type = (value as { type?: unknown }).type
  const variant = (union.anyOf as readonly TObject[]).find(v => (v.properties['type'] as TLiteral | undefined)?.const === type)
  const p = variant === undefined ? { path: '', message: 'unknown type' } : firstProblem(variant, value)
  return p === undefined ? undefined : { path: p.path === '' ? prefix : `${prefix}/${p.path}`, message: p.message }
}
