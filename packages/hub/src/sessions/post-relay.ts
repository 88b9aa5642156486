import { isValid, SessionIn, SessionOut } from '@outpost/protocol'
import { BusSubject, type Bus } from '../bus/bus.ts'
import type { AgentPostEndpoint } from './agent-post-endpoint.ts'

/** Longest an `/out` waits for the replica holding the session's POST endpoint (a poll adds its own wait). */
export const POST_FORWARD_MS = 5_000

/** An agent's POST, as another replica passes it on. */
type Forwarded =
  | { readonly op: 'out', readonly agentId: string, readonly body: SessionOut }
  | { readonly op: 'in', readonly agentId: string, readonly after: number }

/** What the holder answers: `found: false` when the session is not this agent's. */
interface Answer { readonly found: boolean, readonly answer?: SessionIn }

/**
 * Lets other replicas reach a POST endpoint held here: behind a load balancer the agent's `/in`
 * and `/out` requests of one session may land on any replica, but its queue lives on one.
 */
export function servePostEndpoint (bus: Bus, sessionId: string, agentId: string, endpoint: AgentPostEndpoint, maxPollMs: number): () => void {
  return bus.serve(BusSubject.sessionPost(sessionId), async (p): Promise<Answer> => {
    const m = p as Partial<{ op: unknown, agentId: unknown, body: unknown, after: unknown }> | null
    if (typeof m !== 'object' || m === null || m.agentId !== agentId) return { found: false }
    if (m.op === 'out' && isValid(SessionOut, m.body)) {
      endpoint.out(m.body)
      return { found: true }
    }
    if (m.op === 'in' && typeof m.after === 'number' && Number.isSafeInteger(m.after) && m.after >= 0) {
      return { found: true, answer: await endpoint.poll(m.after, maxPollMs, AbortSignal.timeout(maxPollMs + POST_FORWARD_MS)) }
    }
    return { found: false }
  })
}

/**
 * Passes an agent's POST to the replica holding its session's endpoint. Undefined when no replica
 * holds one (this replica may attach the agent itself).
 */
export async function forwardPost (bus: Bus, sessionId: string, req: Forwarded, timeoutMs: number): Promise<Answer | undefined> {
  const a = await bus.request(BusSubject.sessionPost(sessionId), req, timeoutMs) as Partial<Answer> | undefined
  if (a === undefined) return undefined
  if (a?.found !== true) return { found: false }
  if (req.op === 'in' && !isValid(SessionIn, a.answer)) return { found: false }
  return { found: true, ...(a.answer === undefined ? {} : { answer: a.answer }) }
}
