import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/** RFC 6238 parameters the hub uses (what authenticator apps assume): HMAC-SHA-1, 30 s steps, 6 digits. */
export const TOTP_STEP_MS = 30_000
export const TOTP_DIGITS = 6
/** Steps accepted either side of now, for clock drift between the phone and the hub. */
export const TOTP_WINDOW = 1
/** 20 bytes: the HMAC-SHA-1 block the RFC's reference secret uses. */
const SECRET_BYTES = 20

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

/** RFC 4648 base32 without padding, as `otpauth://` URIs carry secrets. */
export function base32Encode (bytes: Uint8Array): string {
  let out = ''
  let bits = 0
  let value = 0
  for (const b of bytes) {
    value = (value << 8) | b
    bits += 8
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31]
      bits -= 5
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31]
  return out
}

/** Decodes base32 (case-insensitive, padding and spaces ignored); throws on any other character. */
export function base32Decode (text: string): Buffer {
  const clean = text.replace(/[=\s]/g, '').toUpperCase()
  const out: number[] = []
  let bits = 0
  let value = 0
  for (const ch of clean) {
    const v = BASE32.indexOf(ch)
    if (v < 0) throw new RangeError('not a base32 string')
    value = ((value << 5) | v) & 0xffff
    bits += 5
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff)
      bits -= 8
    }
  }
  return Buffer.from(out)
}

/** A fresh random secret, base32. */
export function newTotpSecret (): string {
  return base32Encode(randomBytes(SECRET_BYTES))
}

/** The time step containing `timeMs`. */
export function totpStep (timeMs: number): number {
  return Math.floor(timeMs / TOTP_STEP_MS)
}

/** HOTP (RFC 4226) of `counter`: dynamic truncation of HMAC-SHA-1, `digits` decimal digits. */
export function hotp (secret: Uint8Array, counter: number, digits: number = TOTP_DIGITS): string {
  const msg = Buffer.alloc(8)
  msg.writeBigUInt64BE(BigInt(counter))
  const mac = createHmac('sha1', secret).update(msg).digest()
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits
  return code.toString().padStart(digits, '0')
}

/**
 * Checks `code` against the steps around `nowMs` (±`TOTP_WINDOW`) and returns the step it
 * matched, or null. Every candidate is compared, in constant time, so timing tells nothing about
 * which one matched. The caller must still refuse a step already used (`claimTotpStep`).
 */
export function matchTotp (secretBase32: string, code: string, nowMs: number): number | null {
  if (!/^[0-9]+$/.test(code) || code.length !== TOTP_DIGITS) return null
  const secret = base32Decode(secretBase32)
  const given = Buffer.from(code)
  const now = totpStep(nowMs)
  let matched: number | null = null
  for (let step = now - TOTP_WINDOW; step <= now + TOTP_WINDOW; step++) {
    if (timingSafeEqual(Buffer.from(hotp(secret, step)), given)) matched = step
  }
  return matched
}

/** The `otpauth://` URI an authenticator app reads (usually from a QR code). */
export function otpauthUri (issuer: string, account: string, secretBase32: string): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`
  const q = new URLSearchParams({ secret: secretBase32, issuer, algorithm: 'SHA1', digits: String(TOTP_DIGITS), period: String(TOTP_STEP_MS / 1000) })
  return `otpauth://totp/${label}?${q.toString()}`
}
