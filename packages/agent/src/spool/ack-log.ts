import fs from 'node:fs'
import { writeFileAtomic, STATE_FILE_MODE } from '../state/atomic-write.ts'
import { encodeFrame, scanFrames } from './frame-codec.ts'

/**
 * The sequence numbers that left the spool (acknowledged by the hub, or dropped) while their
 * segment file still exists. Appends are NOT fsynced: losing the tail in a crash only means those
 * messages are sent again, and the hub de-duplicates by (agent, seq).
 */
export class AckLog {
  readonly #file: string
  #fd: number | undefined

  /** Opens (or creates) the log; returns it with the seqs it holds. A torn tail is ignored and cut. */
  static open (file: string): { log: AckLog, seqs: Set<number> } {
    const seqs = new Set<number>()
    if (fs.existsSync(file)) {
      const buf = fs.readFileSync(file)
      const { frames, validBytes } = scanFrames(buf)
      for (const f of frames) {
        const arr: unknown = JSON.parse(f.payload.toString('utf8'))
        if (Array.isArray(arr)) for (const s of arr) if (Number.isSafeInteger(s)) seqs.add(s as number)
      }
      if (validBytes < buf.length) fs.truncateSync(file, validBytes)
    }
    return { log: new AckLog(file), seqs }
  }

  private constructor (file: string) {
    this.#file = file
    this.#fd = fs.openSync(file, 'a', STATE_FILE_MODE)
  }

  /** Records seqs as gone. */
  append (seqs: readonly number[]): void {
    if (seqs.length === 0 || this.#fd === undefined) return
    fs.writeSync(this.#fd, encodeFrame(Buffer.from(JSON.stringify(seqs))))
  }

  /** Replaces the log with exactly `seqs` (after segments were deleted), atomically. */
  rewrite (seqs: readonly number[]): void {
    if (this.#fd !== undefined) fs.closeSync(this.#fd)
    writeFileAtomic(this.#file, seqs.length === 0 ? Buffer.alloc(0) : encodeFrame(Buffer.from(JSON.stringify(seqs))))
    this.#fd = fs.openSync(this.#file, 'a', STATE_FILE_MODE)
  }

  /** Closes the file; calling it twice is harmless. */
  close (): void {
    if (this.#fd !== undefined) fs.closeSync(this.#fd)
    this.#fd = undefined
  }
}
