import type { Logger } from 'pino'
import { Backoff, retryDelay, sleep, type BackoffOptions } from '../transport/backoff.ts'
import type { Transport } from '../transport/transport.ts'

/** What the instruction loop needs. */
export interface InstructionLoopOptions {
  readonly transport: Transport
  readonly pollWaitMs: number
  readonly backoff: BackoffOptions
  readonly random?: () => number
  readonly logger?: Logger
  /** Instructions as they came: each is verified on its own by the executor. */
  readonly onInstructions: (list: readonly unknown[]) => void
}

/**
 * Waits for instructions for ever: a held poll on POST, the next push on the WebSocket. Errors
 * wait a jittered, growing delay (at least the hub's `Retry-After`) before the next attempt.
 */
export async function runInstructionLoop (o: InstructionLoopOptions, signal: AbortSignal): Promise<void> {
  const backoff = new Backoff(o.backoff, o.random)
  while (!signal.aborted) {
    try {
      const reply = await o.transport.awaitInstructions(o.pollWaitMs, signal)
      backoff.reset()
      if (reply.instructions.length > 0) o.onInstructions(reply.instructions)
      // A zero wait would spin; keep a minimal pause in that configuration.
      if (o.pollWaitMs === 0) await sleep(o.backoff.minMs, signal)
    } catch (err) {
      if (signal.aborted) return
      const e = err as { code?: unknown, message?: unknown }
      const ms = retryDelay(backoff, err, o.random)
      o.logger?.warn({ code: e.code, inMs: ms }, `waiting for instructions failed: ${String(e.message)}`)
      try {
        await sleep(ms, signal)
      } catch {
        // Aborted: the loop condition ends the run.
      }
    }
  }
}
