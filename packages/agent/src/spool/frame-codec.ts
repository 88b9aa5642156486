import { crc32 } from 'node:zlib'

/** Bytes before each payload: u32 length, u32 CRC-32 of the payload (big-endian). */
export const FRAME_HEADER_BYTES = 8
/** Largest payload accepted when reading; a bigger length field means a damaged header. */
export const MAX_FRAME_PAYLOAD_BYTES = 64 * 1024 * 1024

/** Frames one record: length + checksum + payload, so a torn or damaged tail is detectable. */
export function encodeFrame (payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length)
  frame.writeUInt32BE(payload.length, 0)
  frame.writeUInt32BE(crc32(payload), 4)
  frame.set(payload, FRAME_HEADER_BYTES)
  return frame
}

/** One intact frame found by `scanFrames`. */
export interface ScannedFrame {
  /** Offset of the frame header in the file. */
  readonly offset: number
  readonly payload: Buffer
}

/**
 * Reads frames from the start of `buf` and stops at the first one that is short, oversized or
 * fails its checksum. `validBytes` is where the intact prefix ends: everything after it is a torn
 * write (or damage) and is cut off by the caller.
 */
export function scanFrames (buf: Buffer): { frames: ScannedFrame[], validBytes: number } {
  const frames: ScannedFrame[] = []
  let off = 0
  while (off + FRAME_HEADER_BYTES <= buf.length) {
    const len = buf.readUInt32BE(off)
    if (len > MAX_FRAME_PAYLOAD_BYTES || off + FRAME_HEADER_BYTES + len > buf.length) break
    const payload = buf.subarray(off + FRAME_HEADER_BYTES, off + FRAME_HEADER_BYTES + len)
    if (crc32(payload) !== buf.readUInt32BE(off + 4)) break
    frames.push({ offset: off, payload })
    off += FRAME_HEADER_BYTES + len
  }
  return { frames, validBytes: off }
}
