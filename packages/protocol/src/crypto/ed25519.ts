import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, verify, createHash, type KeyObject } from 'node:crypto'

/** An Ed25519 key pair; the public half travels as base64url of its 32 raw bytes. */
export interface SigningKeyPair {
  readonly publicKey: string
  readonly privateKey: KeyObject
}

/** Makes a new Ed25519 key pair. */
export function generateSigningKeyPair (): SigningKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519')
  return { publicKey: exportPublicKey(publicKey), privateKey }
}

/** Raw public key as base64url (43 characters). */
export function exportPublicKey (key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' })
  if (typeof jwk.x !== 'string') throw new TypeError('not an Ed25519 key')
  return jwk.x
}

/** Imports a base64url raw Ed25519 public key; throws on anything else. */
export function importPublicKey (raw: string): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw }, format: 'jwk' })
}

/** PKCS#8 PEM of a private key, for storing it in a file or row. */
export function exportPrivateKeyPem (key: KeyObject): string {
  return key.export({ format: 'pem', type: 'pkcs8' }).toString()
}

/** Reads a PKCS#8 PEM private key and derives its public half. */
export function importPrivateKeyPem (pem: string): SigningKeyPair {
  const privateKey = createPrivateKey(pem)
  return { privateKey, publicKey: exportPublicKey(createPublicKey(privateKey)) }
}

/** Signs bytes or text; returns base64url. */
export function signBytes (privateKey: KeyObject, data: string | Uint8Array): string {
  return sign(null, typeof data === 'string' ? Buffer.from(data) : data, privateKey).toString('base64url')
}

/** Verifies a base64url signature; a malformed key or signature is simply `false`. */
export function verifyBytes (publicKey: KeyObject | string, data: string | Uint8Array, signature: string): boolean {
  try {
    const key = typeof publicKey === 'string' ? importPublicKey(publicKey) : publicKey
    const sig = Buffer.from(signature, 'base64url')
    if (sig.length !== 64) return false
    return verify(null, typeof data === 'string' ? Buffer.from(data) : data, key, sig)
  } catch {
    // A key or signature that cannot even be decoded is a failed verification, not a crash.
    return false
  }
}

/**
 * `verifyBytes` on libuv's thread pool: the same answer, but the caller's event loop stays free
 * while OpenSSL works (an Ed25519 verification costs more than a whole small HTTP request), so a
 * server verifies on another core while it handles other requests.
 */
export function verifyBytesAsync (publicKey: KeyObject | string, data: string | Uint8Array, signature: string): Promise<boolean> {
  let key: KeyObject
  let sig: Buffer
  try {
    key = typeof publicKey === 'string' ? importPublicKey(publicKey) : publicKey
    sig = Buffer.from(signature, 'base64url')
  } catch {
    // A key or signature that cannot even be decoded is a failed verification, not a crash.
    return Promise.resolve(false)
  }
  if (sig.length !== 64) return Promise.resolve(false)
  return new Promise((resolve) => {
    verify(null, typeof data === 'string' ? Buffer.from(data) : data, key, sig, (err, ok) => {
      // An error here means OpenSSL refused the inputs: a failed verification, as in verifyBytes.
      resolve(err === null && ok)
    })
  })
}

/** Random identifier: base64url of `bytes` random bytes, never starting with `-` or `_`. */
export function randomId (bytes = 16): string {
  // Ids are typed on command lines (`outpost ctl exec ID -- …`), where a leading `-` reads as an
  // option: draw again in the 1 case in 32 where base64url starts with `-` or `_`.
  for (let attempt = 0; attempt < 32; attempt++) {
    const id = randomBytes(bytes).toString('base64url')
    if (!id.startsWith('-') && !id.startsWith('_')) return id
  }
  return 'A' + randomBytes(bytes).toString('base64url').slice(1)
}

/** Lower-case hex SHA-256. */
export function sha256Hex (data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex')
}
