import { createHash } from 'node:crypto'
import type { SigningKeyPair, InstructionBody, SignedInstruction, ResultMessage, WireError } from '@outpost/protocol'
import { randomId, signInstruction } from '@outpost/protocol'
import type { Logger } from 'pino'
import type { Bus } from '../bus/bus.ts'
import { BusSubject } from '../bus/bus.ts'
import type { CommandRecord, Store } from '../store/store.ts'
import { HubError, HubErrorCode } from '../errors.ts'
import { Wakeup } from './wakeup.ts'
import { DeliveryHints } from './delivery-hints.ts'
import { AuditAction, type Actor, type AuditLog } from '../audit/audit-log.ts'

/** A `sent` instruction without a result is sent again after this long (the agent runs an id once). */
export const RESEND_AFTER_MS = 60_000
/** Longest an operator may wait on a command in one request. */
export const MAX_COMMAND_WAIT_MS = 60_000

const FINISHED = new Set(['completed', 'failed', 'rejected', 'expired'])

/** True when the command will not change any more. */
export function isFinished (c: CommandRecord, now: number): boolean {
  return FINISHED.has(c.status) || c.expiresAt <= now
}

/** Everything the command service is given. */
export interface CommandServiceDeps {
  readonly store: Store
  readonly bus: Bus
  readonly audit: AuditLog
  readonly hubKey: SigningKeyPair
  readonly now: () => number
  readonly log: Logger
  /** Told of every result recorded (once per command), e.g. the alert engine; must not throw. */
  readonly onFinished?: (r: { agentId: string, commandId: string, status: 'completed' | 'failed' | 'rejected', exitCode: number | null, error: WireError | null }) => void
  /** Told of commands handed to an agent (jobs follow their hosts' progress); must not throw. */
  readonly onSent?: (commandIds: readonly string[]) => void
}

/** Queues instructions for agents, hands them out signed, and records their results. */
export class CommandService {
  readonly #d: CommandServiceDeps
  readonly #hints: DeliveryHints

  constructor (deps: CommandServiceDeps) {
    this.#d = deps
    this.#hints = new DeliveryHints(deps.bus)
  }

  /** Stops listening to the bus. */
  close (): void {
    this.#hints.close()
  }

  /** Queues an instruction for an agent, audits it and wakes the agent's connection. */
  async create (opts: { agentId: string, body: InstructionBody, ttlMs: number, issuer: Actor, id?: string }): Promise<string> {
    const { store, audit, bus, now } = this.#d
    const agent = await store.getAgent(opts.agentId)
    if (agent === undefined) {
      await audit.record({ actor: opts.issuer, action: AuditAction.CommandCreate, target: `host:${opts.agentId}`, result: HubErrorCode.NotFound, detail: { type: opts.body.type } })
      throw new HubError(HubErrorCode.NotFound, 'no such host')
    }
    const createdAt = now()
    // A caller may fix the id beforehand (jobs do): the primary key then makes a second create fail.
    const id = opts.id ?? randomId(16)
    await store.createCommand({ id, agentId: agent.id, issuer: opts.issuer, body: opts.body, nonce: randomId(16), createdAt, expiresAt: createdAt + opts.ttlMs })
    await audit.record({ actor: opts.issuer, action: AuditAction.CommandCreate, target: `host:${agent.id}`, result: 'ok', detail: { commandId: id, body: auditedBody(opts.body) } })
    bus.publish(BusSubject.instructionsQueued(agent.id), { agentId: agent.id, commandId: id })
    return id
  }

