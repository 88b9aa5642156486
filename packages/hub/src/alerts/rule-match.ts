import type { AlertCondition, AlertScope, Metric, Severity } from '@outpost/protocol'
import type { SilenceRecord } from '../store/alert-store.ts'

/** What rules are matched against: a host's identity and size. */
export interface HostFacts {
  readonly id: string
  readonly name: string
  readonly group: string
  /** CPU cores from the inventory; null before the first inventory. */
  readonly cores: number | null
}

type MetricThreshold = Extract<AlertCondition, { type: 'metric-threshold' }>

const SEVERITY_RANK: Readonly<Record<Severity, number>> = { info: 0, warning: 1, critical: 2 }
const OP_SIGN = { '>=': '≥', '>': '>', '<=': '≤', '<': '<' } as const

/** True when `s` is at least as severe as `min`. */
export function atLeast (s: Severity, min: Severity): boolean {
  return SEVERITY_RANK[s] >= SEVERITY_RANK[min]
}

/** True when the scope covers the host. */
export function inScope (scope: AlertScope, host: HostFacts): boolean {
  return scope.type === 'all' || (scope.type === 'group' ? scope.group === host.group : scope.hostId === host.id)
}

/** True when the silence holds notifications of this rule on this host at `now` (start inclusive, end exclusive). */
export function silences (s: SilenceRecord, ruleId: string, host: HostFacts, now: number): boolean {
  return s.startsAt <= now && now < s.endsAt && (s.ruleId === null || s.ruleId === ruleId) && inScope(s.scope, host)
}

/** True when a metric name matches a rule's pattern; `name[*]` matches every instance of `name`. */
export function metricMatches (pattern: string, name: string): boolean {
  if (!pattern.endsWith('[*]')) return pattern === name
  const base = pattern.slice(0, -3)
  return name.length > base.length + 2 && name.startsWith(base + '[') && name.endsWith(']')
}

/** The outcome of a threshold rule on one report. */
export type ThresholdOutcome =
  /** The report has no metric the rule watches (or the host's cores are unknown for `perCore`): no change. */
  | { readonly kind: 'unknown' }
  | { readonly kind: 'clear' }
  /** The worst matching instance. */
  | { readonly kind: 'breach', readonly metric: string, readonly value: number, readonly summary: string }

/** Evaluates a metric-threshold condition on a report's metrics. */
export function evaluateThreshold (c: MetricThreshold, metrics: readonly Metric[], host: HostFacts): ThresholdOutcome {
  let threshold = c.value
  if (c.perCore === true) {
    if (host.cores === null || host.cores <= 0) return { kind: 'unknown' }
    threshold = c.value * host.cores
  }
  const higher = c.op === '>=' || c.op === '>'
  let seen = false
  let worst: Metric | undefined
  for (const m of metrics) {
    if (!metricMatches(c.metric, m.name) || !Number.isFinite(m.value)) continue
    seen = true
    if (!compare(m.value, c.op, threshold)) continue
    if (worst === undefined || (higher ? m.value > worst.value : m.value < worst.value)) worst = m
  }
  if (worst !== undefined) {
    const perCore = c.perCore === true ? ` = ${c.value} × ${host.cores ?? 0} cores` : ''
    return { kind: 'breach', metric: worst.name, value: worst.value, summary: `${worst.name} = ${round(worst.value)} (${OP_SIGN[c.op]} ${round(threshold)}${perCore})` }
  }
  return seen ? { kind: 'clear' } : { kind: 'unknown' }
}

function compare (v: number, op: MetricThreshold['op'], t: number): boolean {
  return op === '>=' ? v >= t : op === '>' ? v > t : op === '<=' ? v <= t : v < t
}

/** A value as people read it in a summary (at most two decimals). */
export function round (v: number): string {
  return String(Math.round(v * 100) / 100)
}
