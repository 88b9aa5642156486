/** The header line of an asciicast v2 recording. */
export interface CastHeader {
  readonly width: number
  readonly height: number
  readonly timestamp?: number
}

/** One output event: seconds since the start, and the text written to the terminal. */
export interface CastFrame {
  readonly time: number
  readonly data: string
}

/** A parsed recording: only output (`o`) events are kept; input and markers are not replayed. */
export interface Cast {
  readonly header: CastHeader
  readonly frames: readonly CastFrame[]
  /** Seconds from the start to the last frame. */
  readonly duration: number
}

/**
 * Parses asciicast v2 (newline-delimited JSON: a header object, then `[time, code, data]`
 * events). Throws on a bad header; skips event lines that are not well formed, since a recording
 * cut short by a crash still plays up to where it ends.
 */
export function parseAsciicast (text: string): Cast {
  const lines = text.split('\n')
  let header: unknown
  try { header = JSON.parse(lines[0] ?? '') } catch (cause) { throw new Error('the recording has no asciicast header', { cause }) }
  if (typeof header !== 'object' || header === null) throw new Error('the recording has no asciicast header')
  const h = header as Record<string, unknown>
  if (h['version'] !== 2 || typeof h['width'] !== 'number' || typeof h['height'] !== 'number') throw new Error('the recording is not asciicast version 2')
  const frames: CastFrame[] = []
  for (const line of lines.slice(1)) {
    if (line.trim() === '') continue
    let ev: unknown
    try { ev = JSON.parse(line) } catch { continue }
    if (!Array.isArray(ev) || typeof ev[0] !== 'number' || ev[1] !== 'o' || typeof ev[2] !== 'string') continue
    frames.push({ time: Math.max(0, ev[0]), data: ev[2] })
  }
  frames.sort((a, b) => a.time - b.time)
  return {
    header: { width: h['width'], height: h['height'], ...(typeof h['timestamp'] === 'number' ? { timestamp: h['timestamp'] } : {}) },
    frames,
    duration: frames.at(-1)?.time ?? 0
  }
}

/** Index of the first frame after `time` (seconds), by binary search. */
export function frameIndexAt (frames: readonly CastFrame[], time: number): number {
  let lo = 0
  let hi = frames.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if ((frames[mid]?.time ?? 0) <= time) lo = mid + 1
    else hi = mid
  }
  return lo
}
