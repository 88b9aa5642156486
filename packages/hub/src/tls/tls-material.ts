import { X509Certificate, randomBytes } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { isIP } from 'node:net'
import path from 'node:path'
import { generate } from 'selfsigned'
import { sha256Hex } from '@outpost/protocol'
import { HubError, HubErrorCode } from '../errors.ts'
import type { HubConfig } from '../config/hub-config.ts'

/** The hub's TLS certificate and key, and the fingerprint agents pin. */
export interface TlsMaterial {
  readonly certPem: string
  readonly keyPem: string
  /** SHA-256 of the certificate DER, 64 lower-case hex digits. */
  readonly fingerprint: string
}

/** Where the self-signed material lives inside the data directory. */
export function tlsPaths (dataDir: string): { dir: string, cert: string, key: string } {
  const dir = path.join(dataDir, 'tls')
  return { dir, cert: path.join(dir, 'hub-cert.pem'), key: path.join(dir, 'hub-key.pem') }
}

/** Fingerprint of a PEM certificate as agents pin it. */
export function certificateFingerprint (certPem: string): string {
  return sha256Hex(new X509Certificate(certPem).raw)
}

/**
 * Reads the configured PEM files, or the self-signed pair in `dataDir/tls`, making that pair
 * on first start (EC P-256, SAN localhost, 127.0.0.1, ::1 and the public host).
 */
export async function loadTlsMaterial (config: HubConfig, publicHost: string | null): Promise<TlsMaterial> {
  if (config.tls !== null) {
    const [certPem, keyPem] = await Promise.all([readPem(config.tls.certFile), readPem(config.tls.keyFile)])
    return { certPem, keyPem, fingerprint: certificateFingerprint(certPem) }
  }
  const p = tlsPaths(config.dataDir)
  const existing = await readPair(p.cert, p.key)
  if (existing !== undefined) return existing
  const made = await makeSelfSigned(publicHost)
  await mkdir(p.dir, { recursive: true, mode: 0o700 })
  // Key first, both through a rename, so a crash never leaves a certificate without its key.
  await writeAtomic(p.key, made.keyPem, 0o600)
  await writeAtomic(p.cert, made.certPem, 0o644)
  return made
}

/** Reads an existing self-signed pair without making one (for admin commands). */
export async function readTlsMaterial (config: HubConfig): Promise<TlsMaterial | undefined> {
  if (config.tls !== null) return loadTlsMaterial(config, null)
  const p = tlsPaths(config.dataDir)
  return readPair(p.cert, p.key)
}

async function readPair (certFile: string, keyFile: string): Promise<TlsMaterial | undefined> {
  let certPem: string
  let keyPem: string
  try {
    [certPem, keyPem] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')])
  } catch (err) {
    if (isNotFound(err)) return undefined
    throw new HubError(HubErrorCode.Config, `cannot read TLS material in ${path.dirname(certFile)}`, { cause: err })
  }
  return { certPem, keyPem, fingerprint: certificateFingerprint(certPem) }
}

async function readPem (file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8')
  } catch (err) {
    throw new HubError(HubErrorCode.Config, `cannot read TLS file ${file}: check tls.certFile and tls.keyFile`, { cause: err })
  }
}

async function makeSelfSigned (publicHost: string | null): Promise<TlsMaterial> {
  const altNames: Array<{ type: 2, value: string } | { type: 7, ip: string }> = [
    { type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }
  ]
  if (publicHost !== null && publicHost !== 'localhost' && publicHost !== '127.0.0.1') {
    const bare = publicHost.replace(/^\[|\]$/g, '')
    altNames.push(isIP(bare) === 0 ? { type: 2, value: bare } : { type: 7, ip: bare })
  }
  const notBeforeDate = new Date(Date.now() - 3600_000)
  const notAfterDate = new Date(notBeforeDate.getTime() + 10 * 365 * 24 * 3600_000)
  const pems = await generate([{ name: 'commonName', value: publicHost ?? 'outpost-hub' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames }
    ]
  })
  return { certPem: pems.cert, keyPem: pems.private, fingerprint: certificateFingerprint(pems.cert) }
}

async function writeAtomic (file: string, text: string, mode: number): Promise<void> {
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`
  await writeFile(tmp, text, { mode, flag: 'wx' })
  await rename(tmp, file)
}

function isNotFound (err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === 'ENOENT'
}
