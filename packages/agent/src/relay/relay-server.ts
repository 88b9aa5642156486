import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import type { Logger } from 'pino'
import { MAX_RELAY_HOPS, RELAY_ENROLL_PREFIX, RelayHeader } from '@outpost/protocol'
import { AgentErrorCode } from '../errors.ts'
import type { RelayAuthenticator } from './relay-auth.ts'

// The CommonJS view of node:http, as in proxy-tunnel.ts (the ESM one loads Node's undici).
const http = process.getBuiltinModule('node:http')

/** Time allowed to dial the next hop (relay or hub). */
export const RELAY_DIAL_TIMEOUT_MS = 15_000

/** What a relay has carried (for health reporting). */
export interface RelayStats {
  connections: number
  active: number
  refused: number
  bytesUp: number
  bytesDown: number
}

export interface RelayServerOptions {
  /** This relay's agent id: it is appended to `x-outpost-path`, and a path that has it is a loop. */
  readonly relayId: string
  /** The one `host:port` it forwards to: its hub. */
  readonly target: { readonly host: string, readonly port: number, readonly authority: string }
  readonly auth: RelayAuthenticator
  /** Dials the next hop with the path extended by this relay (signed as this relay when it is a relay). */
  readonly dial: (path: string) => Promise<Socket>
  readonly logger?: Logger
  /** Told of every refused CONNECT (the agent reports them to the hub, which audits them). */
  readonly onRefuse?: (r: RelayRefusal) => void
  /** Told when an agent starts or stops using this relay as its first hop. */
  readonly onDownstreamChange?: () => void
}

/** A CONNECT this relay refused. */
export interface RelayRefusal {
  /** `x-outpost-agent` as claimed (unverified), if any. */
  readonly agentId: string | undefined
  readonly target: string | undefined
  readonly path: string
  readonly status: number
  readonly reason: string
}

/**
 * A hub-only HTTP CONNECT forwarder for the agents of a site. It sees the CONNECT line and the
 * routing headers, then only TLS between the downstream agent and the hub: it cannot read,
 * forge or replay what it carries, and it forwards nowhere but to its own hub.
 */
export class RelayServer {
  readonly stats: RelayStats = { connections: 0, active: 0, refused: 0, bytesUp: 0, bytesDown: 0 }
  readonly #opts: RelayServerOptions
  readonly #server: Server
  readonly #sockets = new Set<Duplex>()
  /** Open connections per agent that use this relay as its first hop (verified ids only). */
  readonly #firstHop = new Map<string, number>()

