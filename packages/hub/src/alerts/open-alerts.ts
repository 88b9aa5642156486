import type { AlertRecord } from '../store/alert-store.ts'

/**
 * The open alerts as last read (every sweep) and as changed here since, so that evaluating a
 * report needs no query to know whether an alert is open. It may lag another replica by one
 * sweep; the store's guards make a stale answer harmless (opening twice conflicts, resolving
 * twice changes nothing).
 */
export class OpenAlerts {
  #byKey = new Map<string, AlertRecord>()

  /** Replaces the index with what the store holds now. */
  reset (open: readonly AlertRecord[]): void {
    this.#byKey = new Map(open.map(a => [key(a.ruleId, a.hostId), a]))
  }

  get (ruleId: string, hostId: string): AlertRecord | undefined {
    return this.#byKey.get(key(ruleId, hostId))
  }

  /** Records a change: open alerts are kept, resolved ones dropped. */
  note (a: AlertRecord): void {
    if (a.state === 'resolved') this.#byKey.delete(key(a.ruleId, a.hostId))
    else this.#byKey.set(key(a.ruleId, a.hostId), a)
  }

  /** Open alerts of one rule. */
  ofRule (ruleId: string): AlertRecord[] {
    return [...this.#byKey.values()].filter(a => a.ruleId === ruleId)
  }

  all (): AlertRecord[] {
    return [...this.#byKey.values()]
  }
}

function key (ruleId: string, hostId: string): string {
  return `${ruleId}\u0000${hostId}`
}
