import type { Endpoint, NetnsLab } from './netns-lab.ts'

/** The namespaces of `chain()`. */
export interface ChainSpec {
  /** Role of the hub's namespace (default `wan`). */
  readonly hub?: string
  /** Roles of the relays, nearest to the hub first (at least one). */
  readonly relays: readonly string[]
  /** Roles of the hosts on the LAN of the last relay (they reach only that relay). */
  readonly lan: readonly string[]
}

/** One relay of a chain: its namespace and its addresses towards the hub and away from it. */
export interface ChainHop {
  readonly role: string
  readonly ns: string
  /** On the link to the previous hop (the hub for the first relay). */
  readonly up: Endpoint
  /** On the link to the next relay, or on the LAN segment for the last one: where it relays. */
  readonly down: Endpoint
}

/** A built chain: the hub, the relays in order, the LAN hosts behind the last relay. */
export interface Chain {
  readonly hub: { readonly ns: string, readonly up: Endpoint }
  /** The hub's address (on its link to the first relay). */
  readonly hubAddress: string
  readonly relays: readonly ChainHop[]
  readonly lan: Readonly<Record<string, { readonly ns: string, readonly lan: Endpoint }>>
}

/**
 * A site several relays deep: hub — relay 1 — relay 2 — … — last relay, each pair on a
 * point-to-point link of its own, and the last relay with the LAN hosts on a segment. No
 * namespace forwards IP, so every machine reaches only its neighbours: traffic from the LAN to
 * the hub can only pass as relayed connections, hop by hop. Call it once per lab (it makes the
 * segment `lan`).
 */
export function chain (lab: NetnsLab, spec: ChainSpec): Chain {
  if (spec.relays.length === 0) throw new Error('a chain needs at least one relay')
  const hubNs = lab.namespace(spec.hub ?? 'wan')
  const relayNs = spec.relays.map((r) => lab.namespace(r))
  const lanNs = spec.lan.map((h) => lab.namespace(h))
  const links = relayNs.map((ns, i) => lab.link(i === 0 ? hubNs : relayNs[i - 1] ?? '', ns))
  const last = relayNs[relayNs.length - 1] ?? ''
  const lan = lab.segment('lan', [last, ...lanNs])
  const first = links[0]
  if (first === undefined) throw new Error('unreachable: no first link')
  return {
    hub: { ns: hubNs, up: first.a },
    hubAddress: first.a.address,
    relays: spec.relays.map((role, i) => {
      const ns = relayNs[i] ?? ''
      const up = links[i]?.b
      const down = i + 1 < relayNs.length ? links[i + 1]?.a : lan.of(ns)
      if (up === undefined || down === undefined) throw new Error(`unreachable: relay ${role} has no link`)
      return { role, ns, up, down }
    }),
    lan: Object.fromEntries(spec.lan.map((h, i) => {
      const ns = lanNs[i] ?? ''
      return [h, { ns, lan: lan.of(ns) }]
    }))
  }
}
