import { X509Certificate } from 'node:crypto'
import { generate } from 'selfsigned'
import { normalizeFingerprint } from '@outpost/protocol'

/** A self-signed certificate for 127.0.0.1 (P-256), with the SHA-256 fingerprint an agent would pin. */
export async function makeTestCert (): Promise<{ cert: string, key: string, fingerprint: string }> {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }]
  } as Parameters<typeof generate>[1])
  return { cert: pems.cert, key: pems.private, fingerprint: normalizeFingerprint(new X509Certificate(pems.cert).fingerprint256) }
}
