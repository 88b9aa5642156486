/**
 * The hub's message bus port: in-process for one hub, NATS between replicas. Subjects are
 * dotted strings; payloads are small JSON-able objects.
 */
export interface Bus {
  readonly kind: 'memory' | 'nats'
  publish (subject: string, payload: unknown): void
  /**
   * Calls `handler` for each message on `subject` until the returned function is called. As in
   * NATS, a `*` token in `subject` matches any one token (`agent.*.instructions`).
   */
  subscribe (subject: string, handler: (payload: unknown) => void): () => void
  /**
   * Answers requests on `subject` (no wildcards) with what `handler` resolves to, until the
   * returned function is called. One responder per subject: the replica holding the thing asked for.
   */
  serve (subject: string, handler: (payload: unknown) => Promise<unknown>): () => void
  /**
   * Asks whoever serves `subject`. Resolves with the answer, or `undefined` when nobody serves it
   * (the thing asked for is on no replica); rejects with `HUB_ERR_BUS` on a timeout, a handler
   * failure or a bus that is down.
   */
  request (subject: string, payload: unknown, timeoutMs: number): Promise<unknown>
  /** Stops taking messages and lets what was published go out (NATS: drain). */
  close (): Promise<void>
}

/** Subjects used on the bus. */
export const BusSubject = {
  /** An instruction was queued for this agent: wake its long-poll or WebSocket. */
  instructionsQueued: (agentId: string) => `agent.${agentId}.instructions`,
  /** `instructionsQueued` of every agent (payload `{ agentId, commandId }`; see `queuedAgentId`). */
  anyInstructionsQueued: 'agent.*.instructions',
  /** A command finished: wake operators waiting on it. */
  commandFinished: (commandId: string) => `command.${commandId}.finished`,
  /** A chunk of a running command's output (`CommandOutputChunk`), streamed by `GET /api/v1/commands/:id/output`. */
  commandOutput: (commandId: string) => `command.${commandId}.output`,
  /** A live session's agent side to its operators and recorder (`SessionFrame` of sessions/session-frames.ts). */
  sessionUp: (sessionId: string) => `session.${sessionId}.up`,
  /** A live session's operators (and the hub) to its agent side (`SessionFrame`). */
  sessionDown: (sessionId: string) => `session.${sessionId}.down`,
  /** A login attempt (per address) or an unknown name's failure, counted by every replica's throttle (`auth/shared-throttle.ts`). */
  loginAttempt: 'console.login-attempt',
  /** Console live events (`LiveEvent` of @outpost/protocol), streamed by `GET /api/v1/events`. */
  live: 'console.live',
  /** A job was created or cancelled: every replica's job scheduler looks at the store. */
  jobsScheduled: 'jobs.scheduled',
  /** Alert rules or silences changed: every replica's alert engine reads them again. */
  alertRulesChanged: 'alerts.rules-changed',
  /** Request to the replica holding a file transfer: an agent's request for it reached another replica. */
  transferClaim: (transferId: string) => `transfer.${transferId}.claim`,
  /** A flow-controlled byte stream between two replicas (`bus-stream.ts`): chunks go on `.data`, credit comes back on `.ctl`. */
  stream: (streamId: string) => `stream.${streamId}`,
  /** Request to the replica holding a live session's POST endpoint (the agent's POST reached another replica). */
  sessionPost: (sessionId: string) => `session.${sessionId}.post`
} as const

/**
 * The agent an `instructionsQueued` payload is for, or undefined when it does not say (an older
 * replica's event): then every agent must be taken as concerned.
 */
export function queuedAgentId (payload: unknown): string | undefined {
  const agentId = (payload as { agentId?: unknown } | null)?.agentId
  return typeof agentId === 'string' ? agentId : undefined
}
