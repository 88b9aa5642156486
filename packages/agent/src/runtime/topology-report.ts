import type { LinkInfo, RelayReport } from '@outpost/protocol'
import type { RelayServer } from '../relay/relay-server.ts'
import type { UpstreamSelector } from '../transport/upstream-selector.ts'

/**
 * The upstream this agent's connections go through, as its periodic report tells the hub: the
 * entry of the upstream list last used (the preferred one before any connection), or, without a
 * list, the proxy or the hub itself.
 */
export function currentLink (selector: UpstreamSelector | null, hubUrl: string, proxy: string | null): LinkInfo {
  if (selector !== null) {
    const index = Math.max(0, selector.current)
    const u = selector.upstreams[index]!
    return { kind: u.kind, label: u.label, index }
  }
  if (proxy !== null && proxy !== '') return { kind: 'proxy', label: `proxy ${new URL(proxy).host}`, index: 0 }
  return { kind: 'direct', label: new URL(hubUrl).origin, index: 0 }
}

/** What a relay carries, for its periodic report; CPU is measured between two reports. */
export class RelayLoadMeter {
  readonly #server: RelayServer
  readonly #listen: string
  #cpu = process.cpuUsage()
  #at = performance.now()

  constructor (server: RelayServer, listen: string) {
    this.#server = server
    this.#listen = listen
  }

  report (): RelayReport {
    const used = process.cpuUsage(this.#cpu)
    const at = performance.now()
    const wallUs = Math.max(1, (at - this.#at) * 1000)
    this.#cpu = process.cpuUsage()
    this.#at = at
    const s = this.#server.stats
    return {
      listen: this.#listen,
      downstream: this.#server.downstream(),
      active: s.active,
      connections: s.connections,
      refused: s.refused,
      bytesUp: s.bytesUp,
      bytesDown: s.bytesDown,
      cpuPercent: Math.round((used.user + used.system) / wallUs * 1000) / 10
    }
  }
}
