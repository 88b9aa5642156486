/** Limits of live sessions; defaults below, tests may pass others. */
export interface SessionLimits {
  /** How long the `session-open` instruction may wait for delivery, and the agent to attach. */
  readonly openTtlMs: number
  /** A session with no traffic either way for this long is closed. */
  readonly idleMs: number
  /** Sessions not closed, per agent. */
  readonly maxPerAgent: number
  /** Operator input held until the agent side is ready; more closes that operator's socket. */
  readonly pendingInputBytes: number
  /** Input queued for an agent on the POST fallback between two polls; more ends the session. */
  readonly agentQueueBytes: number
  /** Output queued on an operator's socket; more drops that socket (a stalled browser must not grow the hub). */
  readonly slowConsumerBytes: number
  /** Largest WebSocket frame either side may send. */
  readonly maxFrameBytes: number
  /** An agent on the POST fallback that has not polled for this long is taken as gone. */
  readonly agentPollGapMs: number
}

/** Defaults: 60 s to attach, 30 min idle, 4 per agent. */
export const DEFAULT_SESSION_LIMITS: SessionLimits = Object.freeze({
  openTtlMs: 60_000,
  idleMs: 30 * 60_000,
  maxPerAgent: 4,
  pendingInputBytes: 64 * 1024,
  agentQueueBytes: 4 * 1024 * 1024,
  slowConsumerBytes: 8 * 1024 * 1024,
  maxFrameBytes: 1024 * 1024,
  agentPollGapMs: 60_000
})

/** A session's owner writes its liveness to the store this often; rows older than 4× are swept as lost. */
export const SESSION_HEARTBEAT_MS = 30_000
