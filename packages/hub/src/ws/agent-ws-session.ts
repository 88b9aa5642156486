import type { WebSocket, RawData } from 'ws'
import type { Logger } from 'pino'
import { WsAgentFrame, parseJson, type WsHubFrame } from '@outpost/protocol'
import { BusSubject } from '../bus/bus.ts'
import type { HubServices } from '../hub-services.ts'
import { dispatchAgentMessage } from '../agents/agent-message-handlers.ts'
import { toHttpFailure } from '../http/error-mapping.ts'
import { logBackgroundFailure } from '../http/log-policy.ts'

/** Most frames of one socket waiting to be handled before the socket is closed as abusive. */
export const MAX_QUEUED_FRAMES = 64

/** Close codes the hub uses. */
export const WsClose = { Normal: 1000, GoingAway: 1001, Policy: 1008, TooBig: 1009, Replaced: 4000 } as const

/**
 * One authenticated agent WebSocket: frames are handled in order by the same handlers as the
 * POST endpoint, and instructions are pushed as soon as the bus says one was queued.
 */
export class AgentWsSession {
  readonly agentId: string
  readonly #ws: WebSocket
  readonly #s: HubServices
  readonly #log: Logger
  readonly #abort = new AbortController()
  #chain: Promise<void> = Promise.resolve()
  #queued = 0
  #delivering = false
  #deliverAgain = false
  readonly #unsubscribe: () => void

  constructor (ws: WebSocket, agentId: string, s: HubServices, log: Logger) {
    this.#ws = ws
    this.agentId = agentId
    this.#s = s
    this.#log = log
    this.#unsubscribe = s.bus.subscribe(BusSubject.instructionsQueued(agentId), () => { this.pushInstructions() })
    ws.on('message', (data: RawData) => { this.#onFrame(data) })
    ws.once('close', () => { this.#dispose() })
  }

  /**
   * Sends whatever is deliverable now; coalesces concurrent calls into one more pass. `ifAny`:
   * ask the delivery hints first (the heartbeat's periodic re-offer of unanswered instructions).
   */
  pushInstructions (ifAny = false): void {
    if (this.#delivering) {
      this.#deliverAgain = true
      return
    }
    this.#delivering = true
    void (async () => {
      try {
        do {
          this.#deliverAgain = false
          if (this.#abort.signal.aborted) return
          const instructions = ifAny ? await this.#s.commands.deliverableIfAny(this.agentId) : await this.#s.commands.deliverable(this.agentId)
          // If the socket died meanwhile, these stay `sent` and go out again after the resend delay.
          if (instructions.length > 0) this.send({ type: 'reply', accepted: [], instructions, time: this.#s.now() })
        } while (this.#deliverAgain)
      } catch (err) {
        logBackgroundFailure(this.#log, toHttpFailure(err), err, 'instruction push')
      } finally {
        this.#delivering = false
      }
    })()
  }

  /** Sends one frame if the socket is open. */
  send (frame: WsHubFrame): void {
    if (this.#ws.readyState === this.#ws.OPEN) this.#ws.send(JSON.stringify(frame))
  }

  /** Closes the socket with a code and reason. */
  close (code: number, reason: string): void {
    this.#ws.close(code, reason)
  }

  #onFrame (data: RawData): void {
    if (this.#queued >= MAX_QUEUED_FRAMES) {
      this.close(WsClose.Policy, 'too many frames in flight')
      return
    }
    this.#queued++
    const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)
    this.#chain = this.#chain.then(async () => {
      try {
        const msg = parseJson(WsAgentFrame, bytes, 'agent frame')
        this.send(await dispatchAgentMessage(this.#s.handlers, msg, { agentId: this.agentId, signal: this.#abort.signal }))
      } catch (err) {
        const failure = toHttpFailure(err)
        logBackgroundFailure(this.#log, failure, err, 'agent frame')
        this.send({ type: 'error', error: failure.body.error })
      } finally {
        this.#queued--
      }
    })
  }

  #dispose (): void {
    this.#abort.abort()
    this.#unsubscribe()
  }
}
