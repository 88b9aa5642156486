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
  close (): Promise<void>
}

/** Subjects used on the bus. */
export const BusSubject = {
  /** An instruction was queued for this agent: wake its long-poll or WebSocket. */
  instructionsQueued: (agentId: string) => `agent.${agentId}.instructions`,
  /** `instructionsQueued` of every agent (payload `{ agentId, commandId }`). */
  anyInstructionsQueued: 'agent.*.instructions',
  /** A command finished: wake operators waiting on it. */
  commandFinished: (commandId: string) => `command.${commandId}.finished`,
  /** A chunk of a running command's output (`CommandOutputChunk`), streamed by `GET /api/v1/commands/:id/output`. */
  commandOutput: (commandId: string) => `command.${commandId}.output`,
  /** A live session's agent side to its operators and recorder (`SessionFrame` of sessions/session-frames.ts). */
  sessionUp: (sessionId: string) => `session.${sessionId}.up`,
  /** A live session's operators (and the hub) to its agent side (`SessionFrame`). */
  sessionDown: (sessionId: string) => `session.${sessionId}.down`,
  /** Console live events (`LiveEvent` of @outpost/protocol), streamed by `GET /api/v1/events`. */
  live: 'console.live',
  /** A job was created or cancelled: every replica's job scheduler looks at the store. */
  jobsScheduled: 'jobs.scheduled'
} as const
