import net from 'node:net'
import type { Socket } from 'node:net'
import { randomId, RelayHeader } from '@outpost/protocol'
import { AgentError, AgentErrorCode } from '../errors.ts'
import { openProxyTunnel } from './proxy-tunnel.ts'
import type { Upstream } from './upstream-list.ts'

/** How long a failed upstream is skipped (tried last) before it is preferred again. */
export const DEFAULT_UPSTREAM_RETRY_MS = 5_000

/** Signs a relay CONNECT as this agent (or as an enrolling one): the `x-outpost-agent` value and the signature. */
export type UpstreamSigner = (p: { readonly target: string, readonly time: string, readonly nonce: string, readonly path: string }) => { readonly agentId: string, readonly signature: string }

export interface UpstreamSelectorOptions {
  readonly upstreams: readonly Upstream[]
  readonly sign: UpstreamSigner
  readonly retryMs?: number
  readonly now?: () => number
  /** Told when the upstream in use changes (logging). */
  readonly onSwitch?: (u: Upstream, index: number) => void
}

/** A raw socket to the target and the index of the upstream it went through. */
export interface UpstreamSocket { readonly socket: Socket, readonly index: number }

/** `host:port` as a CONNECT line names it. */
export function authorityOf (host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`
}

/**
 * Opens each new connection through the first upstream of the ordered list that answers. A
 * failed upstream is tried last for `retryMs`; while a less preferred upstream carries
 * connections, the preferred ones are probed every `retryMs`, and when one answers again the
 * connections through worse upstreams are closed, so the transports reconnect through it.
 */
export class UpstreamSelector {
  readonly #opts: UpstreamSelectorOptions
  readonly #retryMs: number
  readonly #now: () => number
  readonly #failedUntil = new Map<number, number>()
  readonly #live = new Map<net.Socket, number>()
  #current = -1
  #probe: NodeJS.Timeout | undefined
  #closed = false

  constructor (opts: UpstreamSelectorOptions) {
    if (opts.upstreams.length === 0) throw new AgentError(AgentErrorCode.Config, 'the upstream list is empty')
    this.#opts = opts
    this.#retryMs = opts.retryMs ?? DEFAULT_UPSTREAM_RETRY_MS
    this.#now = opts.now ?? Date.now
  }

  get upstreams (): readonly Upstream[] { return this.#opts.upstreams }
  /** Index of the upstream the last connection went through (-1 before any). */
  get current (): number { return this.#current }

  /**
   * A raw socket to `target` (the hub) through the best upstream. `path` is the relay path this
   * CONNECT extends (a relay forwarding passes its own). Loop refusals (508) do not mark the
   * relay as failed: it is fine for other paths.
   */
  async open (target: { host: string, port: number }, timeoutMs: number, path = ''): Promise<UpstreamSocket> {
    const now = this.#now()
    const all = this.#opts.upstreams.map((u, i) => i)
    const order = [...all.filter((i) => (this.#failedUntil.get(i) ?? 0) <= now), ...all.filter((i) => (this.#failedUntil.get(i) ?? 0) > now)]
    const errors: string[] = []
    for (const i of order) {
      const u = this.#opts.upstreams[i]!
      try {
        const socket = await this.#dial(u, target, timeoutMs, path)
        this.#failedUntil.delete(i)
        if (i !== this.#current) {
          this.#current = i
          this.#opts.onSwitch?.(u, i)
        }
        if (i > 0) this.#startProbe()
        return { socket, index: i }
      } catch (err) {
        const status = (err as { details?: { statusCode?: number } }).details?.statusCode
        if (status !== 508) this.#failedUntil.set(i, this.#now() + this.#retryMs)
        errors.push(`${u.label}: ${(err as Error).message}`)
      }
    }
    throw new AgentError(AgentErrorCode.NoUpstream, `no upstream reachable: ${errors.join('; ')}`, { details: { tried: errors.length } })
  }

  /** Remembers a connection made through upstream `index`, to close it when a better one returns. */
  track (socket: net.Socket, index: number): void {
    this.#live.set(socket, index)
    socket.once('close', () => this.#live.delete(socket))
  }

  close (): void {
    this.#closed = true
    clearInterval(this.#probe)
    this.#probe = undefined
  }

  #dial (u: Upstream, target: { host: string, port: number }, timeoutMs: number, path: string): Promise<Socket> {
    if (u.kind === 'direct') return dialTcp(u.host, u.port, timeoutMs)
    if (u.kind === 'proxy') return openProxyTunnel(u.url, target, timeoutMs)
    const authority = authorityOf(target.host, target.port)
    const time = String(this.#now())
    const nonce = randomId(16)
    const { agentId, signature } = this.#opts.sign({ target: authority, time, nonce, path })
    const headers: Record<string, string> = {
      [RelayHeader.AgentId]: agentId, [RelayHeader.Time]: time, [RelayHeader.Nonce]: nonce, [RelayHeader.Signature]: signature
    }
    if (path !== '') headers[RelayHeader.Path] = path
    return openProxyTunnel(`http://${authorityOf(u.host, u.port)}`, target, timeoutMs, headers)
  }

  #startProbe (): void {
    if (this.#probe !== undefined || this.#closed) return
    this.#probe = setInterval(() => { void this.#probeOnce() }, this.#retryMs)
    this.#probe.unref()
  }

  /** Checks the upstreams better than the one in use with a plain TCP connect. */
  async #probeOnce (): Promise<void> {
    const worst = Math.max(this.#current, ...this.#live.values())
    if (worst <= 0) {
      clearInterval(this.#probe)
      this.#probe = undefined
      return
    }
    for (let i = 0; i < worst; i++) {
      const u = this.#opts.upstreams[i]!
      try {
        const s = await dialTcp(u.host, u.port, this.#retryMs)
        s.destroy()
      } catch {
        continue
      }
      this.#failedUntil.delete(i)
      for (const [socket, index] of this.#live) if (index > i) socket.destroy()
      this.#current = -1
      return
    }
  }
}

function dialTcp (host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port })
    const timer = setTimeout(() => { s.destroy(); reject(new Error(`no TCP connection within ${timeoutMs} ms`)) }, timeoutMs)
    s.once('connect', () => { clearTimeout(timer); s.removeAllListeners('error'); resolve(s) })
    s.once('error', (err) => { clearTimeout(timer); reject(err) })
  })
}
