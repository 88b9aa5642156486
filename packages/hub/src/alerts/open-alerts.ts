import type { AlertRecord } from '../store/alert-store.ts'

/**
 * The open alerts as last read (every sweep) and as changed here since, so that evaluating a
 * report needs no query to know whether an alert is open. It may lag another replica by one
 * sweep; the store's guards make that harmless (opening twice conflicts, resolving twice changes
 * nothing). Changes made HERE while a sweep's read was under way are never undone by that read:
 * a stale "still open" would suppress the next alert of that (rule, host) until the next report.
 */
export class OpenAlerts {
  #byKey = new Map<string, AlertRecord>()
  /** Local changes by key, with the change counter at the time, kept until a later read covers them. */
  readonly #recent = new Map<string, { readonly seq: number, readonly alert: AlertRecord }>()
  #seq = 0

  /** Marks the start of a read of the store; pass the result to `reset`. */
  beginRead (): number {
    return this.#seq
  }

  /** Replaces the index with what the store held at `readFrom`, keeping local changes made since. */
  reset (open: readonly AlertRecord[], readFrom: number): void {
    this.#byKey = new Map(open.map(a => [key(a.ruleId, a.hostId), a]))
    for (const [k, change] of this.#recent) {
      if (change.seq <= readFrom) this.#recent.delete(k)
      else this.#apply(k, change.alert)
    }
  }

  get (ruleId: string, hostId: string): AlertRecord | undefined {
    return this.#byKey.get(key(ruleId, hostId))
  }

  /** Records a change: open alerts are kept, resolved ones dropped. */
  note (a: AlertRecord): void {
    const k = key(a.ruleId, a.hostId)
    this.#recent.set(k, { seq: ++this.#seq, alert: a })
    this.#apply(k, a)
  }

  /** Open alerts of one rule. */
  ofRule (ruleId: string): AlertRecord[] {
    return [...this.#byKey.values()].filter(a => a.ruleId === ruleId)
  }

  all (): AlertRecord[] {
    return [...this.#byKey.values()]
  }

  #apply (k: string, a: AlertRecord): void {
    if (a.state === 'resolved') this.#byKey.delete(k)
    else this.#byKey.set(k, a)
  }
}

function key (ruleId: string, hostId: string): string {
  return `${ruleId}\u0000${hostId}`
}
