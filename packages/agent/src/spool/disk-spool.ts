import fs from 'node:fs'
import path from 'node:path'
import { isValid, validate, SpooledMessage, type ReportMessage, type ResultMessage } from '@outpost/protocol'
import { AgentError, AgentErrorCode } from '../errors.ts'
import { ensurePrivateDir, fsyncDir, writeFileAtomic, STATE_FILE_MODE } from '../state/atomic-write.ts'
import { AckLog } from './ack-log.ts'
import { encodeFrame, scanFrames, FRAME_HEADER_BYTES } from './frame-codec.ts'

/** A message before the spool numbers it. */
export type UnsequencedMessage = Omit<ReportMessage, 'seq'> | Omit<ResultMessage, 'seq'>

/** Why messages left the spool without an acknowledgement. */
export interface SpoolDrop {
  readonly reason: 'age' | 'bytes' | 'corrupt'
  readonly count: number
  readonly firstSeq: number
  readonly lastSeq: number
}

/** Spool bounds and hooks. */
export interface DiskSpoolOptions {
  /** Entries older than this (by their `time`) are dropped, oldest first. */
  readonly maxAgeMs: number
  /** Total size of the segment files; the oldest segment goes first when a write would pass it. */
  readonly maxBytes: number
  readonly now?: () => number
  /** Told about every drop, so the agent can log it and say so in an event. */
  readonly onDrop?: (d: SpoolDrop) => void
  /** Told when a torn tail was cut at open. */
  readonly onRepair?: (file: string, keptBytes: number, cutBytes: number) => void
}

interface Segment { readonly file: string, size: number, live: number, readonly acked: number[] }
interface Entry { readonly seq: number, readonly time: number, readonly seg: Segment, readonly offset: number, readonly length: number }

const SEQ_FILE = 'seq.json'
const ACK_FILE = 'acked.log'
const SEGMENT_RE = /^seg-(\d{16})\.log$/

/**
 * The bounded on-disk spool of unacknowledged messages. It assigns the strictly increasing `seq`,
 * keeps messages in append-only segment files framed with length + CRC, hands them out oldest
 * first, and forgets a message only when the hub's reply lists its seq (or a bound drops it).
 */
export class DiskSpool {
  readonly #dir: string
  readonly #opts: DiskSpoolOptions
  readonly #segmentBytes: number
  readonly #segments: Segment[] = []
  /** Live entries in seq order (a Map iterates in insertion order, and seqs are appended in order). */
  readonly #live = new Map<number, Entry>()
  readonly #acks: AckLog
  #fd: number | undefined
  #lastSeq = 0

