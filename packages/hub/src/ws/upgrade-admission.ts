import { monitorEventLoopDelay } from 'node:perf_hooks'
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
  /**
   * Mean event-loop delay (ms, over the last half second) above which upgrades are refused: the
   * loop is already behind (e.g. on synchronous store commits), and each new agent would add a
   * key lookup, a store write and its first report to the queue, while the TLS handshakes
   * queued behind them run into the agents' connect time-out and are redone. 0: no such check.
   */
  readonly maxLagMs: number
  /** The current event-loop delay in ms; default: measured (tests inject their own). */
  readonly lag?: () => number
}

/**
 * Default: enough for a reconnect storm on a 2-core hub (authentications finish in well under a
 * millisecond each when the store keeps up), small enough that a stalled store cannot gather
 * thousands of half-open sessions with their timers and buffers.
 */
export const DEFAULT_UPGRADE_ADMISSION: UpgradeAdmissionOptions = { maxPendingAuth: 1000, retryAfterSec: RETRY_AFTER_SEC, maxLagMs: 250 }

/** Window of the event-loop delay measurement. */
const LAG_WINDOW_MS = 500

/**
 * Counts agent WebSocket upgrades between the upgrade request and the end of authentication, and
 * turns away those beyond the bound, or any while the event loop lags, with
 * `503 HUB_ERR_OVERLOADED` and `Retry-After`: the agent waits that long (plus jitter) before it
 * tries again, instead of the hub queueing work without limit.
 */
export class UpgradeAdmission {
  readonly #o: UpgradeAdmissionOptions
  readonly #lag: () => number
  readonly #stop: () => void
  #pending = 0
  #refused = 0

  constructor (opts: Partial<UpgradeAdmissionOptions> = {}) {
    this.#o = Object.freeze({ ...DEFAULT_UPGRADE_ADMISSION, ...opts })
    if (this.#o.lag !== undefined || this.#o.maxLagMs <= 0) {
      this.#lag = this.#o.lag ?? (() => 0)
      this.#stop = () => {}
    } else {
      const m = measureLag()
      this.#lag = m.lag
      this.#stop = m.stop
    }
  }

  /** Stops the event-loop measurement. */
  close (): void {
    this.#stop()
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
    if (this.#pending >= this.#o.maxPendingAuth || (this.#o.maxLagMs > 0 && this.#lag() > this.#o.maxLagMs)) {
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

/** Mean event-loop delay over the last window, refreshed every window. */
function measureLag (): { lag: () => number, stop: () => void } {
  const h = monitorEventLoopDelay({ resolution: 10 })
  h.enable()
  let last = 0
  const timer = setInterval(() => {
    last = h.count > 0 ? h.mean / 1e6 : 0
    h.reset()
  }, LAG_WINDOW_MS)
  timer.unref()
  return { lag: () => last, stop: () => { clearInterval(timer); h.disable() } }
}

function refuse (socket: Duplex, retryAfterSec: number): void {
  const body = JSON.stringify({ error: { code: HubErrorCode.Overloaded, message: 'too many agent connections are authenticating; retry later' } })
  socket.end(
    'HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: application/json\r\n' +
    `Retry-After: ${retryAfterSec}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  )
}