  constructor (opts: RelayServerOptions) {
    this.#opts = opts
    this.#server = http.createServer({ headersTimeout: 10_000, requestTimeout: 10_000 })
    this.#server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(405, { allow: 'CONNECT', 'content-type': 'application/json' })
      res.end(JSON.stringify({ error: { code: AgentErrorCode.RelayRefused, message: 'an Outpost relay only answers CONNECT' } }))
    })
    this.#server.on('connect', (req: IncomingMessage, socket: Duplex, head: Buffer) => { void this.#connect(req, socket, head) })
  }

  /** Listens; resolves with the bound address. */
  async listen (host: string, port: number): Promise<{ host: string, port: number }> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject)
      this.#server.listen(port, host, () => { this.#server.off('error', reject); resolve() })
    })
    const a = this.#server.address()
    return typeof a === 'object' && a !== null ? { host: a.address, port: a.port } : { host, port }
  }

  /** Agents whose first hop this relay is, now (those with a connection open through it). */
  downstream (): string[] {
    return [...this.#firstHop.keys()]
  }

  /** Stops listening and cuts every carried connection. */
  async close (): Promise<void> {
    for (const s of this.#sockets) s.destroy()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }

  async #connect (req: IncomingMessage, client: Duplex, head: Buffer): Promise<void> {
    this.#sockets.add(client)
    client.once('close', () => this.#sockets.delete(client))
    client.on('error', () => client.destroy())
    const log = this.#opts.logger
    const h = (name: string): string | undefined => { const v = req.headers[name]; return typeof v === 'string' ? v : undefined }
    const agentId = h(RelayHeader.AgentId)
    const path = h(RelayHeader.Path) ?? ''
    const refuse = (status: number, reason: string): void => {
      this.stats.refused++
      log?.info({ agentId, target: req.url, path, status, reason, audit: 'relay.refuse' }, `relay refused a CONNECT: ${reason}`)
      this.#opts.onRefuse?.({ agentId, target: req.url, path, status, reason })
      const body = JSON.stringify({ error: { code: AgentErrorCode.RelayRefused, message: reason } })
      client.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Refused'}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`)
    }
    if (req.url !== this.#opts.target.authority) return refuse(403, `this relay forwards only to its hub ${this.#opts.target.authority}`)
    const hops = path === '' ? [] : path.split(',')
    if (hops.includes(this.#opts.relayId)) return refuse(508, 'routing loop: this relay is already in the path')
    if (hops.length > MAX_RELAY_HOPS) return refuse(508, `more than ${MAX_RELAY_HOPS} relays in the path`)
    const failure = await this.#opts.auth.check({
      target: req.url, agentId, time: h(RelayHeader.Time), nonce: h(RelayHeader.Nonce), signature: h(RelayHeader.Signature), path
    })
    if (failure === 'hub-unreachable') return refuse(502, 'cannot check the CONNECT with the hub')
    if (failure !== undefined) return refuse(407, `CONNECT refused (${failure})`)
    if (client.destroyed) return
    let upstream: Socket
    try {
      upstream = await this.#opts.dial(forwardPath(path, agentId ?? '', this.#opts.relayId))
    } catch (err) {
      log?.warn({ err, agentId }, 'relay cannot reach its upstream')
      return refuse(502, 'the relay cannot reach its upstream')
    }
    if (client.destroyed) {
      upstream.destroy()
      return
    }
    this.stats.connections++
    this.stats.active++
    this.#sockets.add(upstream)
    // Only a CONNECT that came straight from its agent (no path yet) makes this relay its first
    // hop; an enrolling agent has no id the hub could show yet.
    const firstHopOf = path === '' && agentId !== undefined && !agentId.startsWith(RELAY_ENROLL_PREFIX) ? agentId : undefined
    if (firstHopOf !== undefined) {
      const before = this.#firstHop.get(firstHopOf) ?? 0
      this.#firstHop.set(firstHopOf, before + 1)
      if (before === 0) this.#opts.onDownstreamChange?.()
      upstream.once('close', () => {
        const n = (this.#firstHop.get(firstHopOf) ?? 1) - 1
        if (n > 0) {
          this.#firstHop.set(firstHopOf, n)
          return
        }
        this.#firstHop.delete(firstHopOf)
        this.#opts.onDownstreamChange?.()
      })
    }
    log?.debug({ agentId, path, audit: 'relay.connect' }, 'relaying')
    upstream.once('close', () => { this.#sockets.delete(upstream); this.stats.active--; client.destroy() })
    upstream.on('error', () => upstream.destroy())
    client.once('close', () => upstream.destroy())
    client.on('data', (d: Buffer) => { this.stats.bytesUp += d.length })
    upstream.on('data', (d: Buffer) => { this.stats.bytesDown += d.length })
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
    if (head.length > 0) {
      this.stats.bytesUp += head.length
      upstream.write(head)
    }
    // pipe() pauses the faster side when the other's buffer is full (backpressure both ways).
    client.pipe(upstream)
    upstream.pipe(client)
  }
}

/**
 * The path a relay sends on: the one it received plus itself. The first relay puts the
 * originating agent in too, so that a ring never carries a connection back to where it came from.
 */
export function forwardPath (received: string, agentId: string, relayId: string): string {
  return [...(received === '' ? [agentId] : received.split(',')), relayId].join(',')
}
