import type { Duplex } from 'node:stream'
import { HubErrorCode } from '../errors.ts'
import { RETRY_AFTER_SEC } from '../http/error-mapping.ts'

/** Bounds of the agent WebSocket front. */
export interface UpgradeAdmissionOptions {
  /**
   * Upgrades accepted but not yet authenticated (challenge sent, signature and key lookup
   * pending). Beyond it an upgrade is answered 503 with `Retry-After` before any work is done.
   */
  readonly maxPendingAuth: number
  /** Seconds for `Retry-After` on a refused upgrade. */
  readonly retryAfterSec: number
}

/**
 * Default: enough for a reconnect storm on a 2-core hub (authentications finish in well under a
 * millisecond each when the store keeps up), small enough that a stalled store cannot gather
 * thousands of half-open sessions with their timers and buffers.
 */
export const DEFAULT_UPGRADE_ADMISSION: UpgradeAdmissionOptions = { maxPendingAuth: 1000, retryAfterSec: RETRY_AFTER_SEC }

/**
 * Counts agent WebSocket upgrades between the upgrade request and the end of authentication, and
 * turns away those beyond the bound with `503 HUB_ERR_OVERLOADED` and `Retry-After`: the agent
 * waits that long (plus jitter) before it tries again, instead of the hub queueing without limit.
 */
export class UpgradeAdmission {
  readonly #o: UpgradeAdmissionOptions
  #pending = 0
  #refused = 0

  constructor (opts: UpgradeAdmissionOptions = DEFAULT_UPGRADE_ADMISSION) {
    this.#o = Object.freeze({ ...opts })
  }

  /** Upgrades waiting for authentication now. */
  get pending (): number {
    return this.#pending
  }

  /** Upgrades refused so far. */
  get refused (): number {
    return this.#refused
  }

  /**
   * Admits an upgrade on `socket` and returns the function that ends its slot (idempotent; also
   * called when the socket closes), or answers 503 on the socket and returns undefined.
   */
  admit (socket: Duplex): (() => void) | undefined {
    if (this.#pending >= this.#o.maxPendingAuth) {
      this.#refused++
      refuse(socket, this.#o.retryAfterSec)
      return undefined
    }
    this.#pending++
    let held = true
    const release = (): void => {
      if (!held) return
      held = false
      this.#pending--
      socket.off('close', release)
    }
    socket.once('close', release)
    return release
  }
}

function refuse (socket: Duplex, retryAfterSec: number): void {
  const body = JSON.stringify({ error: { code: HubErrorCode.Overloaded, message: 'too many agent connections are authenticating; retry later' } })
  socket.end(
    'HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: application/json\r\n' +
    `Retry-After: ${retryAfterSec}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  )
}
