import { open, type FileHandle } from 'node:fs/promises'
import { StringDecoder } from 'node:string_decoder'

/** A recording stops growing past this; the session goes on (the cut is noted in the file). */
export const MAX_RECORDING_BYTES = 256 * 1024 * 1024
/** Lines are written in batches at most this far apart. */
const FLUSH_MS = 200

/**
 * Writes an asciicast v2 file: a header line, then `[seconds, "o", text]` for output and
 * `[seconds, "r", "COLSxROWS"]` for resizes. Input is not recorded (it holds typed passwords).
 * Bytes are decoded as UTF-8 across chunk boundaries, so a character split between two chunks
 * is written whole. Appends are buffered and written by one chain of writes, in order.
 */
export class AsciicastRecorder {
  readonly #path: string
  readonly #startMs: number
  readonly #decoder = new StringDecoder('utf8')
  readonly #now: () => number
  #fh: Promise<FileHandle> | undefined
  #pending: string[] = []
  #timer: NodeJS.Timeout | undefined
  #writing: Promise<void> = Promise.resolve()
  #bytes = 0
  #cut = false
  #closed = false
  readonly #onError: (err: unknown) => void

  /** `onError` hears of a failed write once per failure; the recording is then incomplete. */
  constructor (path: string, header: { width: number, height: number, startMs: number }, now: () => number, onError: (err: unknown) => void) {
    this.#path = path
    this.#onError = onError
    this.#startMs = header.startMs
    this.#now = now
    this.#line(JSON.stringify({ version: 2, width: header.width, height: header.height, timestamp: Math.floor(header.startMs / 1000), env: { TERM: 'xterm-256color' } }))
  }

  /** Bytes written or queued so far. */
  get bytes (): number {
    return this.#bytes
  }

  /** Terminal output. */
  output (bytes: Uint8Array): void {
    const text = this.#decoder.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
    if (text !== '') this.#event('o', text)
  }

  resize (cols: number, rows: number): void {
    this.#event('r', `${cols}x${rows}`)
  }

  /** Writes what is left and closes the file; later calls do nothing. */
  async close (): Promise<void> {
    if (this.#closed) return this.#writing
    const rest = this.#decoder.end()
    if (rest !== '') this.#event('o', rest)
    this.#closed = true
    clearTimeout(this.#timer)
    this.#flush()
    const fh = this.#fh
    this.#chain(async () => { if (fh !== undefined) await (await fh).close() })
    return this.#writing
  }

  /** Resolves when everything queued so far is on disk (tests, the recording download). */
  async flushed (): Promise<void> {
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#flush()
    await this.#writing
  }

  #event (code: 'o' | 'r', data: string): void {
    if (this.#closed) return
    const seconds = Math.max(0, this.#now() - this.#startMs) / 1000
    this.#line(JSON.stringify([Number(seconds.toFixed(6)), code, data]))
  }

  #line (text: string): void {
    if (this.#cut) return
    const size = Buffer.byteLength(text) + 1
    if (this.#bytes + size > MAX_RECORDING_BYTES) {
      this.#cut = true
      const note = JSON.stringify([Math.max(0, this.#now() - this.#startMs) / 1000, 'o', '\r\n[outpost: recording size limit reached, not recorded further]\r\n']) + '\n'
      this.#pending.push(note)
      this.#bytes += Buffer.byteLength(note)
    } else {
      this.#pending.push(text + '\n')
      this.#bytes += size
    }
    this.#timer ??= setTimeout(() => { this.#timer = undefined; this.#flush() }, FLUSH_MS)
  }

  #flush (): void {
    if (this.#pending.length === 0) return
    const chunk = this.#pending.join('')
    this.#pending = []
    if (this.#fh === undefined) {
      this.#fh = open(this.#path, 'a', 0o600)
      // Reported by the write step that awaits it (through #chain); this only marks it handled meanwhile.
      this.#fh.catch(() => undefined)
    }
    const fh = this.#fh
    this.#chain(async () => { await (await fh).appendFile(chunk) })
  }

  /** Queues a file operation after the previous ones; a failure is reported, never left unhandled. */
  #chain (step: () => Promise<void>): void {
    this.#writing = this.#writing.then(step).catch((err: unknown) => { this.#onError(err) })
  }
}
