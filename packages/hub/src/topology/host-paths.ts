import type { HopRef } from '@outpost/protocol'
import type { HostSummaryRecord, Store } from '../store/store.ts'

/** Most relays a path lists (the protocol's `via` bound; relays refuse more than 8 hops anyway). */
export const MAX_PATH_HOPS = 16

/**
 * The relays between a host and the hub, first hop first: its first hop, that relay's first hop,
 * and so on. Stops at a host with no first hop, at `MAX_PATH_HOPS`, and before a relay already on
 * the path (first hops learnt at different times can form a ring for a while, e.g. during a
 * failover between two gateways that list each other).
 */
export function pathOf (hostId: string, firstHops: ReadonlyMap<string, string>): string[] {
  const path: string[] = []
  const seen = new Set([hostId])
  let next = firstHops.get(hostId)
  while (next !== undefined && !seen.has(next) && path.length < MAX_PATH_HOPS) {
    path.push(next)
    seen.add(next)
    next = firstHops.get(next)
  }
  return path
}

/** Every host's path, with the relays' names, from one read of the first hops. */
export class HostPaths {
  readonly #firstHops: ReadonlyMap<string, string>
  readonly #names: ReadonlyMap<string, string>

  constructor (firstHops: ReadonlyMap<string, string>, names: ReadonlyMap<string, string>) {
    this.#firstHops = firstHops
    this.#names = names
  }

  /** No paths known: every host is shown direct. */
  static readonly none = new HostPaths(new Map(), new Map())

  /** Relay ids of a host's path, first hop first. */
  ids (hostId: string): string[] {
    return pathOf(hostId, this.#firstHops)
  }

  /** A host's path as the API shows it. */
  via (hostId: string): HopRef[] {
    return this.ids(hostId).map((id) => ({ id, name: this.#names.get(id) ?? id }))
  }
}

/**
 * Reads the first hops once and the names of the relays on the paths of `hosts` that `hosts`
 * does not hold itself, so that listing N hosts costs two queries whatever N.
 */
export async function loadPaths (store: Store, hosts: readonly Pick<HostSummaryRecord, 'id' | 'name'>[]): Promise<HostPaths> {
  const firstHops = await store.topology.firstHops()
  if (firstHops.size === 0) return HostPaths.none
  const names = new Map(hosts.map((h) => [h.id, h.name]))
  const missing = new Set<string>()
  for (const h of hosts) for (const id of pathOf(h.id, firstHops)) if (!names.has(id)) missing.add(id)
  if (missing.size > 0) for (const r of await store.listHostSummaries([...missing])) names.set(r.id, r.name)
  return new HostPaths(firstHops, names)
}