  /** Opens the spool in `dir`, repairing a torn tail, and restores the seq counter. */
  constructor (dir: string, opts: DiskSpoolOptions) {
    this.#dir = dir
    this.#opts = opts
    this.#segmentBytes = Math.max(16 * 1024, Math.floor(opts.maxBytes / 8))
    ensurePrivateDir(dir)
    const seqFile = path.join(dir, SEQ_FILE)
    if (fs.existsSync(seqFile)) {
      const v: unknown = JSON.parse(fs.readFileSync(seqFile, 'utf8'))
      const last = (v as { lastSeq?: unknown } | null)?.lastSeq
      if (!Number.isSafeInteger(last)) throw new AgentError(AgentErrorCode.State, `${seqFile} is damaged`)
      this.#lastSeq = last as number
    }
    const { log, seqs: gone } = AckLog.open(path.join(dir, ACK_FILE))
    this.#acks = log
    const names = fs.readdirSync(dir).filter((n) => SEGMENT_RE.test(n)).sort()
    for (const name of names) this.#load(path.join(dir, name), gone)
    for (const seg of [...this.#segments]) if (seg.live === 0) this.#deleteSegment(seg)
    this.#rewriteAcks()
  }

  #load (file: string, gone: ReadonlySet<number>): void {
    const buf = fs.readFileSync(file)
    const { frames, validBytes } = scanFrames(buf)
    if (validBytes < buf.length) {
      // A torn write (crash mid-append): the frames before it are intact, the rest never returned.
      fs.truncateSync(file, validBytes)
      this.#opts.onRepair?.(file, validBytes, buf.length - validBytes)
    }
    const seg: Segment = { file, size: validBytes, live: 0, acked: [] }
    this.#segments.push(seg)
    for (const f of frames) {
      let msg: unknown
      try {
        msg = JSON.parse(f.payload.toString('utf8'))
      } catch {
        // The checksum matched, so this is a bug, not a torn write; skip it rather than wedge the spool.
        continue
      }
      if (!isValid(SpooledMessage, msg)) continue
      if (msg.seq > this.#lastSeq) this.#lastSeq = msg.seq
      if (gone.has(msg.seq)) {
        seg.acked.push(msg.seq)
        continue
      }
      seg.live++
      this.#live.set(msg.seq, { seq: msg.seq, time: msg.time, seg, offset: f.offset + FRAME_HEADER_BYTES, length: f.payload.length })
    }
  }

  /** Number of unacknowledged messages. */
  get size (): number {
    return this.#live.size
  }

  /** Bytes on disk in segment files. */
  get bytes (): number {
    return this.#segments.reduce((n, s) => n + s.size, 0)
  }

  /** The last seq handed out (0 before the first). */
  get lastSeq (): number {
    return this.#lastSeq
  }

  /**
   * Numbers `msg`, writes it and fsyncs before returning. Durability before return is what lets
   * the seq counter survive a power cut: without the fsync a restart could hand out a seq the hub
   * already stored, and the hub would discard the new message as a duplicate. One fsync per
   * report/result (a few per minute) costs nothing next to that.
   */
  append (msg: UnsequencedMessage): SpooledMessage {
    // Validated here so that a bug upstream fails loudly instead of wedging the sender later.
    const full = validate(SpooledMessage, { ...msg, seq: this.#lastSeq + 1 }, 'spooled message')
    const frame = encodeFrame(Buffer.from(JSON.stringify(full)))
    if (frame.length > this.#opts.maxBytes) {
      throw new AgentError(AgentErrorCode.SpoolFull, `message of ${frame.length} bytes exceeds the spool limit of ${this.#opts.maxBytes} bytes`)
    }
    this.pruneByAge()
    let active = this.#active()
    if (active !== undefined && active.size > 0 && active.size + frame.length > this.#segmentBytes) active = this.#roll(full.seq)
    while (this.bytes + frame.length > this.#opts.maxBytes && this.#segments.length > 0) {
      if (this.#segments[0] === this.#active()) this.#roll(full.seq)
      this.#dropSegment(this.#segments[0]!, 'bytes')
    }
    active = this.#active() ?? this.#roll(full.seq)
    fs.writeSync(this.#fd!, frame, 0, frame.length, active.size)
    fs.fsyncSync(this.#fd!)
    this.#live.set(full.seq, { seq: full.seq, time: full.time, seg: active, offset: active.size + FRAME_HEADER_BYTES, length: frame.length - FRAME_HEADER_BYTES })
    active.size += frame.length
    active.live++
    this.#lastSeq = full.seq
    return full
  }

  /** Up to `max` unacknowledged messages, oldest first. */
  peek (max: number): SpooledMessage[] {
    const out: SpooledMessage[] = []
    const corrupt: Entry[] = []
    for (const e of this.#live.values()) {
      if (out.length >= max) break
      const buf = Buffer.allocUnsafe(e.length)
      const fd = fs.openSync(e.seg.file, 'r')
      try {
        fs.readSync(fd, buf, 0, e.length, e.offset)
      } finally {
        fs.closeSync(fd)
      }
      let msg: unknown
      try {
        msg = JSON.parse(buf.toString('utf8'))
      } catch {
        // Damaged after it was written (it passed its checksum at open): dropped and reported below.
        msg = undefined
      }
      if (isValid(SpooledMessage, msg) && msg.seq === e.seq) out.push(msg)
      else corrupt.push(e)
    }
    if (corrupt.length > 0) this.#drop(corrupt, 'corrupt')
    return out
  }

  /** Forgets the listed seqs (the hub committed them); unknown seqs are ignored. */
  ack (seqs: readonly number[]): number {
    const done = seqs.map((s) => this.#live.get(s)).filter((e): e is Entry => e !== undefined)
    this.#remove(done)
    return done.length
  }

  /** Drops entries older than `maxAgeMs`, oldest first, and reports it. */
  pruneByAge (): void {
    const limit = (this.#opts.now?.() ?? Date.now()) - this.#opts.maxAgeMs
    const old: Entry[] = []
    for (const e of this.#live.values()) {
      if (e.time >= limit) break
      old.push(e)
    }
    if (old.length > 0) this.#drop(old, 'age')
  }

  close (): void {
    if (this.#fd !== undefined) fs.closeSync(this.#fd)
    this.#fd = undefined
    this.#acks.close()
  }

  #drop (entries: Entry[], reason: SpoolDrop['reason']): void {
    this.#remove(entries)
    this.#opts.onDrop?.({ reason, count: entries.length, firstSeq: entries[0]!.seq, lastSeq: entries[entries.length - 1]!.seq })
  }

  #remove (entries: readonly Entry[]): void {
    if (entries.length === 0) return
    for (const e of entries) {
      this.#live.delete(e.seq)
      e.seg.live--
      e.seg.acked.push(e.seq)
    }
    this.#acks.append(entries.map((e) => e.seq))
    // A just-rolled, still empty active segment stays: the append that rolled it is about to write.
    const empty = this.#segments.filter((s) => s.live === 0 && (s.size > 0 || s !== this.#active()))
    if (empty.length === 0) return
    for (const s of empty) this.#deleteSegment(s)
    this.#rewriteAcks()
  }

  #dropSegment (seg: Segment, reason: SpoolDrop['reason']): void {
    const entries = [...this.#live.values()].filter((e) => e.seg === seg)
    if (entries.length > 0) this.#drop(entries, reason)
    if (this.#segments.includes(seg)) {
      this.#deleteSegment(seg)
      this.#rewriteAcks()
    }
  }

  #active (): Segment | undefined {
    return this.#fd === undefined ? undefined : this.#segments[this.#segments.length - 1]
  }

  #roll (firstSeq: number): Segment {
    if (this.#fd !== undefined) fs.closeSync(this.#fd)
    const file = path.join(this.#dir, `seg-${String(firstSeq).padStart(16, '0')}.log`)
    this.#fd = fs.openSync(file, 'w', STATE_FILE_MODE)
    fsyncDir(this.#dir)
    const seg: Segment = { file, size: 0, live: 0, acked: [] }
    this.#segments.push(seg)
    return seg
  }

  #deleteSegment (seg: Segment): void {
    // Persist the counter first: this segment may hold the highest seq ever handed out.
    writeFileAtomic(path.join(this.#dir, SEQ_FILE), JSON.stringify({ lastSeq: this.#lastSeq }))
    if (seg === this.#active()) {
      fs.closeSync(this.#fd!)
      this.#fd = undefined
    }
    fs.rmSync(seg.file, { force: true })
    this.#segments.splice(this.#segments.indexOf(seg), 1)
  }

  #rewriteAcks (): void {
    this.#acks.rewrite(this.#segments.flatMap((s) => s.acked))
  }
}
