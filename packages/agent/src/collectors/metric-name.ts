import { createHash } from 'node:crypto'

/** The longest instance (text between the brackets) `MetricName` accepts. */
export const MAX_INSTANCE_LENGTH = 200
const HASHED_PREFIX_LENGTH = 183

// `%` must be escaped so that escapes stay reversible; `[` `]` are forbidden by `MetricName`;
// `*` is escaped so that the `[*]` wildcard of threshold rules can never be a real instance.
const MUST_ESCAPE = new Set(['%', '[', ']', '*'])

function escapeChar (ch: string): string {
  return [...Buffer.from(ch, 'utf8')].map((b) => '%' + b.toString(16).toUpperCase().padStart(2, '0')).join('')
}

/**
 * Encodes a raw instance (a mount point, device or interface name) for use between the brackets
 * of a metric name: `%`, `[`, `]`, `*` and control characters become `%XX` (UTF-8 bytes, upper
 * case hex). An encoded instance longer than 200 characters keeps its first 183 characters,
 * then `~` and the first 16 hex digits of the SHA-256 of the raw instance.
 */
export function encodeInstance (raw: string): string {
  if (raw.length === 0) throw new TypeError('metric instance must not be empty')
  let out = ''
  for (const ch of raw) {
    const code = ch.codePointAt(0) ?? 0
    out += MUST_ESCAPE.has(ch) || code < 0x20 || code === 0x7f ? escapeChar(ch) : ch
  }
  if (out.length <= MAX_INSTANCE_LENGTH) return out
  let head = ''
  for (const ch of out) {
    if (head.length + ch.length > HASHED_PREFIX_LENGTH) break
    head += ch
  }
  // Do not leave a truncated `%X` escape at the end.
  const cut = head.lastIndexOf('%')
  if (cut >= 0 && cut > head.length - 3) head = head.slice(0, cut)
  return head + '~' + createHash('sha256').update(raw).digest('hex').slice(0, 16)
}

/** Builds `base` or `base[instance]` with the instance encoded by `encodeInstance`. */
export function metricName (base: string, instance?: string): string {
  return instance === undefined ? base : `${base}[${encodeInstance(instance)}]`
}

/** Rounds to two decimals: percentages and rates need no more, and reports stay small. */
export function round2 (value: number): number {
  return Math.round(value * 100) / 100
}

/** Cuts `text` to at most `max` UTF-16 units without splitting a surrogate pair. */
export function clip (text: string, max: number): string {
  if (text.length <= max) return text
  let out = text.slice(0, max)
  const last = out.charCodeAt(out.length - 1)
  if (last >= 0xd800 && last <= 0xdbff) out = out.slice(0, -1)
  return out
}
