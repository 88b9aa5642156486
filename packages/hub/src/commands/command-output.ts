import type { ServerResponse } from 'node:http'
import type { Logger } from 'pino'
import { CommandOutputChunk, isValid } from '@outpost/protocol'
import { BusSubject, type Bus } from '../bus/bus.ts'
import { HubError, HubErrorCode } from '../errors.ts'
import { AuditAction, type AuditLog } from '../audit/audit-log.ts'
import { RetryLaterError } from '../auth/login-service.ts'
import type { OperatorIdentity } from '../auth/api-token-service.ts'
import { commandStatus } from '../http/api-views.ts'
import { isFinished, type CommandService } from './command-service.ts'
import { startEventStream, eventFrame } from '../http/event-stream.ts'

/** A comment line this often keeps proxies from closing a quiet stream (as `GET /api/v1/events`). */
export const OUTPUT_HEARTBEAT_MS = 25_000
/** Output streams one operator may have open at once on one hub. */
export const MAX_OUTPUT_STREAMS_PER_USER = 16
/** A client this far behind is cut off rather than buffered for without bound. */
const MAX_BUFFER_BYTES = 4 * 1024 * 1024

/** What the output relay and streams need. */
export interface CommandOutputDeps {
  readonly bus: Bus
  readonly commands: CommandService
  readonly audit: AuditLog
  readonly now: () => number
  readonly closing: AbortSignal
  readonly log: Logger
  readonly heartbeatMs?: number
}

/**
 * Takes a chunk an authenticated agent posted and publishes it to the operators streaming the
 * command. Only the agent the command was queued for may post, and only while it runs: another
 * agent's command answers 404 like a missing one (and is audited), a finished one 409.
 */
export async function relayOutputChunk (d: CommandOutputDeps, agentId: string, commandId: string, chunk: CommandOutputChunk): Promise<void> {
  const c = await d.commands.get(commandId).catch((err: unknown) => {
    if ((err as { code?: unknown }).code === HubErrorCode.NotFound) return undefined
    throw err
  })
  if (c?.agentId !== agentId) {
    if (c !== undefined) await d.audit.record({ actor: `agent:${agentId}`, action: AuditAction.CommandOutput, target: `command:${commandId}`, result: 'denied', detail: { reason: 'not this agent\'s command' } })
    throw new HubError(HubErrorCode.NotFound, 'no such command')
  }
  if (isFinished(c, d.now())) throw new HubError(HubErrorCode.Conflict, 'the command has finished: its output is in its result')
  d.bus.publish(BusSubject.commandOutput(commandId), chunk)
}

/**
 * The open `GET /api/v1/commands/:id/output` streams: each chunk the agent posts as an SSE
 * `chunk` event, then one `finished` event carrying the `CommandStatus`, then the end.
 */
export class CommandOutputStreams {
  readonly #d: CommandOutputDeps
  readonly #perUser = new Map<string, number>()

  constructor (d: CommandOutputDeps) {
    this.#d = d
  }

  /** Throws `HUB_ERR_THROTTLED` when this operator has all the streams allowed open. */
  admit (who: OperatorIdentity): void {
    if ((this.#perUser.get(who.actor) ?? 0) >= MAX_OUTPUT_STREAMS_PER_USER) {
      throw new RetryLaterError(HubErrorCode.Throttled, `at most ${MAX_OUTPUT_STREAMS_PER_USER} output streams per operator`, 5)
    }
  }

  /** Streams command `id` to `res` until it finishes, the client goes, or the hub closes. */
  open (res: ServerResponse, id: string, who: OperatorIdentity): void {
    const d = this.#d
    startEventStream(res)
    // Headers go out with the first bytes: without these the client would wait for a chunk.
    res.write(': command output\n\n')
    let ended = false
    const write = (event: string, payload: unknown): void => {
      if (ended) return
      res.write(eventFrame(event, payload))
      if (res.writableLength > MAX_BUFFER_BYTES) {
        d.log.info({ commandId: id, user: who.actor }, 'output stream client too slow: closed')
        end()
      }
    }
    // Subscribed before the first read, so that nothing between the read and now is missed.
    const offChunk = d.bus.subscribe(BusSubject.commandOutput(id), (p) => { if (isValid(CommandOutputChunk, p)) write('chunk', p) })
    const offFinished = d.bus.subscribe(BusSubject.commandFinished(id), () => { void check() })
    const heartbeat = setInterval(() => { if (!ended) res.write(': ping\n\n') }, d.heartbeatMs ?? OUTPUT_HEARTBEAT_MS)
    heartbeat.unref()
    let expiry: NodeJS.Timeout | undefined
    const end = (): void => {
      if (ended) return
      ended = true
      offChunk()
      offFinished()
      clearInterval(heartbeat)
      clearTimeout(expiry)
      d.closing.removeEventListener('abort', end)
      const left = (this.#perUser.get(who.actor) ?? 1) - 1
      if (left <= 0) this.#perUser.delete(who.actor)
      else this.#perUser.set(who.actor, left)
      res.end()
    }
    /** Sends `finished` and ends when the command is over; else arms a check for its expiry. */
    const check = async (): Promise<void> => {
      try {
        const c = await d.commands.get(id)
        if (ended) return
        const now = d.now()
        if (isFinished(c, now)) {
          write('finished', commandStatus(c, now))
          end()
          return
        }
        clearTimeout(expiry)
        // A command that expires unanswered publishes nothing: its expiry is watched here.
        expiry = setTimeout(() => { void check() }, Math.max(c.expiresAt - now, 0) + 50)
        expiry.unref()
      } catch (err) {
        d.log.error({ err, commandId: id }, 'reading a streamed command failed: stream closed')
        end()
      }
    }
    this.#perUser.set(who.actor, (this.#perUser.get(who.actor) ?? 0) + 1)
    res.once('close', end)
    if (d.closing.aborted) return end()
    d.closing.addEventListener('abort', end, { once: true })
    void check()
  }
}
