// The IPC messages between sim-agents.ts (parent) and sim-agent-worker.ts (child).
import type { SimAck, SimAgentCounters, SimAgentOptions } from './sim-agent.ts'

export type { SimAck } from './sim-agent.ts'

/** Options of a fleet run: the agent's own, less the per-agent first-report delay. */
export type SimRunOptions = Omit<SimAgentOptions, 'firstReportMs'>

export type SimRequest = { readonly id: number } & (
  | { readonly cmd: 'enroll', readonly tokens: readonly string[], readonly upstreams: readonly string[], readonly prefix: string }
  /** `agents`: start only the first that many identities (default all); `rampMs`: spread their dialling over that long. */
  | { readonly cmd: 'start', readonly options: SimRunOptions, readonly spreadMs: number, readonly agents?: number, readonly rampMs?: number }
  | { readonly cmd: 'status' }
  /** Per agent, the first acknowledgement at or after `time` (wall clock ms), or null. */
  | { readonly cmd: 'acks-after', readonly time: number }
  | { readonly cmd: 'stop' }
)

export type SimReply = { readonly id: number } & ({ readonly ok: true, readonly result: unknown } | { readonly ok: false, readonly error: string })

/** Counters of one worker (or a whole fleet, summed): its agents' counters added up, and more. */
export interface SimStatus extends SimAgentCounters {
  agents: number
  /** Agents with at least one acknowledged report since the start. */
  reporting: number
  /** Agents whose WebSocket is open. */
  ws: number
  /** Agents per index of the upstream in use (-1: direct). */
  upstreams: Record<string, number>
}
