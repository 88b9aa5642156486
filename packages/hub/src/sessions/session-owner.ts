import path from 'node:path'
import type { Logger } from 'pino'
import type { Bus } from '../bus/bus.ts'
import { BusSubject } from '../bus/bus.ts'
import type { SessionStore, LiveSessionRecord } from '../store/session-store.ts'
import { AuditAction, type AuditLog } from '../audit/audit-log.ts'
import { AsciicastRecorder } from './asciicast-recorder.ts'
import { asFrame, publishControl, sessionSubjects, type SessionFrame } from './session-frames.ts'
import { SESSION_HEARTBEAT_MS, type SessionLimits } from './session-limits.ts'

/** What an owner is given. */
export interface SessionOwnerDeps {
  readonly bus: Bus
  readonly store: SessionStore
  readonly audit: AuditLog
  readonly now: () => number
  readonly log: Logger
  readonly limits: SessionLimits
  /** Told once the session is closed (the service forgets the owner). */
  readonly onClosed: (id: string) => void
}

/**
 * The authority over one session, on the replica that created it: it hears both bus subjects,
 * records the agent's output (asciicast v2), keeps the store row's state, and ends the session
 * once, whatever ends it (the shell exits, an operator closes it, the agent fails or never
 * attaches, idleness, the hub closing). Ending publishes `closed` both ways, so that every
 * operator socket and the agent side, on whichever replica, let go.
 */
export class SessionOwner {
  readonly #d: SessionOwnerDeps
  readonly #row: LiveSessionRecord
  readonly #recorder: AsciicastRecorder
  readonly #unsubscribe: Array<() => void> = []
  readonly #timers: NodeJS.Timeout[] = []
  #lastActivity: number
  #exitCode: number | null = null
  #closed = false

