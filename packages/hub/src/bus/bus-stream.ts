import { Readable } from 'node:stream'
import { randomId } from '@outpost/protocol'
import { BusSubject, type Bus } from './bus.ts'
import { busError } from './bus-reply.ts'

/** Bytes per chunk message (base64 in JSON: about 87 KB, well under NATS's 1 MB default). */
export const STREAM_CHUNK_BYTES = 64 * 1024
/** Chunks the sender may have in flight beyond what the receiver's reader took (1 MiB). */
export const STREAM_WINDOW = 16
/** A side that hears nothing from the other for this long gives up (a replica died). */
export const STREAM_IDLE_MS = 30_000
/** The receiver repeats its credit this often, so that a sender held by backpressure knows it is alive. */
export const STREAM_PING_MS = 10_000

/** Timing of a stream; tests shorten it. */
export interface StreamTiming { readonly idleMs: number, readonly pingMs: number }
const DEFAULT_TIMING: StreamTiming = { idleMs: STREAM_IDLE_MS, pingMs: STREAM_PING_MS }

/** A fresh stream id (the subjects are `stream.<id>.data` and `stream.<id>.ctl`). */
export function newStreamId (): string {
  return randomId(16)
}

/**
 * The receiving end of a byte stream between replicas: `stream` yields the sender's bytes in
 * order, and credit for `STREAM_WINDOW` more chunks goes back only as the stream's reader takes
 * them, so a slow reader holds the sender (as a socket would). A lost chunk, the sender's error or
 * silence past `idleMs` while credit is out destroys the stream. `finish` tells the sender how
 * its bytes were used.
 */
export class BusStreamReader {
  readonly stream: Readable
  readonly #bus: Bus
  readonly #subject: string
  readonly #timing: StreamTiming
  readonly #unsubscribe: () => void
  #received = 0
  #granted = 0
  #started = false
  #ended = false
  #settled = false
  #idle: NodeJS.Timeout | undefined
  #ping: NodeJS.Timeout | undefined

