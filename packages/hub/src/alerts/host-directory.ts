import type { Inventory } from '@outpost/protocol'
import type { Store } from '../store/store.ts'
import type { HostFacts } from './rule-match.ts'

/** How long a host's name, group and cores are trusted before they are read again. */
export const HOST_FACTS_TTL_MS = 30_000

/**
 * The hosts' facts rules need (group for scopes, cores for `perCore`), cached so that evaluating
 * a report costs no query most of the time. A report's own inventory updates the cores at once.
 */
export class HostDirectory {
  readonly #store: Store
  readonly #clock: () => number
  readonly #cache = new Map<string, { facts: HostFacts, at: number }>()

  /** `clock` is real time (a cache age), not the hub's injectable clock. */
  constructor (store: Store, clock: () => number = () => performance.now()) {
    this.#store = store
    this.#clock = clock
  }

  /** The host's facts, or undefined when no such host is enrolled. */
  async get (id: string): Promise<HostFacts | undefined> {
    const hit = this.#cache.get(id)
    if (hit !== undefined && this.#clock() - hit.at < HOST_FACTS_TTL_MS) return hit.facts
    const a = await this.#store.getAgent(id)
    if (a === undefined) {
      this.#cache.delete(id)
      return undefined
    }
    const facts: HostFacts = { id: a.id, name: a.name, group: a.group, cores: coresOf(a.inventory) }
    this.#cache.set(id, { facts, at: this.#clock() })
    return facts
  }

  /** Takes the cores from an inventory the host just sent. */
  noteInventory (id: string, inventory: Inventory): void {
    const hit = this.#cache.get(id)
    if (hit !== undefined) this.#cache.set(id, { facts: { ...hit.facts, cores: coresOf(inventory) }, at: hit.at })
  }
}

function coresOf (inv: Inventory | null): number | null {
  return inv === null || inv.cpu.cores <= 0 ? null : inv.cpu.cores
}
