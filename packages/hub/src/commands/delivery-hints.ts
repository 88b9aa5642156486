import { BusSubject, queuedAgentId, type Bus } from '../bus/bus.ts'

/** Longest an agent is taken to have nothing deliverable without asking the store again. */
export const MAX_QUIET_MS = 60_000
/** Most agents with a hint; past that the hints are dropped (dropping is always safe). */
const MAX_HINTS = 200_000

/**
 * Per agent, a time before which the store has nothing to hand it, so that answering a report does
 * not cost a store round trip per report. Only "nothing until T" is remembered; an agent without a
 * hint (never asked, or told otherwise) must be checked. Any `instructionsQueued` event on the bus,
 * from this replica or another, removes the agent's hint, and a store read that was in flight when
 * such an event arrived may not leave a hint behind (the epoch), so that a hint never hides a
 * command queued after the read. Hints also expire after `MAX_QUIET_MS`, which bounds the delay
 * should a bus lose an event.
 */
export class DeliveryHints {
  readonly #quietUntil = new Map<string, number>()
  readonly #unsubscribe: () => void
  #epoch = 0

  constructor (bus: Bus) {
    this.#unsubscribe = bus.subscribe(BusSubject.anyInstructionsQueued, (payload) => { this.#queued(payload) })
  }

  /** True while the agent is known to have nothing deliverable at `now`. */
  quiet (agentId: string, now: number): boolean {
    const until = this.#quietUntil.get(agentId)
    return until !== undefined && now < until
  }

  /** Taken before reading the store; `remember` ignores the read if an event came in between. */
  get epoch (): number {
    return this.#epoch
  }

  /** Records "nothing deliverable before `until`" (`null`: nothing open) from a read begun at `epoch`. */
  remember (agentId: string, epoch: number, now: number, until: number | null): void {
    if (epoch !== this.#epoch) return
    if (this.#quietUntil.size >= MAX_HINTS) this.#quietUntil.clear()
    this.#quietUntil.set(agentId, Math.min(until ?? Infinity, now + MAX_QUIET_MS))
  }

  /** Drops the agent's hint: it must be checked next time. */
  forget (agentId: string): void {
    this.#quietUntil.delete(agentId)
  }

  close (): void {
    this.#unsubscribe()
    this.#quietUntil.clear()
  }

  #queued (payload: unknown): void {
    this.#epoch++
    const agentId = queuedAgentId(payload)
    // An event that does not say for whom (an older replica) clears every hint.
    if (agentId !== undefined) this.#quietUntil.delete(agentId)
    else this.#quietUntil.clear()
  }
}
