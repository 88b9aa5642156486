import type { AlertRuleRecord, SilenceRecord, AlertStore } from '../store/alert-store.ts'
import { silences, type HostFacts } from './rule-match.ts'

/**
 * The rules and silences the engine evaluates with, read from the store at every sweep (and
 * after a change made through this hub), so that evaluating a report costs no query. Changes
 * made on another replica are seen within one sweep.
 */
export class RuleBook {
  readonly #store: AlertStore
  #rules: readonly AlertRuleRecord[] = []
  #byId = new Map<string, AlertRuleRecord>()
  #silences: readonly SilenceRecord[] = []

  constructor (store: AlertStore) {
    this.#store = store
  }

  /** Reads rules and silences (those not yet over at `now`) again. */
  async refresh (now: number): Promise<void> {
    const [rules, silenceList] = await Promise.all([this.#store.listRules(), this.#store.listSilences(now)])
    this.#rules = rules
    this.#byId = new Map(rules.map(r => [r.id, r]))
    this.#silences = silenceList
  }

  /** Enabled rules of one condition type. */
  enabled<T extends AlertRuleRecord['condition']['type']> (type: T): Array<AlertRuleRecord & { condition: Extract<AlertRuleRecord['condition'], { type: T }> }> {
    return this.#rules.filter((r): r is AlertRuleRecord & { condition: Extract<AlertRuleRecord['condition'], { type: T }> } => r.enabled && r.condition.type === type)
  }

  rule (id: string): AlertRuleRecord | undefined {
    return this.#byId.get(id)
  }

  /** Whether a silence or maintenance window holds notifications of this rule on this host now. */
  silenced (ruleId: string, host: HostFacts | undefined, now: number): boolean {
    if (host === undefined) return false
    return this.#silences.some(s => silences(s, ruleId, host, now))
  }
}
