import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { STATUS_CODES } from 'node:http'
import { WebSocketServer, type WebSocket } from 'ws'
import { HubPath, Role } from '@outpost/protocol'
import type { Logger } from 'pino'
import type { Bus } from '../bus/bus.ts'
import type { AuditLog } from '../audit/audit-log.ts'
import { AuditAction } from '../audit/audit-log.ts'
import type { OperatorAuthenticator } from '../auth/operator-authenticator.ts'
import type { RequestAuthenticator } from '../agents/request-authenticator.ts'
import { roleAllows } from '../auth/api-token-service.ts'
import { HubError, HubErrorCode } from '../errors.ts'
import { toHttpFailure } from '../http/error-mapping.ts'
import { SECURITY_HEADERS } from '../http/security-headers.ts'
import type { SessionService } from './session-service.ts'
import { relayOperatorSocket, SessionClose } from './operator-socket.ts'
import { relayAgentSocket } from './agent-socket.ts'

const OPERATOR_PATH = /^\/api\/v1\/sessions\/([A-Za-z0-9_-]{1,64})\/ws$/
const AGENT_PATH = new RegExp(`^${HubPath.AgentSessions}/([A-Za-z0-9_-]{1,64})$`)
/** As routes are named in the audit log. */
const OPERATOR_ROUTE = 'GET /api/v1/sessions/:id/ws'

/** What the session sockets need. */
export interface SessionSocketDeps {
  readonly sessions: SessionService
  readonly operators: OperatorAuthenticator
  readonly agents: RequestAuthenticator
  readonly audit: AuditLog
  readonly bus: Bus
  readonly log: Logger
  /** The configured public URL (its origin is accepted besides the request's own Host). */
  readonly publicUrl: string | null
  readonly closing: AbortSignal
}

/**
 * The two session WebSockets on the hub's port: operators at `/api/v1/sessions/:id/ws` (session
 * cookie or bearer token, as the operator API; a cookie needs a same-origin `Origin`, which stops
 * cross-site WebSocket hijacking) and agents at `/agent/v1/sessions/:id` (the upgrade request is
 * signed like any agent request, over an empty body). Everything is checked before the upgrade;
 * a refusal is a plain HTTP answer with the error envelope.
 */
export class SessionSockets {
  readonly #d: SessionSocketDeps
  readonly #wss: WebSocketServer

