import { connect, type NatsConnection, type Msg } from '@nats-io/transport-node'
import type { Logger } from 'pino'
import { HubError, HubErrorCode } from '../errors.ts'
import type { Bus } from './bus.ts'
import { busError, replyValue } from './bus-reply.ts'

/** First wait before a reconnect attempt; doubled per failed attempt up to `RECONNECT_MAX_MS`. */
export const RECONNECT_MIN_MS = 250
export const RECONNECT_MAX_MS = 10_000
/** How long the first connection may take before the hub gives up starting. */
export const CONNECT_TIMEOUT_MS = 5_000

/** What the NATS bus needs: the server, an optional subject prefix, a logger. */
export interface NatsBusOptions {
  /** `nats://host:port` (credentials in the URL are passed on to the server). */
  readonly url: string
  /** Prepended to every subject (`prefix.agent.x.instructions`): deployments or tests sharing a NATS server stay apart. */
  readonly prefix?: string | null
  readonly log: Logger
  /** Shown by the NATS server's monitoring (`connz`). */
  readonly name?: string
}

/**
 * The bus between hub replicas: core NATS publish/subscribe (at most once, ordered per
 * publisher), JSON payloads, `*` wildcards passed through as NATS wildcards. It reconnects for
 * ever with a doubling back-off and logs each change of state; messages published while
 * disconnected are buffered by the client and sent on reconnect.
 */
export class NatsBus implements Bus {
  readonly kind = 'nats' as const
  readonly #nc: NatsConnection
  readonly #prefix: string
  readonly #log: Logger
  #closing = false

  private constructor (nc: NatsConnection, o: NatsBusOptions) {
    this.#nc = nc
    this.#prefix = o.prefix === undefined || o.prefix === null || o.prefix === '' ? '' : `${o.prefix}.`
    this.#log = o.log
    void this.#watch()
  }

  /** Connects, or fails with `HUB_ERR_BUS` naming the server and how to start one. */
  static async connect (o: NatsBusOptions): Promise<NatsBus> {
    const url = new URL(o.url)
    let attempt = 0
    let nc: NatsConnection
    try {
      nc = await connect({
        servers: `${url.hostname}:${url.port === '' ? '4222' : url.port}`,
        ...(url.username === '' ? {} : { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }),
        name: o.name ?? 'outpost-hub',
        timeout: CONNECT_TIMEOUT_MS,
        reconnect: true,
        maxReconnectAttempts: -1,
        // Each call is one more failed attempt; the status watcher resets the count on reconnect.
        reconnectDelayHandler: () => Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** Math.min(attempt++, 10)) + Math.floor(Math.random() * RECONNECT_MIN_MS)
      })
    } catch (err) {
      throw new HubError(HubErrorCode.Bus, `cannot reach the NATS bus at ${url.host}: ${(err as Error).message}. Start NATS first (e.g. \`nats-server -js -a 127.0.0.1 -p 4222\`), or leave out --bus for a single hub`, { cause: err })
    }
    const bus = new NatsBus(nc, o)
    bus.#onReconnect = () => { attempt = 0 }
    o.log.info({ server: nc.getServer(), prefix: o.prefix ?? null }, 'connected to the NATS bus')
    return bus
  }

  #onReconnect: () => void = () => {}

  publish (subject: string, payload: unknown): void {
    try {
      this.#nc.publish(this.#prefix + subject, JSON.stringify(payload))
    } catch (err) {
      // Only a closed connection throws here (the hub is shutting down): the wake-up is moot.
      this.#log.debug({ err, subject }, 'bus message not published: the connection is closed')
    }
  }

  subscribe (subject: string, handler: (payload: unknown) => void): () => void {
    const sub = this.#nc.subscribe(this.#prefix + subject, {
      callback: (err, msg) => {
        if (err !== null) {
          this.#log.error({ err, subject }, 'bus subscription failed')
          return
        }
        const payload = this.#decode(msg)
        if (payload !== undefined) handler(payload)
      }
    })
    return () => { if (!sub.isClosed()) sub.unsubscribe() }
  }

  serve (subject: string, handler: (payload: unknown) => Promise<unknown>): () => void {
    const sub = this.#nc.subscribe(this.#prefix + subject, {
      callback: (err, msg) => {
        if (err !== null) {
          this.#log.error({ err, subject }, 'bus responder failed')
          return
        }
        const payload = this.#decode(msg)
        if (payload === undefined) return
        handler(payload).then((value) => ({ ok: value ?? null }), (e: unknown) => {
          this.#log.error({ err: e, subject }, 'answering a bus request failed')
          return { error: e instanceof Error ? e.message : String(e) }
        }).then((answer) => { msg.respond(JSON.stringify(answer)) }).catch((e: unknown) => {
          this.#log.debug({ err: e, subject }, 'bus answer not sent: the connection is closed')
        })
      }
    })
    return () => { if (!sub.isClosed()) sub.unsubscribe() }
  }

  async request (subject: string, payload: unknown, timeoutMs: number): Promise<unknown> {
    let msg: Msg
    try {
      msg = await this.#nc.request(this.#prefix + subject, JSON.stringify(payload), { timeout: timeoutMs })
    } catch (err) {
      if ((err as { isNoResponders?: () => boolean }).isNoResponders?.() === true) return undefined
      throw busError(`no answer on ${subject} within ${timeoutMs} ms`, err)
    }
    return replyValue(subject, this.#decode(msg))
  }

  /** Resolves once the server has processed everything this replica sent (its subscriptions included). */
  async flush (): Promise<void> {
    await this.#nc.flush()
  }

  async close (): Promise<void> {
    if (this.#closing) return
    this.#closing = true
    if (!this.#nc.isClosed()) await this.#nc.drain()
  }

  #decode (msg: Msg): unknown {
    try {
      return msg.json<unknown>()
    } catch (err) {
      this.#log.warn({ err, subject: msg.subject }, 'bus message dropped: not JSON')
      return undefined
    }
  }

  /** Logs the connection's changes of state (the bus is how replicas reach each other: worth a line each). */
  async #watch (): Promise<void> {
    for await (const s of this.#nc.status()) {
      switch (s.type) {
        case 'disconnect': this.#log.warn({ server: s.server }, 'NATS bus disconnected; reconnecting'); break
        case 'reconnect': this.#onReconnect(); this.#log.info({ server: s.server }, 'NATS bus reconnected'); break
        case 'staleConnection': this.#log.warn('NATS bus connection stale; reconnecting'); break
        case 'slowConsumer': this.#log.error({ pending: s.pending }, 'NATS bus: this hub reads too slowly, messages were dropped'); break
        case 'error': this.#log.error({ err: s.error }, 'NATS bus error'); break
        case 'close': if (!this.#closing) this.#log.error('NATS bus connection closed'); break
        default: break
      }
    }
  }
}
