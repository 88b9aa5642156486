import type { SessionControl, SessionIn, SessionOut } from '@outpost/protocol'
import type { Bus } from '../bus/bus.ts'
import { Wakeup } from '../commands/wakeup.ts'
import { asFrame, publishControl, publishData, sessionSubjects } from './session-frames.ts'
import type { SessionLimits } from './session-limits.ts'

interface Item { readonly n: number, readonly data?: string, readonly control?: SessionControl, readonly size: number }

/**
 * The agent side of a session on the POST fallback: what comes down the bus is numbered and
 * queued until the agent's next `/in?after=N` poll acknowledges it; `/out` bodies go up the bus
 * once each (a retried POST repeats its `seq` and is not relayed again).
 */
export class AgentPostEndpoint {
  readonly #id: string
  readonly #bus: Bus
  readonly #limits: SessionLimits
  readonly #now: () => number
  readonly #wakeup = new Wakeup()
  readonly #unsubscribe: () => void
  readonly #onGone: () => void
  #queue: Item[] = []
  #queued = 0
  #next = 0
  #lastSeq = -1
  #closed = false
  #disposed = false
  #lastPoll: number
  readonly #watch: NodeJS.Timeout

  /** `onGone` is called once the endpoint is done (closed, or the agent stopped polling). */
  constructor (id: string, o: { bus: Bus, limits: SessionLimits, now: () => number, onGone: () => void }) {
    this.#id = id
    this.#bus = o.bus
    this.#limits = o.limits
    this.#now = o.now
    this.#onGone = o.onGone
    this.#lastPoll = o.now()
    this.#unsubscribe = o.bus.subscribe(sessionSubjects(id).down, (p) => { this.#onDown(p) })
    this.#watch = setInterval(() => {
      if (!this.#closed && this.#now() - this.#lastPoll > this.#limits.agentPollGapMs) this.#end('the agent stopped polling')
    }, Math.max(1000, Math.floor(o.limits.agentPollGapMs / 4)))
    this.#watch.unref()
  }

  /** Relays one `/out` body up, unless its `seq` was relayed already. */
  out (body: SessionOut): void {
    if (body.seq <= this.#lastSeq || this.#closed) return
    this.#lastSeq = body.seq
    const up = sessionSubjects(this.#id).up
    for (const d of body.data) publishData(this.#bus, up, Buffer.from(d, 'base64'))
    for (const c of body.control) {
      if (c.t === 'resize') continue
      publishControl(this.#bus, up, c)
      if (c.t === 'exit' || c.t === 'closed') this.#finish()
    }
  }

  /** Answers a poll: what came after `after`, at once if any, else when something comes or `waitMs` passed. */
  async poll (after: number, waitMs: number, signal: AbortSignal): Promise<SessionIn> {
    this.#lastPoll = this.#now()
    this.#ack(after)
    const deadline = this.#now() + waitMs
    while (this.#queue.length === 0 && !this.#closed && !signal.aborted) {
      const left = deadline - this.#now()
      if (left <= 0) break
      await this.#wakeup.wait(left, signal)
    }
    this.#lastPoll = this.#now()
    const items = this.#queue
    const answer: SessionIn = {
      next: items.at(-1)?.n ?? after,
      data: items.flatMap(i => i.data === undefined ? [] : [i.data]),
      control: items.flatMap(i => i.control === undefined ? [] : [i.control]),
      closed: this.#closed
    }
    if (this.#closed) setTimeout(() => { this.#dispose() }, 0).unref()
    return answer
  }

  #ack (after: number): void {
    while (this.#queue.length > 0 && this.#queue[0]!.n <= after) this.#queued -= this.#queue.shift()!.size
  }

  #onDown (payload: unknown): void {
    const f = asFrame(payload)
    if (f === undefined || this.#closed) return
    if ('control' in f) {
      if (f.control.t === 'closed') {
        this.#push({ control: f.control, size: 64 })
        this.#finish()
        return
      }
      if (f.control.t !== 'resize') return
      this.#push({ control: f.control, size: 64 })
    } else {
      this.#push({ data: f.data, size: f.data.length })
    }
    if (this.#queued > this.#limits.agentQueueBytes) this.#end('input queued for the agent exceeded its bound')
  }

  #push (i: Omit<Item, 'n'>): void {
    this.#next++
    this.#queue.push({ ...i, n: this.#next })
    this.#queued += i.size
    this.#wakeup.notify()
  }

  /** Ends the session from this side: `closed` goes up; the owner answers with `closed` down. */
  #end (reason: string): void {
    if (this.#closed) return
    publishControl(this.#bus, sessionSubjects(this.#id).up, { t: 'closed', reason })
    this.#finish()
  }

  #finish (): void {
    this.#closed = true
    this.#wakeup.notify()
    // The agent's next poll learns `closed`; if it never comes, the endpoint goes anyway.
    setTimeout(() => { this.#dispose() }, this.#limits.agentPollGapMs).unref()
  }

  #dispose (): void {
    if (this.#disposed) return
    this.#disposed = true
    clearInterval(this.#watch)
    this.#unsubscribe()
    this.#onGone()
  }
}
