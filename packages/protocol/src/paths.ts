/** URL paths of the hub, shared so that hub and clients never disagree. */
export const HubPath = {
  /** POST: enrollment (`EnrollRequest` → `EnrolledMessage`). */
  AgentEnroll: '/agent/v1/enroll',
  /** POST: signed `AgentMessage` → `ReplyMessage`. */
  AgentMessages: '/agent/v1/messages',
  /** GET (upgrade): the agent WebSocket. */
  AgentWebSocket: '/agent/v1/ws',
  /** Live sessions of an agent: `/{id}` (WebSocket upgrade), `/{id}/out` and `/{id}/in` (POST fallback). */
  AgentSessions: '/agent/v1/sessions',
  /** PUT (agent streams a download up) / GET (agent fetches an upload): `/agent/v1/transfers/{transferId}`, signed over an empty body. */
  AgentTransfers: '/agent/v1/transfers',
  /** POST: a relay (signed as an agent) asks whether a downstream CONNECT is genuine (`RelayVerifyRequest` → `RelayVerifyAnswer`). */
  AgentRelayVerify: '/agent/v1/relay/verify',
  /** Operator API root. */
  Api: '/api/v1',
  /** Liveness probe (no authentication, no data). */
  Health: '/healthz',
  /** POST: a signed `CommandOutputChunk` of a running command (see `commandOutputPath`). */
  AgentCommandOutput: '/agent/v1/commands/:commandId/output'
} as const

/** The path an agent posts a running command's output to. */
export function commandOutputPath (commandId: string): string {
  return `/agent/v1/commands/${encodeURIComponent(commandId)}/output`
}
