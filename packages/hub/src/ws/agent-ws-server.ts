import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket, type RawData } from 'ws'
import {
  HubPath, KNOWN_CAPABILITIES, MAX_CLOCK_SKEW_MS, PROTOCOL_VERSION, ProtocolError, ProtocolErrorCode, WsAuthMessage,
  parseJson, randomId, verifyBytes, wsAuthSigningString, type WsHubFrame
} from '@outpost/protocol'
import type { HubServices } from '../hub-services.ts'
import { HubError, HubErrorCode } from '../errors.ts'
import { toHttpFailure } from '../http/error-mapping.ts'
import { logBackgroundFailure } from '../http/log-policy.ts'
import { AgentWsSession, WsClose } from './agent-ws-session.ts'
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

/**
 * The agent WebSocket on the hub's HTTPS port: challenge, signed answer, then an
 * `AgentWsSession`. One live session per agent: a new one replaces the old.
 */
export class AgentWsServer {
  readonly #s: HubServices
  readonly #timing: WsTiming
  readonly #wss: WebSocketServer
  readonly #sessions = new Map<string, AgentWsSession>()
  readonly #alive = new WeakSet<WebSocket>()
  readonly #admission: UpgradeAdmission
  #heartbeat: NodeJS.Timeout | undefined

  constructor (s: HubServices, timing: WsTiming = DEFAULT_WS_TIMING, admission?: Partial<UpgradeAdmissionOptions>) {
    this.#s = s
    this.#timing = timing
    this.#admission = new UpgradeAdmission(admission)
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: s.config.limits.agentBodyBytes, perMessageDeflate: false, clientTracking: true })
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
    this.#heartbeat = setInterval(() => { this.#beat() }, this.#timing.heartbeatMs)
    this.#heartbeat.unref()
  }

  /** Closes every socket (1001), waiting a little for the close handshakes. */
  async close (): Promise<void> {
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat)
    this.#admission.close()
    const clients = [...this.#wss.clients]
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
    const log = this.#s.log.child({ ws: randomId(6) })
    const challenge = randomId(24)
    this.#alive.add(ws)
    ws.on('pong', () => { this.#alive.add(ws) })
    ws.on('error', (err) => { log.info({ err }, 'agent socket error') })
    const timer = setTimeout(() => { this.#refuse(ws, new HubError(HubErrorCode.Unauthenticated, 'authentication timed out')) }, this.#timing.authTimeoutMs)
    ws.once('close', () => { clearTimeout(timer) })
    ws.once('message', (data: RawData) => {
      clearTimeout(timer)
      // Frames sent before the welcome wait in the socket until the session listens.
      ws.pause()
      this.#authenticate(ws, challenge, data).then((agentId) => {
        release()
        const session = new AgentWsSession(ws, agentId, this.#s, log.child({ agentId }))
        const previous = this.#sessions.get(agentId)
        this.#sessions.set(agentId, session)
        ws.once('close', () => { if (this.#sessions.get(agentId) === session) this.#sessions.delete(agentId) })
        previous?.close(WsClose.Replaced, 'replaced by a newer connection')
        session.send({ type: 'welcome', time: this.#s.now() })
        ws.resume()
        session.pushInstructions()
      }, (err: unknown) => { this.#refuse(ws, err) })
    })
    send(ws, { type: 'challenge', challenge, protocolVersion: PROTOCOL_VERSION, capabilities: [...KNOWN_CAPABILITIES] })
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
    for (const ws of this.#wss.clients) {
      if (!this.#alive.has(ws)) {
        ws.terminate()
        continue
      }
      this.#alive.delete(ws)
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
