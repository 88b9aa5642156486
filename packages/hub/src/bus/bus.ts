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
  /** Console live events (`LiveEvent` of @outpost/protocol), streamed by `GET /api/v1/events`. */
  live: 'console.live'
} as const