  constructor (d: SessionSocketDeps) {
    this.#d = d
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: d.sessions.limits.maxFrameBytes, perMessageDeflate: false, clientTracking: true })
  }

  /** Takes the upgrade when the path is a session path; false leaves it to the next handler. */
  handleUpgrade (req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const path = (req.url ?? '').split('?')[0] ?? ''
    const op = OPERATOR_PATH.exec(path)
    const ag = op === null ? AGENT_PATH.exec(path) : null
    if (op === null && ag === null) return false
    socket.on('error', (err) => { this.#d.log.debug({ err }, 'session upgrade socket error') })
    if (this.#d.closing.aborted) {
      refuse(socket, new HubError(HubErrorCode.Unavailable, 'hub is closing'))
      return true
    }
    const work = op !== null ? this.#operator(req, socket, head, op[1]!) : this.#agent(req, socket, head, ag![1]!)
    work.catch((err: unknown) => {
      const failure = toHttpFailure(err)
      if (failure.statusCode >= 500) this.#d.log.error({ err }, 'session upgrade failed')
      else this.#d.log.info({ code: failure.body.error.code, path }, 'session upgrade refused')
      refuse(socket, err)
    })
    return true
  }

  /** Closes every session socket (1001), then the server. */
  async close (): Promise<void> {
    for (const ws of this.#wss.clients) ws.close(SessionClose.GoingAway, 'hub closing')
    const timer = setTimeout(() => { for (const ws of this.#wss.clients) ws.terminate() }, 1000)
    await new Promise<void>(resolve => { this.#wss.close(() => { resolve() }) })
    clearTimeout(timer)
  }

  async #operator (req: IncomingMessage, socket: Duplex, head: Buffer, id: string): Promise<void> {
    const identity = await this.#d.operators.authenticate({ authorization: req.headers.authorization, cookie: req.headers.cookie })
    if (identity.session !== undefined && !this.#sameOrigin(req)) {
      await this.#d.audit.record({ actor: identity.actor, action: AuditAction.SessionJoin, target: `session:${id}`, result: 'denied', detail: { reason: 'cross-origin', origin: String(req.headers.origin ?? '') } })
      throw new HubError(HubErrorCode.Forbidden, 'a session cookie is accepted only from the hub\'s own origin')
    }
    if (!roleAllows(identity.role, Role.Operator)) {
      await this.#d.audit.record({ actor: identity.actor, action: AuditAction.ApiAccess, target: OPERATOR_ROUTE, result: 'denied', detail: { role: identity.role, needed: Role.Operator } })
      throw new HubError(HubErrorCode.Forbidden, `this needs the ${Role.Operator} role`)
    }
    const row = await this.#d.sessions.joinable(identity, id, OPERATOR_ROUTE, AuditAction.SessionJoin)
    if (row.state === 'closed') throw new HubError(HubErrorCode.Conflict, 'the session is over')
    const ws = await this.#upgrade(req, socket, head)
    await this.#d.audit.record({ actor: identity.actor, action: AuditAction.SessionJoin, target: `session:${id}`, result: 'ok', detail: { hostId: row.agentId } })
    const relay = relayOperatorSocket(ws, { id, bus: this.#d.bus, limits: this.#d.sessions.limits, log: this.#d.log })
    // Read after subscribing, so that a `ready` in between is not missed.
    const now = await this.#d.sessions.visible(identity, id, OPERATOR_ROUTE)
    if (now.state === 'open') relay.markReady()
    if (now.state === 'closed') ws.close(SessionClose.Normal, 'session closed')
  }

  async #agent (req: IncomingMessage, socket: Duplex, head: Buffer, id: string): Promise<void> {
    const agentId = await this.#d.agents.authenticate({ method: req.method ?? 'GET', url: req.url ?? '', headers: req.headers, body: new Uint8Array(0) })
    await this.#d.sessions.attachAgent(agentId, id, 'ws')
    let ws: WebSocket
    try {
      ws = await this.#upgrade(req, socket, head)
    } catch (err) {
      this.#d.sessions.detachAgent(id)
      throw err
    }
    ws.once('close', () => { this.#d.sessions.detachAgent(id) })
    relayAgentSocket(ws, { id, bus: this.#d.bus, log: this.#d.log.child({ agentId }) })
  }

  #upgrade (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<WebSocket> {
    if (socket.destroyed) return Promise.reject(new HubError(HubErrorCode.Unavailable, 'the client left during authentication'))
    return new Promise(resolve => { this.#wss.handleUpgrade(req, socket, head, resolve) })
  }

  #sameOrigin (req: IncomingMessage): boolean {
    const origin = req.headers.origin
    if (typeof origin !== 'string' || req.headers.host === undefined) return false
    if (origin === `https://${req.headers.host}`) return true
    return this.#d.publicUrl !== null && origin === new URL(this.#d.publicUrl).origin
  }
}

/** Answers a refused upgrade with the error envelope and closes the socket. */
function refuse (socket: Duplex, err: unknown): void {
  if (socket.destroyed) return
  const failure = toHttpFailure(err)
  const body = JSON.stringify(failure.body)
  const headers = { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(body)), connection: 'close' }
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${String(v)}`)
  socket.end(`HTTP/1.1 ${failure.statusCode} ${STATUS_CODES[failure.statusCode] ?? 'Error'}\r\n${lines.join('\r\n')}\r\n\r\n${body}`)
}