  constructor (bus: Bus, id: string, timing: StreamTiming = DEFAULT_TIMING) {
    this.#bus = bus
    this.#subject = BusSubject.stream(id)
    this.#timing = timing
    this.stream = new Readable({ highWaterMark: STREAM_CHUNK_BYTES * 2, read: () => { this.#grant() } })
    this.stream.once('close', () => {
      if (!this.#ended) this.finish(busError('the stream\'s reader went away'))
    })
    this.#unsubscribe = bus.subscribe(`${this.#subject}.data`, (p) => { this.#onData(p) })
  }

  /** Sends the first credit: call once the sender listens for it. */
  start (): void {
    if (this.#started || this.#settled) return
    this.#started = true
    this.#ping = setInterval(() => { this.#bus.publish(`${this.#subject}.ctl`, { upTo: this.#granted }) }, this.#timing.pingMs)
    this.#ping.unref()
    this.#grant()
  }

  /**
   * Tells the sender the bytes were used (no `err`) or not, and stops listening; the stream, if
   * still open, is destroyed quietly (its reader is the one giving up).
   */
  finish (err?: Error): void {
    if (this.#settled) return
    this.#settled = true
    this.#bus.publish(`${this.#subject}.ctl`, err === undefined ? { done: true } : { abort: err.message })
    this.#stop()
    if (err !== undefined && !this.stream.destroyed) this.stream.destroy()
  }

  /** The stream broke on this side: its reader gets `err`, the sender an abort. */
  #fail (err: Error): void {
    if (this.#settled) return
    this.stream.destroy(err)
    this.finish(err)
  }

  #grant (): void {
    if (!this.#started || this.#settled || this.#ended) return
    const upTo = this.#received + STREAM_WINDOW
    if (upTo > this.#granted) {
      this.#granted = upTo
      this.#bus.publish(`${this.#subject}.ctl`, { upTo })
    }
    this.#armIdle()
  }

  #onData (payload: unknown): void {
    if (this.#settled || this.#ended) return
    const m = payload as { n?: unknown, b?: unknown, end?: unknown, error?: unknown }
    if (typeof m !== 'object' || m === null || m.n !== this.#received + 1) {
      this.#fail(busError('the stream lost a chunk on the bus'))
      return
    }
    this.#received++
    if (typeof m.error === 'string') {
      this.#fail(busError(`the sending replica failed: ${m.error}`))
    } else if (m.end === true) {
      this.#ended = true
      clearTimeout(this.#idle)
      this.stream.push(null)
    } else if (typeof m.b === 'string') {
      this.stream.push(Buffer.from(m.b, 'base64'))
      this.#armIdle()
    } else {
      this.#fail(busError('unexpected message on a bus stream'))
    }
  }

  /** Silence counts only while the sender holds credit it has not used. */
  #armIdle (): void {
    clearTimeout(this.#idle)
    if (this.#granted <= this.#received || this.#ended || this.#settled) return
    this.#idle = setTimeout(() => { this.#fail(busError('the sending replica went silent')) }, this.#timing.idleMs)
    this.#idle.unref()
  }

  #stop (): void {
    clearTimeout(this.#idle)
    clearInterval(this.#ping)
    this.#unsubscribe()
  }
}

/**
 * The sending end: listens for credit from construction on (construct it before the receiver
 * can start), then `pump` sends a source in chunks as credit allows and resolves when the
 * receiver says its bytes were used; it rejects when the receiver aborts or goes silent.
 */
export class BusStreamWriter {
  readonly #bus: Bus
  readonly #subject: string
  readonly #timing: StreamTiming
  readonly #unsubscribe: () => void
  #upTo = 0
  #sent = 0
  #outcome: { done: true } | { error: Error } | undefined
  #wake: (() => void) | undefined
  #idle: NodeJS.Timeout | undefined

  constructor (bus: Bus, id: string, timing: StreamTiming = DEFAULT_TIMING) {
    this.#bus = bus
    this.#subject = BusSubject.stream(id)
    this.#timing = timing
    this.#unsubscribe = bus.subscribe(`${this.#subject}.ctl`, (p) => { this.#onCtl(p) })
    this.#armIdle()
  }

  /** Sends `source`; see the class. The source is destroyed when the receiver gives up. */
  async pump (source: AsyncIterable<Uint8Array>): Promise<void> {
    try {
      for await (const chunk of source) {
        for (let off = 0; off < chunk.length; off += STREAM_CHUNK_BYTES) {
          await this.#until(() => this.#upTo > this.#sent)
          this.#send({ b: Buffer.from(chunk.buffer, chunk.byteOffset + off, Math.min(STREAM_CHUNK_BYTES, chunk.length - off)).toString('base64') })
        }
      }
      this.#send({ end: true })
      await this.#until(() => false)
    } catch (err) {
      if (this.#outcome === undefined) this.#send({ error: err instanceof Error ? err.message : String(err) })
      if (this.#outcome !== undefined && 'done' in this.#outcome) return
      throw err
    } finally {
      clearTimeout(this.#idle)
      this.#unsubscribe()
    }
  }

  /** Stops listening without sending anything (the receiver never came). */
  cancel (): void {
    clearTimeout(this.#idle)
    this.#unsubscribe()
  }

  #send (m: { b?: string, end?: true, error?: string }): void {
    this.#sent++
    this.#bus.publish(`${this.#subject}.data`, { n: this.#sent, ...m })
  }

  /** Resolves once `ready()` holds; rejects on the receiver's abort or silence; returns on its `done`. */
  async #until (ready: () => boolean): Promise<void> {
    for (;;) {
      if (this.#outcome !== undefined) {
        if ('error' in this.#outcome) throw this.#outcome.error
        return
      }
      if (ready()) return
      await new Promise<void>((resolve) => { this.#wake = resolve })
    }
  }

  #onCtl (payload: unknown): void {
    const m = payload as { upTo?: unknown, done?: unknown, abort?: unknown }
    if (typeof m !== 'object' || m === null || this.#outcome !== undefined) return
    this.#armIdle()
    if (typeof m.upTo === 'number') this.#upTo = Math.max(this.#upTo, m.upTo)
    else if (m.done === true) this.#outcome = { done: true }
    else if (typeof m.abort === 'string') this.#outcome = { error: busError(`the receiving replica gave up: ${m.abort}`) }
    this.#wake?.()
  }

  #armIdle (): void {
    clearTimeout(this.#idle)
    this.#idle = setTimeout(() => {
      this.#outcome ??= { error: busError('the receiving replica went silent') }
      this.#wake?.()
    }, this.#timing.idleMs)
    this.#idle.unref()
  }
}
