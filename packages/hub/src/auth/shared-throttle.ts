import { randomUUID } from 'node:crypto'
import type { Bus } from '../bus/bus.ts'
import { BusSubject } from '../bus/bus.ts'

/** What one replica tells the others about a login. */
interface LoginAttempt {
  readonly origin: string
  readonly kind: 'address' | 'unknown-name'
  readonly key: string
  readonly at: number
}

/**
 * Makes the in-memory login throttles count what every replica sees. A real user's failures are
 * counted in the store already; without this, an address would get its burst once per replica,
 * and an unknown name would need N times as many failures to lock as a real one, which would
 * tell an attacker which names exist. Each replica publishes its attempts and applies the
 * others' (its own come back from the bus and are skipped).
 */
export class SharedThrottle {
  readonly #bus: Bus
  readonly #origin = randomUUID()

  constructor (bus: Bus, apply: { address: (ip: string) => void, unknownName: (name: string, at: number) => void }, closing?: AbortSignal) {
    this.#bus = bus
    const off = bus.subscribe(BusSubject.loginAttempt, (p) => {
      const a = p as Partial<LoginAttempt> | null
      if (a === null || typeof a !== 'object' || a.origin === this.#origin || typeof a.key !== 'string' || typeof a.at !== 'number') return
      if (a.kind === 'address') apply.address(a.key)
      else if (a.kind === 'unknown-name') apply.unknownName(a.key, a.at)
    })
    closing?.addEventListener('abort', off, { once: true })
  }

  address (ip: string): void {
    this.#publish('address', ip)
  }

  unknownName (name: string, at: number): void {
    this.#publish('unknown-name', name, at)
  }

  #publish (kind: LoginAttempt['kind'], key: string, at = Date.now()): void {
    const msg: LoginAttempt = { origin: this.#origin, kind, key, at }
    this.#bus.publish(BusSubject.loginAttempt, msg)
  }
}