  /** Takes what the agent should get now (marking it sent) and signs it for that agent. */
  async deliverable (agentId: string): Promise<SignedInstruction[]> {
    const now = this.#d.now()
    const records = await this.#d.store.takeDeliverable(agentId, now, now - RESEND_AFTER_MS)
    if (records.length > 0) this.#d.onSent?.(records.map(c => c.id))
    return records.map(c => signInstruction(this.#d.hubKey.privateKey, {
      id: c.id, agentId: c.agentId, issuer: c.issuer, issuedAt: c.createdAt, expiresAt: c.expiresAt, nonce: c.nonce, body: c.body
    }))
  }

  /**
   * `deliverable` for the answer to a report: skips the store while the agent is known to have
   * nothing due (see `DeliveryHints`), which is nearly always. A command queued meanwhile wakes
   * the agent's poll or WebSocket, which call `deliverable` itself.
   */
  async deliverableIfAny (agentId: string): Promise<SignedInstruction[]> {
    const now = this.#d.now()
    if (this.#hints.quiet(agentId, now)) return []
    const epoch = this.#hints.epoch
    const next = await this.#d.store.nextDeliveryAt(agentId, now, RESEND_AFTER_MS)
    if (next === null || next > now) {
      this.#hints.remember(agentId, epoch, now, next)
      return []
    }
    this.#hints.forget(agentId)
    return this.deliverable(agentId)
  }

  /** Records an agent's result once, audits it and wakes operators waiting on the command. */
  async complete (agentId: string, r: ResultMessage): Promise<void> {
    const { store, audit, bus, now } = this.#d
    const recorded = await store.completeCommand({
      agentId, seq: r.seq, commandId: r.instructionId, status: r.outcome, finishedAt: now(),
      exitCode: r.exitCode ?? null, signal: r.signal ?? null, stdout: r.stdout ?? '', stderr: r.stderr ?? '',
      truncated: r.truncated ?? false, error: r.error ?? null
    })
    if (!recorded) {
      // A replayed spool entry or a result for another agent's command: acknowledged, not applied.
      this.#d.log.debug({ agentId, commandId: r.instructionId, seq: r.seq }, 'result ignored (duplicate or not this agent\'s)')
      return
    }
    await audit.record({ actor: `agent:${agentId}`, action: AuditAction.CommandResult, target: `command:${r.instructionId}`, result: r.outcome, detail: { exitCode: r.exitCode ?? null, ...(r.error === undefined ? {} : { code: r.error.code }) } })
    bus.publish(BusSubject.commandFinished(r.instructionId), { status: r.outcome })
    this.#d.onFinished?.({ agentId, commandId: r.instructionId, status: r.outcome, exitCode: r.exitCode ?? null, error: r.error ?? null })
  }

  /** The command, or `HUB_ERR_NOT_FOUND`. */
  async get (id: string): Promise<CommandRecord> {
    const c = await this.#d.store.getCommand(id)
    if (c === undefined) throw new HubError(HubErrorCode.NotFound, 'no such command')
    return c
  }

  /** The command once it finished, or as it stands after `waitMs` (or when `signal` aborts). */
  async waitFinished (id: string, waitMs: number, signal: AbortSignal): Promise<CommandRecord> {
    const deadline = this.#d.now() + Math.min(Math.max(waitMs, 0), MAX_COMMAND_WAIT_MS)
    const wakeup = new Wakeup()
    // Subscribe before reading, so that a result landing in between is not missed.
    const unsubscribe = this.#d.bus.subscribe(BusSubject.commandFinished(id), () => { wakeup.notify() })
    try {
      let c = await this.get(id)
      while (!isFinished(c, this.#d.now()) && !signal.aborted) {
        const left = deadline - this.#d.now()
        if (left <= 0) break
        await wakeup.wait(left, signal)
        c = await this.get(id)
      }
      return c
    } finally {
      unsubscribe()
    }
  }
}

/**
 * An instruction as the audit log keeps it: a `file-write`'s content becomes its size and SHA-256,
 * so that a file sent to many hosts (a job) is not copied into the append-only log once per host,
 * and no secret written to a file is kept there.
 */
function auditedBody (body: InstructionBody): Record<string, unknown> {
  if (body.type !== 'file-write') return body
  const { contentBase64, ...rest } = body
  const bytes = Buffer.from(contentBase64, 'base64')
  return { ...rest, contentBytes: bytes.length, contentSha256: createHash('sha256').update(bytes).digest('hex') }
}
