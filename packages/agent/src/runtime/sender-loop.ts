import type { Logger } from 'pino'
import { MAX_BATCH_MESSAGES, type ReplyEnvelope } from '@outpost/protocol'
import type { DiskSpool } from '../spool/disk-spool.ts'
import { Backoff, retryDelay, sleep, type BackoffOptions } from '../transport/backoff.ts'
import type { Transport } from '../transport/transport.ts'
import { Wakeup } from './wakeup.ts'

/** What the sender loop needs. */
export interface SenderOptions {
  readonly spool: DiskSpool
  readonly transport: Transport
  readonly backoff: BackoffOptions
  readonly random?: () => number
  readonly logger?: Logger
  /** Instructions that came back in a send reply, as they came: the executor verifies each. */
  readonly onInstructions: (list: readonly unknown[]) => void
  /** Told after the hub acknowledged seqs. */
  readonly onAcked?: (seqs: readonly number[]) => void
}

/**
 * Drains the spool oldest first in batches of up to `MAX_BATCH_MESSAGES`, forgetting entries only
 * when the hub's reply lists their seq. Failures wait a jittered, growing delay (at least the
 * hub's `Retry-After`), then the same batch is sent again: order is kept across any outage.
 */
export class SenderLoop {
  readonly #o: SenderOptions
  readonly #backoff: Backoff
  readonly #wake = new Wakeup()

  constructor (opts: SenderOptions) {
    this.#o = opts
    this.#backoff = new Backoff(opts.backoff, opts.random)
  }

  /** Tells the loop there is something new in the spool. */
  wake (): void {
    this.#wake.notify()
  }

  /** Runs until `signal` aborts. Never rejects. */
  async run (signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const batch = this.#o.spool.peek(MAX_BATCH_MESSAGES)
      if (batch.length === 0) {
        await this.#wake.wait(signal)
        continue
      }
      let reply: ReplyEnvelope
      try {
        reply = await this.#o.transport.send(batch, signal)
      } catch (err) {
        if (signal.aborted) return
        await this.#pause(err, signal)
        continue
      }
      const acked = this.#o.spool.ack(reply.accepted)
      if (reply.instructions.length > 0) this.#o.onInstructions(reply.instructions)
      if (acked === 0) {
        await this.#pause(new Error(`hub acknowledged none of seqs ${batch[0]!.seq}..${batch[batch.length - 1]!.seq}`), signal)
        continue
      }
      this.#backoff.reset()
      this.#o.onAcked?.(reply.accepted)
    }
  }

  /** One attempt to send everything spooled, for a graceful stop; resolves true when the spool is empty. */
  async flush (signal: AbortSignal): Promise<boolean> {
    for (let i = 0; i < 1000 && !signal.aborted; i++) {
      const batch = this.#o.spool.peek(MAX_BATCH_MESSAGES)
      if (batch.length === 0) return true
      const reply = await this.#o.transport.send(batch, signal)
      if (this.#o.spool.ack(reply.accepted) === 0) return false
      this.#o.onAcked?.(reply.accepted)
    }
    return this.#o.spool.size === 0
  }

  async #pause (err: unknown, signal: AbortSignal): Promise<void> {
    const e = err as { code?: unknown, message?: unknown }
    const ms = retryDelay(this.#backoff, err, this.#o.random)
    this.#o.logger?.warn({ code: e.code, inMs: ms, pending: this.#o.spool.size }, `sending reports failed: ${String(e.message)}`)
    try {
      await sleep(ms, signal)
    } catch {
      // Aborted: the loop condition ends the run.
    }
  }
}
