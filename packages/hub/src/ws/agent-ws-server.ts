import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket, type RawData } from 'ws'
import {
  HubPath, KNOWN_CAPABILITIES, MAX_CLOCK_SKEW_MS, PROTOCOL_VERSION, ProtocolError, ProtocolErrorCode, WsAuthMessage,
  parseJson, randomId, verifyBytes, wsAuthSigningString, type WsHubFrame
} from '@outpost/protocol'
import { BusSubject, queuedAgentId } from '../bus/bus.ts'
import type { HubServices } from '../hub-services.ts'
import { HubError, HubErrorCode } from '../errors.ts'
import { toHttpFailure } from '../http/error-mapping.ts'
import { logBackgroundFailure } from '../http/log-policy.ts'
import { AgentWsSession, MAX_QUEUED_FRAMES, WsClose } from './agent-ws-session.ts'
import { UpgradeAdmission, type UpgradeAdmissionOptions } from './upgrade-admission.ts'

/** Socket-level timing, overridable for tests. */
export interface WsTiming {
  /** An unauthenticated socket is closed after this. */
  readonly authTimeoutMs: number
  /** Ping period; a socket that missed one pong is dropped. Also re-offers unanswered instructions. */
  readonly heartbeatMs: number
}

/** Default socket timing. */
export const DEFAULT_WS_TIMING: WsTiming = { authTimeoutMs: 10_000, heartbeatMs: 30_000 }

/** A socket between its upgrade and the end of its authentication. */
interface Handshake {
  /** Short random id of the socket, for log lines (the session keeps it). */
  readonly connId: string
  readonly challenge: string
  readonly timer: NodeJS.Timeout
  /** Ends the socket's admission slot. */
  readonly release: () => void
  alive: boolean
  /** The auth frame came: frames after it wait here until the session takes them. */
  held: RawData[] | undefined
}

/** What the server knows of one open socket: its handshake, then its session. */
type Connection = Handshake | AgentWsSession

/**
 * The agent WebSocket on the hub's HTTPS port: challenge, signed answer, then an
 * `AgentWsSession`. One live session per agent: a new one replaces the old.
 *
 * Per socket the server keeps one map entry and the session; the socket's listeners and the bus
 * subscription that wakes sessions are shared by all sockets, so that a hub with thousands of
 * agents connected does not hold thousands of closures, subscriptions and child loggers.
 */
