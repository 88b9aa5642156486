import { StringDecoder } from 'node:string_decoder'
import type { Logger } from 'pino'
import { commandOutputPath, type CommandOutputChunk } from '@outpost/protocol'
import { httpsPost } from '../transport/https-post.ts'
import { hubUrl, signedHeaders, type HubLink } from '../transport/hub-link.ts'

/** At most one POST this often: ≤ 4 a second per running command, whatever the tool prints. */
export const OUTPUT_FLUSH_MS = 250
/** Characters in one chunk (well under the schema's 256 KiB). */
export const MAX_CHUNK_CHARS = 64 * 1024
/** Output waiting to be posted; past this it is dropped from the live view (the result keeps it). */
export const MAX_PENDING_CHARS = 1024 * 1024
const POST_TIMEOUT_MS = 10_000
/** `close` waits this long at most for the last chunks: the result must not wait on a slow hub. */
const CLOSE_WAIT_MS = 5000

interface Piece { stream: CommandOutputChunk['stream'], data: string }

/**
 * Streams a running command's output to the hub (`POST /agent/v1/commands/:id/output`, signed),
 * coalesced to one POST per `OUTPUT_FLUSH_MS`, one at a time, in order. Best effort: a failed
 * POST is logged and never fails the command, whose result carries the whole output anyway.
 */
export class OutputStream {
  readonly #link: HubLink
  readonly #commandId: string
  readonly #logger: Logger | undefined
  readonly #decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') }
  readonly #pending: Piece[] = []
  #pendingChars = 0
  #dropped = 0
  #seq = 0
  #lastPostAt = 0
  #timer: NodeJS.Timeout | undefined
  #posting: Promise<void> = Promise.resolve()
  /** Set once the hub refused a chunk (command unknown or finished): nothing more is sent. */
  #refused = false
  #closed = false

  /** Lazy: output of a command that ends before the first flush is not sent at all (see `close`). */
  readonly #lazy: boolean

  constructor (link: HubLink, commandId: string, logger: Logger | undefined, opts: { lazy?: boolean } = {}) {
    this.#link = link
    this.#commandId = commandId
    this.#logger = logger
    this.#lazy = opts.lazy ?? false
  }

  /** Adds raw output; it goes out with the next flush. */
  write (stream: Piece['stream'], bytes: Buffer): void {
    if (this.#closed || this.#refused) return
    const data = this.#decoders[stream].write(bytes)
    this.#add(stream, data)
  }

  /** Sends what is left and waits for it (bounded); call before the result is returned. */
  async close (): Promise<void> {
    if (this.#closed) return
    for (const stream of ['stdout', 'stderr'] as const) this.#add(stream, this.#decoders[stream].end())
    this.#closed = true
    clearTimeout(this.#timer)
    this.#timer = undefined
    // Nobody watched a quick command live: its result follows at once, a POST would only delay it.
    if (this.#lazy && this.#seq === 0) return
    const drained = (async () => {
      await this.#posting
      while (this.#pending.length > 0 && !this.#refused) await this.#flush()
    })()
    let timer: NodeJS.Timeout | undefined
    await Promise.race([drained, new Promise((resolve) => { timer = setTimeout(resolve, CLOSE_WAIT_MS) })])
    clearTimeout(timer)
  }

  #add (stream: Piece['stream'], data: string): void {
    if (data === '') return
    if (this.#pendingChars + data.length > MAX_PENDING_CHARS) {
      this.#dropped += data.length
      return
    }
    if (this.#dropped > 0) {
      this.#push('stderr', `\n[outpost: ${this.#dropped} characters of output not streamed; the result has them]\n`)
      this.#dropped = 0
    }
    this.#push(stream, data)
    this.#schedule()
  }

  /** Arms the next flush unless one is armed; re-armed after each POST while output waits. */
  #schedule (): void {
    if (this.#timer !== undefined || this.#closed || this.#pending.length === 0) return
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      void this.#flush().then(() => { this.#schedule() })
    }, OUTPUT_FLUSH_MS)
  }

  #push (stream: Piece['stream'], data: string): void {
    const last = this.#pending.at(-1)
    if (last?.stream === stream) last.data += data
    else this.#pending.push({ stream, data })
    this.#pendingChars += data.length
  }

  /** Posts the oldest run of one stream (≤ `MAX_CHUNK_CHARS`), after the previous POST ended. */
  #flush (): Promise<void> {
    this.#posting = this.#posting.then(async () => {
      // One POST per interval, also for what is left at close.
      const wait = this.#lastPostAt + OUTPUT_FLUSH_MS - Date.now()
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
      const head = this.#pending[0]
      if (head === undefined || this.#refused) return
      const data = head.data.slice(0, MAX_CHUNK_CHARS)
      head.data = head.data.slice(data.length)
      if (head.data === '') this.#pending.shift()
      this.#pendingChars -= data.length
      this.#lastPostAt = Date.now()
      await this.#post({ seq: this.#seq++, stream: head.stream, data })
    })
    return this.#posting
  }

  async #post (chunk: CommandOutputChunk): Promise<void> {
    const url = hubUrl(this.#link.hubUrl, commandOutputPath(this.#commandId))
    const body = Buffer.from(JSON.stringify(chunk))
    const headers = signedHeaders(this.#link, 'POST', url.pathname, body)
    try {
      const answer = await httpsPost(url, body, { agent: this.#link.agent, headers, timeoutMs: POST_TIMEOUT_MS })
      if (answer.statusCode >= 200 && answer.statusCode < 300) return
      // 4xx: the hub will not take this command's output (unknown, not ours, finished); stop trying.
      if (answer.statusCode >= 400 && answer.statusCode < 500) this.#refused = true
      this.#logger?.info({ instructionId: this.#commandId, statusCode: answer.statusCode, body: answer.body.toString('utf8').slice(0, 200) }, 'hub did not take streamed output')
    } catch (err) {
      this.#logger?.info({ err, instructionId: this.#commandId }, 'streaming output to the hub failed (the result still carries it)')
    }
  }
}

/** An `OutputStream` for the operation, or undefined when the agent has no HTTPS link to the hub. */
export function outputStreamFor (link: HubLink | undefined, commandId: string, logger: Logger | undefined, opts: { lazy?: boolean } = {}): OutputStream | undefined {
  return link === undefined ? undefined : new OutputStream(link, commandId, logger, opts)
}
