import { test } from 'node:test'
import assert from 'node:assert/strict'
import { base32Decode, base32Encode, hotp, matchTotp, newTotpSecret, otpauthUri, totpStep } from '../src/auth/totp.ts'

// RFC 6238 appendix B, SHA-1 rows: the reference secret is the ASCII string "12345678901234567890".
const RFC_SECRET = Buffer.from('12345678901234567890', 'ascii')
const RFC_VECTORS: ReadonlyArray<[number, string]> = [
  [59, '94287082'], [1111111109, '07081804'], [1111111111, '14050471'],
  [1234567890, '89005924'], [2000000000, '69279037'], [20000000000, '65353130']
]

test('TOTP: the RFC 6238 SHA-1 test vectors (8 digits), and their 6-digit truncations', () => {
  for (const [seconds, code] of RFC_VECTORS) {
    assert.equal(hotp(RFC_SECRET, totpStep(seconds * 1000), 8), code, `T=${seconds}`)
    assert.equal(hotp(RFC_SECRET, totpStep(seconds * 1000)), code.slice(2), `T=${seconds}, 6 digits`)
  }
})

test('TOTP: RFC 4226 HOTP vectors (counter 0..9)', () => {
  const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489']
  expected.forEach((code, counter) => { assert.equal(hotp(RFC_SECRET, counter), code) })
})

test('TOTP: base32 round-trips (RFC 4648 vectors) and refuses foreign characters', () => {
  assert.equal(base32Encode(Buffer.from('foobar')), 'MZXW6YTBOI')
  assert.equal(base32Encode(Buffer.from('f')), 'MY')
  assert.equal(base32Decode('MZXW6YTBOI======').toString(), 'foobar')
  assert.equal(base32Decode('mzxw 6ytb oi').toString(), 'foobar')
  assert.throws(() => base32Decode('MZXW1'), RangeError)
  const secret = newTotpSecret()
  assert.match(secret, /^[A-Z2-7]{32}$/)
  assert.equal(base32Decode(secret).length, 20)
})

test('TOTP: a code matches within one step either side, not two, and returns its step', () => {
  const secret = base32Encode(RFC_SECRET)
  const now = 1234567890_000
  const step = totpStep(now)
  for (const d of [-1, 0, 1]) assert.equal(matchTotp(secret, hotp(RFC_SECRET, step + d), now), step + d)
  for (const d of [-2, 2]) assert.equal(matchTotp(secret, hotp(RFC_SECRET, step + d), now), null)
  assert.equal(matchTotp(secret, '12345', now), null)
  assert.equal(matchTotp(secret, '１２３４５６', now), null, 'non-ASCII digits')
})

test('TOTP: the otpauth URI carries secret, issuer and parameters', () => {
  const uri = new URL(otpauthUri('Outpost', 'alice', 'ABCDEFGH'))
  assert.equal(uri.protocol, 'otpauth:')
  assert.equal(uri.searchParams.get('secret'), 'ABCDEFGH')
  assert.equal(uri.searchParams.get('issuer'), 'Outpost')
  assert.equal(uri.searchParams.get('digits'), '6')
  assert.equal(uri.searchParams.get('period'), '30')
  assert.ok(uri.href.startsWith('otpauth://totp/Outpost:alice?'))
})
