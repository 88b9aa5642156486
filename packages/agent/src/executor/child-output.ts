/**
 * Pieces shared by every child process the agent runs (`exec`, system tools): output kept up to a
 * cap, and signals to a whole process group.
 */

/** Output kept up to `cap` bytes; the rest is read and dropped (never buffered) and `truncated` set. */
export class CappedBuffer {
  readonly #chunks: Buffer[] = []
  readonly #cap: number
  #size = 0
  truncated = false

  constructor (cap: number) {
    this.#cap = cap
  }

  push (c: Buffer): void {
    const room = this.#cap - this.#size
    if (c.length > room) this.truncated = true
    if (room <= 0) return
    const part = c.length > room ? c.subarray(0, room) : c
    this.#chunks.push(part)
    this.#size += part.length
  }

  text (): string {
    return Buffer.concat(this.#chunks).toString('utf8')
  }
}

/** Sends `sig` to the process group led by `pid` (spawned `detached`); a group already gone is fine. */
export function signalProcessGroup (pid: number | undefined, sig: NodeJS.Signals): void {
  if (pid === undefined) return
  try {
    process.kill(-pid, sig)
  } catch (e) {
    // ESRCH: the group is gone already, which is what we wanted.
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e
  }
}
