import type { AlertRuleRecord, SilenceRecord, AlertStore } from '../store/alert-store.ts'
import type { Logger } from 'pino'
import { BusSubject, type Bus } from '../bus/bus.ts'
import { silences, type HostFacts } from './rule-match.ts'

/**
 * The rules and silences the engine evaluates with, read from the store at every sweep (and
 * after a change made through any replica: `changed` tells the others over the bus), so that
 * evaluating a report costs no query.
 */
export class RuleBook {
  readonly #store: AlertStore
  #rules: readonly AlertRuleRecord[] = []
  #byId = new Map<string, AlertRuleRecord>()
  #silences: readonly SilenceRecord[] = []

  readonly #bus: Bus | undefined
  readonly #unsubscribe: () => void

  constructor (store: AlertStore, sync?: { readonly bus: Bus, readonly now: () => number, readonly log: Logger }) {
    this.#store = store
    this.#bus = sync?.bus
    this.#unsubscribe = sync === undefined
      ? () => {}
      : sync.bus.subscribe(BusSubject.alertRulesChanged, () => {
        this.refresh(sync.now()).catch((err: unknown) => { sync.log.error({ err }, 'reading alert rules changed on another replica failed') })
      })
  }

  /** Reads again after a change made here, and has every other replica read again. */
  async changed (now: number): Promise<void> {
    await this.refresh(now)
    this.#bus?.publish(BusSubject.alertRulesChanged, {})
  }

  /** Stops following other replicas' changes. */
  close (): void {
    this.#unsubscribe()
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
