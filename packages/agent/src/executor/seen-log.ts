import fs from 'node:fs'
import { STATE_FILE_MODE, writeFileAtomic } from '../state/atomic-write.ts'
import { encodeFrame, scanFrames } from '../spool/frame-codec.ts'
import { AgentError, AgentErrorCode } from '../errors.ts'

/** Entries past this many are pruned of expired ids (and the file compacted) on the next add. */
const COMPACT_AT = 4096

/**
 * Persisted set of instruction ids already accepted, each kept until its expiry (plus skew) has
 * passed: after that the expiry check alone refuses a replay. Every add is fsynced before the
 * instruction runs, so a crash or restart cannot be used to run an instruction twice.
 */
export class SeenLog {
  readonly #file: string
  readonly #skewMs: number
  readonly #now: () => number
  readonly #seen = new Map<string, number>()
  #fd: number | undefined

  constructor (file: string, opts: { skewMs: number, now: () => number }) {
    this.#file = file
    this.#skewMs = opts.skewMs
    this.#now = opts.now
    if (fs.existsSync(file)) {
      const { frames } = scanFrames(fs.readFileSync(file))
      for (const f of frames) {
        const v = JSON.parse(f.payload.toString('utf8')) as { id?: unknown, exp?: unknown }
        if (typeof v.id === 'string' && typeof v.exp === 'number') this.#seen.set(v.id, v.exp)
      }
    }
    // Rewriting at open both prunes expired ids and cuts a torn tail.
    this.#compact()
    this.#fd = fs.openSync(file, 'a', STATE_FILE_MODE)
  }

  /** True when `id` was accepted before and has not aged out. */
  has (id: string): boolean {
    return this.#seen.has(id)
  }

  /** Records `id` durably. */
  add (id: string, expiresAt: number): void {
    if (this.#seen.size >= COMPACT_AT && this.#fd !== undefined) {
      fs.closeSync(this.#fd)
      this.#compact()
      this.#fd = fs.openSync(this.#file, 'a', STATE_FILE_MODE)
    }
    if (this.#fd === undefined) throw new AgentError(AgentErrorCode.State, 'seen-instruction log is closed')
    this.#seen.set(id, expiresAt)
    fs.writeSync(this.#fd, encodeFrame(Buffer.from(JSON.stringify({ id, exp: expiresAt }))))
    fs.fsyncSync(this.#fd)
  }

  /** Closes the file; calling it twice is harmless. */
  close (): void {
    if (this.#fd !== undefined) fs.closeSync(this.#fd)
    this.#fd = undefined
  }

  #compact (): void {
    const limit = this.#now() - this.#skewMs
    for (const [id, exp] of this.#seen) if (exp < limit) this.#seen.delete(id)
    const frames = [...this.#seen].map(([id, exp]) => encodeFrame(Buffer.from(JSON.stringify({ id, exp }))))
    writeFileAtomic(this.#file, Buffer.concat(frames))
  }
}
