import type { ReplyEnvelope, SpooledMessage } from '@outpost/protocol'

/** Connection health, reported as a typed event stream (logged and counted by the agent). */
export type TransportStatus =
  | { readonly type: 'connect', readonly transport: string }
  | { readonly type: 'disconnect', readonly transport: string, readonly error?: { readonly code: string, readonly message: string } }
  | { readonly type: 'reconnecting', readonly transport: string, readonly inMs: number }
  | { readonly type: 'fallback', readonly from: string, readonly to: string, readonly reason: string }

/**
 * How the agent reaches its upstream (the hub directly, or later a relay). Passed to the agent
 * through its constructor; there is no global registry. Every method dials out: nothing listens.
 */
export interface Transport {
  /** `https` (POST/long-poll) or `ws`; composite transports report the one in use. */
  readonly kind: string
  /** Sends spooled messages (in order); resolves once the hub answered with what it committed. */
  send (messages: readonly SpooledMessage[], signal?: AbortSignal): Promise<ReplyEnvelope>
  /**
   * Resolves with the next instructions: a held POST on `https`, the next push on `ws`.
   * May resolve with an empty reply when the wait ends without work.
   */
  awaitInstructions (waitMs: number, signal?: AbortSignal): Promise<ReplyEnvelope>
  /** Subscribes to health events; returns the unsubscribe function. */
  onStatus (listener: (s: TransportStatus) => void): () => void
  close (): Promise<void>
}
