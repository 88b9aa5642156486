import https from 'node:https'
import net from 'node:net'
import tls from 'node:tls'
import type { Duplex } from 'node:stream'
import { normalizeFingerprint } from '@outpost/protocol'
import { AgentError, AgentErrorCode } from '../errors.ts'
import { openProxyTunnel } from './proxy-tunnel.ts'
import type { UpstreamSelector } from './upstream-selector.ts'

/** Default limit for TCP connect + proxy CONNECT + TLS handshake. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000

/** How to reach the hub: the pin, and optionally a CONNECT proxy. */
export interface PinnedConnectorOptions {
  /** SHA-256 of the hub certificate, hex (colons allowed). */
  readonly fingerprint: string
  /** `http://[user:pass@]host:port`, or null for a direct connection. */
  readonly proxy?: string | null
  /** The ordered upstream list (relays and/or direct); exclusive with `proxy`. */
  readonly upstreams?: UpstreamSelector | null
  /** The relay path these connections extend (a relay's own checks with the hub; see `forwardPath`). */
  readonly upstreamPath?: string
  readonly connectTimeoutMs?: number
}

/** The target of one connection. */
export interface PinnedTarget {
  readonly host: string
  readonly port: number
}

/**
 * Connects to `target` (directly or through the proxy), runs the TLS handshake, and resolves only
 * when the peer certificate's SHA-256 equals the pin. The pin replaces CA validation (hubs use
 * self-signed certificates), so CA checks are off, and on a mismatch the socket is destroyed
 * before the caller can write a single byte.
 */
export async function connectPinned (target: PinnedTarget, opts: PinnedConnectorOptions): Promise<tls.TLSSocket> {
  const expected = normalizeFingerprint(opts.fingerprint)
  const timeoutMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS
  const host = target.host.replace(/^\[|\]$/g, '')
  let raw: net.Socket | undefined
  let upstreamIndex = -1
  if (opts.upstreams != null) {
    const opened = await opts.upstreams.open({ host, port: target.port }, timeoutMs, opts.upstreamPath ?? '')
    raw = opened.socket
    upstreamIndex = opened.index
  } else if (opts.proxy != null && opts.proxy !== '') {
    raw = await openProxyTunnel(opts.proxy, { host, port: target.port }, timeoutMs)
  }
  return await new Promise((resolve, reject) => {
    const socket = tls.connect({
      ...(raw === undefined ? { host, port: target.port } : { socket: raw }),
      // SNI must not carry an IP address.
      ...(net.isIP(host) === 0 ? { servername: host } : {}),
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1']
    })
    const timer = setTimeout(() => fail(new AgentError(AgentErrorCode.Transport, `connecting to ${host}:${target.port} timed out after ${timeoutMs} ms`)), timeoutMs)
    function fail (err: Error): void {
      clearTimeout(timer)
      socket.destroy()
      raw?.destroy()
      reject(err)
    }
    socket.once('error', (cause) => {
      fail(cause instanceof AgentError ? cause : new AgentError(AgentErrorCode.Transport, `cannot connect to ${host}:${target.port}: ${cause.message}`, { cause }))
    })
    socket.once('secureConnect', () => {
      const got = normalizeFingerprint(socket.getPeerCertificate().fingerprint256 ?? '')
      if (got !== expected) {
        fail(new AgentError(AgentErrorCode.CertMismatch,
          `hub certificate at ${host}:${target.port} does not match the pinned fingerprint: expected ${expected}, got ${got === '' ? '(none)' : got}`,
          { details: { expected, got } }))
        return
      }
      clearTimeout(timer)
      socket.removeAllListeners('error')
      if (upstreamIndex >= 0) opts.upstreams?.track(socket, upstreamIndex)
      resolve(socket)
    })
  })
}

/**
 * An `https.Agent` whose every socket comes from `connectPinned`. The same instance serves POSTs
 * (`node:https`) and the WebSocket upgrade (`ws` with `agent`), so both honour the pin and the
 * proxy. Keep-alive is on so that polls and reports reuse connections.
 */
export class PinnedAgent extends https.Agent {
  readonly #opts: PinnedConnectorOptions

  constructor (opts: PinnedConnectorOptions) {
    super({ keepAlive: true, maxFreeSockets: 4 })
    this.#opts = { ...opts }
  }

  override createConnection (options: https.RequestOptions, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    const host = options.host ?? options.hostname ?? 'localhost'
    const port = Number(options.port ?? 443)
    connectPinned({ host, port }, this.#opts).then(
      (socket) => callback?.(null, socket),
      (err: Error) => callback?.(err, undefined as unknown as Duplex)
    )
    return undefined
  }
}
