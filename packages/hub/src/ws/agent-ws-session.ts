import type { WebSocket, RawData } from 'ws'
import type { Logger } from 'pino'
import { WsAgentFrame, parseJson, type WsHubFrame } from '@outpost/protocol'
import type { HubServices } from '../hub-services.ts'
import { dispatchAgentMessage, type AgentContext } from '../agents/agent-message-handlers.ts'
import { toHttpFailure } from '../http/error-mapping.ts'
import { logBackgroundFailure } from '../http/log-policy.ts'

/** Most frames of one socket waiting to be handled before the socket is closed as abusive. */
export const MAX_QUEUED_FRAMES = 64

/** Close codes the hub uses. */
export const WsClose = { Normal: 1000, GoingAway: 1001, Policy: 1008, TooBig: 1009, Replaced: 4000 } as const

/**
 * One authenticated agent WebSocket: frames are handled in order by the same handlers as the
 * POST endpoint, and instructions are pushed when `AgentWsServer` hears one was queued.
 *
 * A hub holds one of these per connected agent for as long as the agent is connected, so it is
 * kept small: no listeners or bus subscription of its own (the server's shared ones call in), no
 * child logger (made when something is logged), no promise or abort controller while idle.
 */
export class AgentWsSession {
  readonly agentId: string
  /** Short random id of the socket, for log lines. */
  readonly connId: string
  /** Whether the socket answered the last heartbeat ping. */
  alive = true
  readonly #ws: WebSocket
  readonly #s: HubServices
  /** Made on first use: frames over the WebSocket (no polls) never ask for the signal. */
  #abort: AbortController | undefined
  #closed = false
  /** The frames being handled, in order; undefined when none is. */
  #chain: Promise<void> | undefined
  #queued = 0
  #delivering = false
  #deliverAgain = false

  constructor (ws: WebSocket, agentId: string, connId: string, s: HubServices) {
    this.#ws = ws
    this.agentId = agentId
    this.connId = connId
    this.#s = s
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
          if (this.#closed) return
          const instructions = ifAny ? await this.#s.commands.deliverableIfAny(this.agentId) : await this.#s.commands.deliverable(this.agentId)
          // If the socket died meanwhile, these stay `sent` and go out again after the resend delay.
          if (instructions.length > 0) this.send({ type: 'reply', accepted: [], instructions, time: this.#s.now() })
        } while (this.#deliverAgain)
      } catch (err) {
        logBackgroundFailure(this.#log(), toHttpFailure(err), err, 'instruction push')
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

  /** Queues one frame from the agent; it is handled after those before it. */
  receive (data: RawData): void {
    if (this.#queued >= MAX_QUEUED_FRAMES) {
      this.close(WsClose.Policy, 'too many frames in flight')
      return
    }
    this.#queued++
    const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)
    this.#chain = (this.#chain ?? Promise.resolve()).then(() => this.#handle(bytes))
  }

  /** The socket closed: what waits on the agent's behalf is aborted, and nothing more is pushed. */
  dispose (): void {
    this.#closed = true
    this.#abort?.abort()
  }

  async #handle (bytes: Buffer): Promise<void> {
    try {
      const msg = parseJson(WsAgentFrame, bytes, 'agent frame')
      this.send(await dispatchAgentMessage(this.#s.handlers, msg, this.#context()))
    } catch (err) {
      const failure = toHttpFailure(err)
      logBackgroundFailure(this.#log(), failure, err, 'agent frame')
      this.send({ type: 'error', error: failure.body.error })
    } finally {
      // The last frame in flight: nothing is left to wait for, so the settled chain can go.
      if (--this.#queued === 0) this.#chain = undefined
    }
  }

  #context (): AgentContext {
    const session = this
    return { agentId: this.agentId, get signal () { return session.#signal() } }
  }

  #signal (): AbortSignal {
    if (this.#abort === undefined) {
      this.#abort = new AbortController()
      if (this.#closed) this.#abort.abort()
    }
    return this.#abort.signal
  }

  #log (): Logger {
    return this.#s.log.child({ ws: this.connId, agentId: this.agentId })
  }
}
