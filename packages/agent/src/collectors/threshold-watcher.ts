import { validate, type AgentEvent, type Metric } from '@outpost/protocol'
import { ThresholdRule } from '../config/agent-config.ts'
import { AgentError, AgentErrorCode } from '../errors.ts'

/** At most this many (rule, metric) pairs are held crossed at once; the oldest is forgotten first. */
export const MAX_CROSSED = 4096

const WILDCARD = '[*]'

function holds (rule: ThresholdRule, value: number): boolean {
  switch (rule.op) {
    case '>=': return value >= rule.value
    case '>': return value > rule.value
    case '<=': return value <= rule.value
    case '<': return value < rule.value
  }
}

/** True when `rule.metric` names `metric`: exactly, or any instance of it with `[*]`. */
export function ruleMatches (rule: ThresholdRule, metric: string): boolean {
  if (!rule.metric.endsWith(WILDCARD)) return rule.metric === metric
  const prefix = rule.metric.slice(0, -WILDCARD.length) + '['
  return metric.startsWith(prefix) && metric.endsWith(']') && metric.length > prefix.length + 1
}

/**
 * Turns threshold rules into events: one `threshold.crossed` event (with the rule's severity)
 * when a metric starts to satisfy a rule, one `threshold.cleared` event (severity `info`) when it
 * stops, never repeated while the state holds. Each rule is tracked on its own, so a warning at
 * 75 % and a critical at 90 % on the same metric cross and clear independently. A metric absent
 * from a check keeps its state: a skipped sample is not a recovery.
 */
export class ThresholdWatcher {
  readonly #rules: readonly ThresholdRule[]
  /** Crossed (rule index, metric) pairs, in the order they crossed. */
  readonly #crossed = new Set<string>()

  constructor (rules: readonly ThresholdRule[]) {
    try {
      this.#rules = Object.freeze(rules.map((r) => Object.freeze({ ...validate(ThresholdRule, r, 'threshold rule') })))
    } catch (cause) {
      throw new AgentError(AgentErrorCode.Config, 'invalid threshold rule', { cause })
    }
  }

  /** Checks `metrics` sampled at `now` (ms since the epoch) and returns the resulting events. */
  check (metrics: readonly Metric[], now: number): AgentEvent[] {
    const time = Math.max(0, Math.floor(now))
    const events: AgentEvent[] = []
    for (const m of metrics) {
      if (!Number.isFinite(m.value)) continue
      this.#rules.forEach((rule, i) => {
        if (!ruleMatches(rule, m.name)) return
        const key = `${i} ${m.name}`
        const on = holds(rule, m.value)
        if (on === this.#crossed.has(key)) return
        const cond = `${rule.op} ${rule.value}`
        if (on) {
          this.#remember(key)
          events.push({ name: 'threshold.crossed', severity: rule.severity, message: `${m.name} is ${m.value}, ${cond} (${rule.severity})`.slice(0, 1024), time, metric: m.name, value: m.value, threshold: rule.value })
        } else {
          this.#crossed.delete(key)
          events.push({ name: 'threshold.cleared', severity: 'info', message: `${m.name} is back to ${m.value}, no longer ${cond} (${rule.severity})`.slice(0, 1024), time, metric: m.name, value: m.value, threshold: rule.value })
        }
      })
    }
    return events
  }

  #remember (key: string): void {
    if (this.#crossed.size >= MAX_CROSSED) {
      const oldest = this.#crossed.values().next()
      if (oldest.done !== true) this.#crossed.delete(oldest.value)
    }
    this.#crossed.add(key)
  }
}