  constructor (row: LiveSessionRecord, d: SessionOwnerDeps) {
    this.#d = d
    this.#row = row
    this.#lastActivity = d.now()
    this.#recorder = new AsciicastRecorder(row.recordingPath, { width: row.cols, height: row.rows, startMs: row.createdAt }, d.now, (err) => {
      d.log.error({ err, sessionId: row.id, file: path.basename(row.recordingPath) }, 'writing the session recording failed')
    })
    const s = sessionSubjects(row.id)
    this.#unsubscribe.push(d.bus.subscribe(s.up, (p) => { this.#onUp(asFrame(p)) }))
    this.#unsubscribe.push(d.bus.subscribe(s.down, (p) => { this.#onDown(p) }))
    const pending = setTimeout(() => {
      if (this.#state === 'pending') void this.close('the agent did not attach in time', 'system')
    }, d.limits.openTtlMs + 5_000)
    const beat = setInterval(() => { this.#beat() }, Math.min(SESSION_HEARTBEAT_MS, d.limits.idleMs))
    for (const t of [pending, beat]) t.unref()
    this.#timers.push(pending, beat)
  }

  #state: 'pending' | 'open' | 'closed' = 'pending'

  get id (): string {
    return this.#row.id
  }

  /** Watches the `session-open` command: a refusal or failure before the shell ran ends the session. */
  watchCommand (commandId: string, outcome: (commandId: string) => Promise<{ status: string, message: string | null } | undefined>): void {
    this.#unsubscribe.push(this.#d.bus.subscribe(BusSubject.commandFinished(commandId), () => {
      outcome(commandId).then((o) => {
        if (o === undefined || this.#closed) return
        const reason = o.status === 'completed' ? 'the shell ended' : `the agent ${o.status} the session${o.message === null ? '' : ': ' + o.message}`
        return this.close(reason, `agent:${this.#row.agentId}`)
      }).catch((err: unknown) => { this.#d.log.error({ err, sessionId: this.#row.id }, 'reading the session command failed') })
    }))
  }

  /** Writes the recording's queued lines (before a download). */
  async flushRecording (): Promise<void> {
    await this.#recorder.flushed()
  }

  /**
   * Ends the session once: closes the recording and stores the end, then tells both sides and
   * audits it. Stored first, so that a browser reloading the session list when its socket closes
   * finds the session closed with its recording.
   */
  async close (reason: string, actor: string): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#state = 'closed'
    for (const t of this.#timers) clearTimeout(t)
    for (const u of this.#unsubscribe.splice(0)) u()
    const endedAt = this.#d.now()
    try {
      await this.#recorder.close()
      await this.#d.store.finish(this.#row.id, { endedAt, exitCode: this.#exitCode, reason, recordingBytes: this.#recorder.bytes })
    } finally {
      // Both sides hear of the end even when storing it failed.
      const s = sessionSubjects(this.#row.id)
      publishControl(this.#d.bus, s.up, { t: 'closed', reason })
      publishControl(this.#d.bus, s.down, { t: 'closed', reason })
      this.#d.onClosed(this.#row.id)
    }
    await this.#d.audit.record({
      actor, action: AuditAction.SessionClose, target: `session:${this.#row.id}`, result: 'ok',
      detail: { hostId: this.#row.agentId, reason, exitCode: this.#exitCode, recordingBytes: this.#recorder.bytes, durationMs: endedAt - this.#row.createdAt }
    })
    this.#d.log.info({ sessionId: this.#row.id, agentId: this.#row.agentId, reason, exitCode: this.#exitCode }, 'live session closed')
  }

  #onUp (f: SessionFrame | undefined): void {
    if (f === undefined || this.#closed) return
    this.#lastActivity = this.#d.now()
    if ('data' in f) {
      this.#recorder.output(Buffer.from(f.data, 'base64'))
      return
    }
    const c = f.control
    if (c.t === 'ready' && this.#state === 'pending') {
      this.#state = 'open'
      this.#d.store.markOpen(this.#row.id, this.#d.now()).then(() => {
        // An operator who subscribed after the agent's `ready` but read the row before it was
        // stored (likely when its socket is on another replica) waits for this one.
        publishControl(this.#d.bus, sessionSubjects(this.#row.id).up, { t: 'ready' })
      }, (err: unknown) => { this.#d.log.error({ err, sessionId: this.#row.id }, 'marking the session open failed') })
    } else if (c.t === 'exit') {
      this.#exitCode = c.code
      void this.#closeLogged(`the shell exited${c.code === null ? '' : ' with code ' + String(c.code)}`, `agent:${this.#row.agentId}`)
    } else if (c.t === 'closed') {
      void this.#closeLogged(c.reason, `agent:${this.#row.agentId}`)
    }
  }

  #onDown (payload: unknown): void {
    const f = asFrame(payload)
    if (f === undefined || this.#closed) return
    this.#lastActivity = this.#d.now()
    if ('control' in f && f.control.t === 'resize') this.#recorder.resize(f.control.cols, f.control.rows)
    if ('control' in f && f.control.t === 'closed') {
      const actor = (payload as { actor?: unknown }).actor
      void this.#closeLogged(f.control.reason, typeof actor === 'string' ? actor : 'system')
    }
  }

  #beat (): void {
    if (this.#closed) return
    if (this.#d.now() - this.#lastActivity >= this.#d.limits.idleMs) {
      void this.#closeLogged(`idle for ${Math.round(this.#d.limits.idleMs / 60_000)} min`, 'system')
      return
    }
    this.#d.store.touch(this.#row.id, this.#recorder.bytes, this.#d.now()).catch((err: unknown) => { this.#d.log.error({ err, sessionId: this.#row.id }, 'session heartbeat failed') })
  }

  async #closeLogged (reason: string, actor: string): Promise<void> {
    // After the frame that ended it reached every subscriber (the bus may deliver synchronously).
    await new Promise(resolve => setImmediate(resolve))
    try {
      await this.close(reason, actor)
    } catch (err) {
      this.#d.log.error({ err, sessionId: this.#row.id }, 'closing the live session failed')
    }
  }
}
