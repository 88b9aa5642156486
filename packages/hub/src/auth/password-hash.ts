import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'

/** scrypt cost: N = 2^15, r = 8 (32 MiB of memory per hash), p = 1. */
const PARAMS = { N: 32768, r: 8, p: 1 } as const
const KEY_LEN = 32
const MAXMEM = 64 * 1024 * 1024

function derive (password: string, salt: Buffer, o: { N: number, r: number, p: number }): Promise<Buffer> {
  const options: ScryptOptions = { N: o.N, r: o.r, p: o.p, maxmem: MAXMEM }
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_LEN, options, (err, key) => { if (err === null) resolve(key); else reject(err) })
  })
}

/** Hashes a password with scrypt and a random salt: `scrypt$N$r$p$salt$hash` (base64url). */
export async function hashPassword (password: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await derive(password, salt, PARAMS)
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$')
}

/** Checks a password against a stored hash in constant time; a malformed hash never matches. */
export async function verifyPassword (password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$')
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false
  const [N, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])]
  if (![N, r, p].every(Number.isSafeInteger) || N > 1 << 20 || r > 32 || p > 16) return false
  const expected = Buffer.from(parts[5] ?? '', 'base64url')
  if (expected.length !== KEY_LEN) return false
  const actual = await derive(password, Buffer.from(parts[4] ?? '', 'base64url'), { N, r, p })
  return timingSafeEqual(actual, expected)
}
