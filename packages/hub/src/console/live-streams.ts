import type { ServerResponse } from 'node:http'
import type { Logger } from 'pino'
import { isValid, LiveEvent } from '@outpost/protocol'
import { BusSubject, type Bus } from '../bus/bus.ts'
import { HubErrorCode } from '../errors.ts'
import type { OperatorIdentity } from '../auth/api-token-service.ts'
import type { SessionService } from '../auth/session-service.ts'
import { isUnrestricted, type HostScope } from '../auth/host-scope.ts'
import { RetryLaterError } from '../auth/login-service.ts'
import type { PresenceService } from './presence-service.ts'
import { startEventStream, eventFrame } from '../http/event-stream.ts'

/** A comment line this often keeps proxies from closing a quiet stream, and re-checks the session. */
export const SSE_HEARTBEAT_MS = 25_000
/** Event streams one user may have open on one hub (tabs, devices). */
export const MAX_STREAMS_PER_USER = 4
/** A client this far behind is cut off rather than buffered for without bound. */
export const MAX_STREAM_BUFFER_BYTES = 1024 * 1024
/** What the browser waits before reconnecting a dropped stream. */
const RETRY_MS = 5000

interface Stream {
  readonly user: string
  readonly sessionHash: string | undefined
  end (): void
}

/** The open `GET /api/v1/events` streams of this hub: live events from the bus, as Server-Sent Events. */
export class LiveStreams {
  readonly #bus: Bus
  readonly #sessions: SessionService
  readonly #presence: PresenceService
  readonly #scope: HostScope
  readonly #closing: AbortSignal
  readonly #log: Logger
  readonly #heartbeatMs: number
  readonly #streams = new Set<Stream>()

  constructor (d: { bus: Bus, sessions: SessionService, presence: PresenceService, scope: HostScope, closing: AbortSignal, log: Logger, heartbeatMs?: number }) {
    this.#bus = d.bus
    this.#sessions = d.sessions
    this.#presence = d.presence
    this.#scope = d.scope
    this.#closing = d.closing
    this.#log = d.log
    this.#heartbeatMs = d.heartbeatMs ?? SSE_HEARTBEAT_MS
  }

  /** Throws `HUB_ERR_THROTTLED` when this user has all the streams allowed open; call before taking over the response. */
  admit (who: OperatorIdentity): void {
    const user = userOf(who)
    let n = 0
    for (const s of this.#streams) if (s.user === user) n++
    if (n >= MAX_STREAMS_PER_USER) throw new RetryLaterError(HubErrorCode.Throttled, `at most ${MAX_STREAMS_PER_USER} event streams per user`, RETRY_MS / 1000)
  }

  /** Streams to `res` until the client goes, the session ends, or the hub closes. */
  open (res: ServerResponse, who: OperatorIdentity): void {
    startEventStream(res)
    res.write(`retry: ${RETRY_MS}\n\n`)
    const scoped = !isUnrestricted(who)
    // Scoping may read the store; the chain keeps a restricted stream's events in bus order.
    let chain = Promise.resolve()
    const send = (payload: unknown): void => {
      if (!isValid(LiveEvent, payload)) return // not ours to forward: only schema-valid events reach browsers
      if (!scoped) return write(payload)
      chain = chain.then(async () => {
        const shown = await this.#scope.liveEventFor(who, payload)
        if (shown !== undefined && !ended) write(shown)
      }).catch((err: unknown) => {
        this.#log.error({ err }, 'scoping a live event failed: not sent')
      })
    }
    const write = (payload: LiveEvent): void => {
      res.write(eventFrame(payload.type, payload))
      if (res.writableLength > MAX_STREAM_BUFFER_BYTES) {
        this.#log.info({ user: stream.user }, 'event stream client too slow: closed')
        stream.end()
      }
    }
    const unsubscribe = this.#bus.subscribe(BusSubject.live, send)
    const heartbeat = setInterval(() => {
      res.write(': ping\n\n')
      const hash = stream.sessionHash
      if (hash === undefined) return
      this.#sessions.isLive(hash).then((live) => { if (!live) stream.end() }, (err: unknown) => {
        this.#log.error({ err }, 'checking the session of an event stream failed')
      })
    }, this.#heartbeatMs)
    heartbeat.unref()
    const onClosing = (): void => { stream.end() }
    let ended = false
    const stream: Stream = {
      user: userOf(who),
      sessionHash: who.session?.tokenHash,
      end: () => {
        if (ended) return
        ended = true
        unsubscribe()
        clearInterval(heartbeat)
        this.#closing.removeEventListener('abort', onClosing)
        this.#streams.delete(stream)
        res.end()
      }
    }
    this.#streams.add(stream)
    res.once('close', stream.end)
    if (this.#closing.aborted) return stream.end()
    this.#closing.addEventListener('abort', onClosing, { once: true })
    this.#presence.list().then((presence) => { if (!ended) send({ type: 'presence', presence }) }, (err: unknown) => {
      this.#log.error({ err }, 'reading presence for a new event stream failed')
    })
  }

  /** Ends the streams of one session (on logout). */
  endSession (tokenHash: string): void {
    for (const s of [...this.#streams]) if (s.sessionHash === tokenHash) s.end()
  }

  /** Ends every stream of a user (when disabled). */
  endUser (user: string): void {
    for (const s of [...this.#streams]) if (s.user === user) s.end()
  }

  /** How many streams are open. */
  get size (): number {
    return this.#streams.size
  }
}

function userOf (who: OperatorIdentity): string {
  return who.session === undefined ? who.actor : `user:${who.session.userName}`
}