export class AgentWsServer {
  readonly #s: HubServices
  readonly #timing: WsTiming
  readonly #wss: WebSocketServer
  /** Every open agent socket (the `ws` server's own client tracking is off). */
  readonly #conns = new Map<WebSocket, Connection>()
  readonly #sessions = new Map<string, AgentWsSession>()
  readonly #admission: UpgradeAdmission
  /** Listeners of every socket; `this` is the socket. */
  readonly #listeners: {
    readonly message: (this: WebSocket, data: RawData) => void
    readonly pong: (this: WebSocket) => void
    readonly error: (this: WebSocket, err: Error) => void
    readonly close: (this: WebSocket) => void
  }
  #heartbeat: NodeJS.Timeout | undefined
  #unsubscribe: (() => void) | undefined

  constructor (s: HubServices, timing: WsTiming = DEFAULT_WS_TIMING, admission?: Partial<UpgradeAdmissionOptions>) {
    this.#s = s
    this.#timing = timing
    this.#admission = new UpgradeAdmission(admission)
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: s.config.limits.agentBodyBytes, perMessageDeflate: false, clientTracking: false })
    const server = this
    this.#listeners = {
      message (data) { server.#onMessage(this, data) },
      pong () {
        const c = server.#conns.get(this)
        if (c !== undefined) c.alive = true
      },
      error (err) { server.#s.log.info({ err, ws: server.#conns.get(this)?.connId }, 'agent socket error') },
      close () { server.#onClose(this) }
    }
  }

  /** Upgrades refused by admission control so far. */
  get refusedUpgrades (): number {
    return this.#admission.refused
  }

  /** Number of authenticated agent sockets. */
  get connected (): number {
    return this.#sessions.size
  }

  /**
   * Takes over upgrade requests of the server. `others` (the live-session sockets) is offered each
   * upgrade first and returns true when it took it; anything else but the agent path is refused.
   */
  attach (server: Server, others?: (req: IncomingMessage, socket: Duplex, head: Buffer) => boolean): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (others?.(req, socket, head) === true) return
      this.#onUpgrade(req, socket, head)
    })
    // One subscription for all sessions (every replica hears every agent's event anyway, for its
    // delivery hints), instead of one per connected agent.
    this.#unsubscribe = this.#s.bus.subscribe(BusSubject.anyInstructionsQueued, (payload) => { this.#onQueued(payload) })
    this.#heartbeat = setInterval(() => { this.#beat() }, this.#timing.heartbeatMs)
    this.#heartbeat.unref()
  }

  /** Closes every socket (1001), waiting a little for the close handshakes. */
  async close (): Promise<void> {
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat)
    this.#unsubscribe?.()
    this.#admission.close()
    const clients = [...this.#conns.keys()]
    const closed = clients.map(ws => new Promise<void>(resolve => {
      if (ws.readyState === ws.CLOSED) resolve()
      else ws.once('close', () => { resolve() })
    }))
    for (const ws of clients) ws.close(WsClose.GoingAway, 'hub closing')
    const timer = setTimeout(() => { for (const ws of clients) ws.terminate() }, 2000)
    await Promise.all(closed)
    clearTimeout(timer)
    await new Promise<void>(resolve => { this.#wss.close(() => { resolve() }) })
  }

  #onUpgrade (req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? '').split('?')[0]
    if (path !== HubPath.AgentWebSocket || this.#s.closing.aborted) {
      const status = this.#s.closing.aborted ? '503 Service Unavailable' : '404 Not Found'
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
      return
    }
    const release = this.#admission.admit(socket)
    if (release === undefined) return
    this.#wss.handleUpgrade(req, socket, head, (ws) => { this.#onConnection(ws, release) })
  }

  #onConnection (ws: WebSocket, release: () => void): void {
    const challenge = randomId(24)
    const timer = setTimeout(() => { this.#refuse(ws, new HubError(HubErrorCode.Unauthenticated, 'authentication timed out')) }, this.#timing.authTimeoutMs)
    this.#conns.set(ws, { connId: randomId(6), challenge, timer, release, alive: true, held: undefined })
    const on = this.#listeners
    ws.on('message', on.message)
    ws.on('pong', on.pong)
    ws.on('error', on.error)
    // `on`, not `once`: 'close' comes once, and `once` would wrap the listener per socket.
    ws.on('close', on.close)
    send(ws, { type: 'challenge', challenge, protocolVersion: PROTOCOL_VERSION, capabilities: [...KNOWN_CAPABILITIES] })
  }

  #onMessage (ws: WebSocket, data: RawData): void {
    const c = this.#conns.get(ws)
    if (c === undefined) return
    if (c instanceof AgentWsSession) {
      c.receive(data)
    } else if (c.held !== undefined) {
      // Frames after the auth frame but before the welcome: kept, in order, for the session.
      if (c.held.length >= MAX_QUEUED_FRAMES) ws.close(WsClose.Policy, 'too many frames in flight')
      else c.held.push(data)
    } else {
      c.held = []
      clearTimeout(c.timer)
      // Further frames wait in the socket until the session listens.
      ws.pause()
      this.#authenticate(ws, c.challenge, data).then((agentId) => { this.#start(ws, c, agentId) }, (err: unknown) => { this.#refuse(ws, err) })
    }
  }

  #start (ws: WebSocket, h: Handshake, agentId: string): void {
    if (this.#conns.get(ws) !== h) return // closed meanwhile
    h.release()
    const session = new AgentWsSession(ws, agentId, h.connId, this.#s)
    session.alive = h.alive
    this.#conns.set(ws, session)
    const previous = this.#sessions.get(agentId)
    this.#sessions.set(agentId, session)
    previous?.close(WsClose.Replaced, 'replaced by a newer connection')
    session.send({ type: 'welcome', time: this.#s.now() })
    for (const data of h.held ?? []) session.receive(data)
    ws.resume()
    session.pushInstructions()
  }

  #onClose (ws: WebSocket): void {
    const c = this.#conns.get(ws)
    this.#conns.delete(ws)
    if (c instanceof AgentWsSession) {
      if (this.#sessions.get(c.agentId) === c) this.#sessions.delete(c.agentId)
      c.dispose()
    } else if (c !== undefined) {
      clearTimeout(c.timer)
    }
  }

  /** An instruction was queued (on any replica): the agent's session, if here, sends it. */
  #onQueued (payload: unknown): void {
    const agentId = queuedAgentId(payload)
    if (agentId !== undefined) {
      this.#sessions.get(agentId)?.pushInstructions()
      return
    }
    // An event that does not say for whom (an older replica): every session looks.
    for (const session of this.#sessions.values()) session.pushInstructions(true)
  }

  async #authenticate (ws: WebSocket, challenge: string, data: RawData): Promise<string> {
    const auth = parseJson(WsAuthMessage, rawBytes(data), 'auth frame')
    if (auth.protocolVersion !== PROTOCOL_VERSION) {
      throw new ProtocolError(ProtocolErrorCode.Version, `this hub speaks protocol version ${PROTOCOL_VERSION}`, { details: { supported: [PROTOCOL_VERSION] } })
    }
    if (Math.abs(this.#s.now() - Number(auth.time)) > MAX_CLOCK_SKEW_MS) throw new HubError(HubErrorCode.ClockSkew, 'auth time is too far from the hub clock')
    const key = await this.#s.requestAuth.publicKeyOf(auth.agentId)
    if (key === undefined || !verifyBytes(key, wsAuthSigningString(challenge, auth.agentId, auth.time), auth.signature)) {
      throw new HubError(HubErrorCode.Unauthenticated, 'WebSocket authentication failed')
    }
    if (ws.readyState !== ws.OPEN) throw new HubError(HubErrorCode.Unavailable, 'socket closed during authentication')
    this.#s.lastSeen.touch(auth.agentId, this.#s.now())
    return auth.agentId
  }

  #refuse (ws: WebSocket, err: unknown): void {
    const failure = toHttpFailure(err)
    logBackgroundFailure(this.#s.log, failure, err, 'agent socket authentication')
    send(ws, { type: 'error', error: failure.body.error })
    // Reading must go on so that the peer's close frame is seen (the socket was paused for auth).
    ws.resume()
    ws.close(WsClose.Policy, failure.body.error.code)
  }

  #beat (): void {
    for (const [ws, c] of this.#conns) {
      if (!c.alive) {
        ws.terminate()
        continue
      }
      c.alive = false
      ws.ping()
    }
    // Instructions sent but never answered become deliverable again after the resend delay.
    // Through the delivery hints: a quiet agent costs no query (most of them, most of the time).
    for (const session of this.#sessions.values()) session.pushInstructions(true)
  }
}

function send (ws: WebSocket, frame: WsHubFrame): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame))
}

function rawBytes (data: RawData): Buffer {
  return Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)
}
