/** URL paths of the hub, shared so that hub and clients never disagree. */
export const HubPath = {
  /** POST: enrollment (`EnrollRequest` → `EnrolledMessage`). */
  AgentEnroll: '/agent/v1/enroll',
  /** POST: signed `AgentMessage` → `ReplyMessage`. */
  AgentMessages: '/agent/v1/messages',
  /** GET (upgrade): the agent WebSocket. */
  AgentWebSocket: '/agent/v1/ws',
  /** Operator API root. */
  Api: '/api/v1',
  /** Liveness probe (no authentication, no data). */
  Health: '/healthz'
} as const
