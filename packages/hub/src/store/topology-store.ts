import type { LinkInfo, RelayReport } from '@outpost/protocol'

/** A relay's latest report, as stored. */
export interface RelayRecord {
  readonly relayId: string
  readonly report: RelayReport
  /** Hub clock. */
  readonly reportedAt: number
}

/** An agent's latest word on its upstream, as stored. */
export interface LinkRecord {
  readonly agentId: string
  readonly link: LinkInfo
  readonly reportedAt: number
}

/**
 * Where each host sits in the relay topology. The hub never sees a path on the wire (relays
 * only forward TLS), so it is assembled from what agents and relays report: every relay lists
 * the agents whose first hop it is, and every agent says which kind of upstream it uses. A
 * host's path is its first hop, that relay's first hop, and so on up to the hub.
 *
 * A first hop is kept when the relay stops listing the host (that is how the hub still knows,
 * once a relay dies, which hosts were behind it); it changes only when another relay lists the
 * host or the host says it reaches the hub without a relay. A relay's claim about a host whose
 * stored link is `direct` or `proxy` is ignored (a relay cannot pull in a host that goes direct).
 */
export interface TopologyStore {
  /** Stores a relay's report and makes it the first hop of each listed agent that is enrolled (unknown ids are ignored). */
  recordRelay (relayId: string, report: RelayReport, at: number): Promise<void>
  /** Stores the upstream an agent says it uses; a `direct` or `proxy` link removes its first hop. */
  recordLink (agentId: string, link: LinkInfo, at: number): Promise<void>
  /** The first hop of every host that has one: host id → relay id. */
  firstHops (): Promise<Map<string, string>>
  /** Every relay's latest report. */
  listRelays (): Promise<RelayRecord[]>
  getRelay (relayId: string): Promise<RelayRecord | undefined>
  getLink (agentId: string): Promise<LinkRecord | undefined>
}
