import { mkdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import type { Logger } from 'pino'
import { randomId, type CreateSessionRequest, type LiveSessionInfo, type SessionOut, type SessionIn } from '@outpost/protocol'
import { BusSubject, type Bus } from '../bus/bus.ts'
import type { Store } from '../store/store.ts'
import type { LiveSessionRecord } from '../store/session-store.ts'
import { AuditAction, type AuditLog } from '../audit/audit-log.ts'
import type { CommandService } from '../commands/command-service.ts'
import type { HostScope } from '../auth/host-scope.ts'
import type { OperatorIdentity } from '../auth/api-token-service.ts'
import { HubError, HubErrorCode } from '../errors.ts'
import { SessionOwner } from './session-owner.ts'
import { AgentPostEndpoint } from './agent-post-endpoint.ts'
import { forwardPost, POST_FORWARD_MS, servePostEndpoint } from './post-relay.ts'
import { SESSION_HEARTBEAT_MS, type SessionLimits } from './session-limits.ts'

/** What the session service is given. */
export interface SessionServiceDeps {
  readonly dataDir: string
  readonly store: Store
  readonly bus: Bus
  readonly audit: AuditLog
  readonly commands: CommandService
  readonly hostScope: HostScope
  readonly now: () => number
  readonly log: Logger
  readonly limits: SessionLimits
  readonly maxPollMs: number
}

/**
 * Live sessions: opening one (a row, an owner, a `session-open` instruction), who may join or
 * close it, its recording, and the agent's side on the POST fallback. The sockets are in
 * `session-sockets.ts`; the relaying itself goes through the bus (see `session-owner.ts`).
 */
export class SessionService {
  readonly #d: SessionServiceDeps
  readonly #owners = new Map<string, SessionOwner>()
  /** Sessions whose agent side is attached to this replica (socket or POST endpoint). */
  readonly #attached = new Set<string>()
  /** POST fallback endpoints by session; a promise so that a first `/in` and `/out` arriving together attach once. */
  readonly #posts = new Map<string, Promise<AgentPostEndpoint>>()
  readonly #sweep: NodeJS.Timeout

  constructor (d: SessionServiceDeps) {
    this.#d = d
    this.#sweep = setInterval(() => {
      d.store.sessions.closeStale(d.now() - 4 * SESSION_HEARTBEAT_MS, d.now()).then((ids) => {
        // Rows this replica owns are touched by their owner; these lost theirs (a crash or restart).
        for (const id of ids) d.log.warn({ sessionId: id }, 'live session closed: the hub relaying it went away')
      }, (err: unknown) => { d.log.error({ err }, 'sweeping lost live sessions failed') })
    }, SESSION_HEARTBEAT_MS)
    this.#sweep.unref()
  }

  get limits (): SessionLimits {
    return this.#d.limits
  }

  /** Opens a terminal on a host: stores the session, starts its owner, queues `session-open`. */
  async create (identity: OperatorIdentity | undefined, hostId: string, req: CreateSessionRequest, route: string): Promise<LiveSessionInfo> {
    const { store, now } = this.#d
    const host = await this.#d.hostScope.hostOr404(identity, hostId, route)
    const actor = identity?.actor ?? 'system'
    if (await store.sessions.countActive(host.id) >= this.#d.limits.maxPerAgent) {
      await this.#d.audit.record({ actor, action: AuditAction.SessionOpen, target: `host:${host.id}`, result: HubErrorCode.SessionLimit })
      throw new HubError(HubErrorCode.SessionLimit, `the host has ${this.#d.limits.maxPerAgent} live sessions open already; close one first`)
    }
    const id = randomId(16)
    const dir = path.join(this.#d.dataDir, 'recordings')
    await mkdir(dir, { recursive: true, mode: 0o700 })
    await store.sessions.create({ id, agentId: host.id, actor, kind: req.kind, cols: req.cols, rows: req.rows, createdAt: now(), recordingPath: path.join(dir, `${id}.cast`) })
    const row = await this.#row(id)
    // The owner listens before the agent can hear of the session.
    const owner = this.#startOwner(row)
    let commandId: string
    try {
      commandId = await this.#d.commands.create({
        agentId: host.id, issuer: actor, ttlMs: this.#d.limits.openTtlMs,
        body: { type: 'session-open', sessionId: id, kind: req.kind, cols: req.cols, rows: req.rows }
      })
    } catch (err) {
      await owner.close('the session could not be queued', 'system')
      throw err
    }
    await store.sessions.setCommand(id, commandId)
    owner.watchCommand(commandId, async (cid) => {
      const c = await this.#d.commands.get(cid)
      return { status: c.status, message: c.error?.message ?? null }
    })
    await this.#d.audit.record({ actor, action: AuditAction.SessionOpen, target: `session:${id}`, result: 'ok', detail: { hostId: host.id, commandId, cols: req.cols, rows: req.rows } })
    return this.info(await this.#row(id))
  }

  /** Sessions of the hosts in scope, newest first. */
  async list (identity: OperatorIdentity | undefined, hostId: string | undefined, route: string): Promise<LiveSessionInfo[]> {
    if (hostId !== undefined) await this.#d.hostScope.hostOr404(identity, hostId, route)
    const visible = await this.#d.hostScope.visibleHostIds(identity)
    const hostIds = hostId !== undefined ? [hostId] : visible
    const rows = await this.#d.store.sessions.list({ hostIds, limit: 500 })
    return rows.map(r => this.info(r))
  }

  /**
   * The session if this operator may join or close it: in host scope (else 404 like a missing
   * one), and its creator or an admin (else 403, audited). Closed sessions are 409 for joins.
   */
  async joinable (identity: OperatorIdentity | undefined, id: string, route: string, action: string): Promise<LiveSessionRecord> {
    const row = await this.visible(identity, id, route)
    if (identity === undefined || (identity.actor !== row.actor && identity.role !== 'admin')) {
      await this.#d.audit.record({ actor: identity?.actor ?? 'system', action, target: `session:${id}`, result: 'denied', detail: { reason: 'not the session\'s creator', hostId: row.agentId } })
      throw new HubError(HubErrorCode.Forbidden, 'only the operator who opened a session (or an admin) may join or close it')
    }
    return row
  }

  /** The session when it exists and its host is in scope; else 404 (a scope miss is audited). */
  async visible (identity: OperatorIdentity | undefined, id: string, route: string): Promise<LiveSessionRecord> {
    const row = await this.#d.store.sessions.get(id)
    if (row === undefined) throw new HubError(HubErrorCode.NotFound, 'no such session')
    await this.#d.hostScope.requireHostId(identity, row.agentId, `session:${id}`, route, 'no such session')
    return row
  }

  /** Closes a session for an operator; closing a closed one changes nothing. */
  async close (identity: OperatorIdentity | undefined, id: string, route: string): Promise<LiveSessionInfo> {
    const row = await this.joinable(identity, id, route, AuditAction.SessionClose)
    if (row.state !== 'closed') {
      const actor = identity?.actor ?? 'system'
      const reason = `closed by ${actor}`
      const owner = this.#owners.get(id)
      if (owner !== undefined) await owner.close(reason, actor)
      // On another replica the owner hears it on the bus, with who asked.
      else this.#d.bus.publish(BusSubject.sessionDown(id), { control: { t: 'closed', reason }, actor })
    }
    return this.info(await this.#row(id))
  }

  /** The asciicast file (audited). Operators in scope may read any session's recording. */
  async recording (identity: OperatorIdentity | undefined, id: string, route: string): Promise<Buffer> {
    const row = await this.visible(identity, id, route)
    await this.#owners.get(id)?.flushRecording()
    await this.#d.audit.record({ actor: identity?.actor ?? 'system', action: AuditAction.SessionRecording, target: `session:${id}`, result: 'ok', detail: { hostId: row.agentId } })
    try {
      return await readFile(row.recordingPath)
    } catch (err) {
      if ((err as { code?: unknown }).code === 'ENOENT') throw new HubError(HubErrorCode.NotFound, 'this session has no recording (yet)')
      throw err
    }
  }

  /**
   * Lets an agent attach its side of a session: its own session, not closed, and not attached
   * already (a second socket would split the stream). Audited either way.
   */
  async attachAgent (agentId: string, id: string, via: 'ws' | 'post'): Promise<void> {
    const row = await this.#d.store.sessions.get(id)
    const refuse = async (reason: string, err: HubError): Promise<never> => {
      await this.#d.audit.record({ actor: `agent:${agentId}`, action: AuditAction.SessionAttach, target: `session:${id}`, result: 'denied', detail: { reason, via } })
      throw err
    }
    if (row === undefined || row.agentId !== agentId) return refuse('not this agent\'s session', new HubError(HubErrorCode.NotFound, 'no such session'))
    if (row.state !== 'pending' || this.#attached.has(id)) return refuse(`session is ${row.state === 'pending' ? 'attached already' : row.state}`, new HubError(HubErrorCode.Conflict, 'the session is attached already or over'))
    this.#attached.add(id)
    await this.#d.audit.record({ actor: `agent:${agentId}`, action: AuditAction.SessionAttach, target: `session:${id}`, result: 'ok', detail: { via } })
  }

  /** The agent side went away (socket closed). */
  detachAgent (id: string): void {
    this.#attached.delete(id)
  }

  /** POST fallback, upstream. */
  async agentOut (agentId: string, id: string, body: SessionOut): Promise<void> {
    if (!this.#posts.has(id)) {
      const remote = await forwardPost(this.#d.bus, id, { op: 'out', agentId, body }, POST_FORWARD_MS)
      if (remote !== undefined) return noSuchSessionUnless(remote.found)
    }
    ;(await this.#post(agentId, id)).out(body)
  }

  /** POST fallback, downstream long-poll. */
  async agentPoll (agentId: string, id: string, after: number, signal: AbortSignal): Promise<SessionIn> {
    if (!this.#posts.has(id)) {
      // The endpoint may be on another replica (a load balancer spread the agent's requests).
      const remote = await forwardPost(this.#d.bus, id, { op: 'in', agentId, after }, this.#d.maxPollMs + POST_FORWARD_MS)
      if (remote !== undefined) {
        noSuchSessionUnless(remote.found)
        if (remote.answer !== undefined) return remote.answer
      }
    }
    return (await this.#post(agentId, id)).poll(after, this.#d.maxPollMs, signal)
  }

  async #post (agentId: string, id: string): Promise<AgentPostEndpoint> {
    const existing = this.#posts.get(id)
    if (existing !== undefined) {
      const row = await this.#row(id)
      if (row.agentId !== agentId) throw new HubError(HubErrorCode.NotFound, 'no such session')
      return existing
    }
    const made = this.attachAgent(agentId, id, 'post').then(() => {
      let unserve = (): void => {}
      const endpoint = new AgentPostEndpoint(id, {
        bus: this.#d.bus, limits: this.#d.limits, now: this.#d.now,
        onGone: () => { unserve(); this.#posts.delete(id); this.detachAgent(id) }
      })
      unserve = servePostEndpoint(this.#d.bus, id, agentId, endpoint, this.#d.maxPollMs)
      return endpoint
    })
    this.#posts.set(id, made)
    made.catch(() => { if (this.#posts.get(id) === made) this.#posts.delete(id) })
    return made
  }

  /** The API view of a row (live byte count when this replica records it). */
  info (r: LiveSessionRecord): LiveSessionInfo {
    return {
      id: r.id, hostId: r.agentId, kind: r.kind, actor: r.actor, state: r.state,
      createdAt: new Date(r.createdAt).toISOString(),
      endedAt: r.endedAt === null ? null : new Date(r.endedAt).toISOString(),
      exitCode: r.exitCode, recordingBytes: r.recordingBytes
    }
  }

  /** Ends every session this replica owns (the hub is closing). */
  async shutdown (reason: string): Promise<void> {
    clearInterval(this.#sweep)
    await Promise.all([...this.#owners.values()].map(o => o.close(reason, 'system').catch((err: unknown) => {
      this.#d.log.error({ err, sessionId: o.id }, 'closing a live session at shutdown failed')
    })))
  }

  #startOwner (row: LiveSessionRecord): SessionOwner {
    const owner = new SessionOwner(row, {
      bus: this.#d.bus, store: this.#d.store.sessions, audit: this.#d.audit, now: this.#d.now, limits: this.#d.limits,
      log: this.#d.log, onClosed: (id) => { this.#owners.delete(id) }
    })
    this.#owners.set(row.id, owner)
    return owner
  }

  async #row (id: string): Promise<LiveSessionRecord> {
    const row = await this.#d.store.sessions.get(id)
    if (row === undefined) throw new HubError(HubErrorCode.NotFound, 'no such session')
    return row
  }
}

function noSuchSessionUnless (found: boolean): void {
  if (!found) throw new HubError(HubErrorCode.NotFound, 'no such session')
}
