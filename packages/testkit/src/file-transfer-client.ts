import https from 'node:https'
import { createHash } from 'node:crypto'
import { pipeline } from 'node:stream/promises'
import type { Readable } from 'node:stream'

/** The answer to a file download or upload, with the bytes (download) or the parsed JSON. */
export interface TransferAnswer {
  readonly status: number
  readonly headers: Record<string, string | string[] | undefined>
  /** Bytes received, and their SHA-256 (the body is not kept when `keepBody` is false). */
  readonly size: number
  readonly sha256: string
  readonly body: Buffer
  readonly json: any
}

/** Options of one transfer call. */
export interface TransferOptions {
  /** Keep the downloaded bytes in `body` (default true); false only counts and hashes them. */
  readonly keepBody?: boolean
  readonly agent?: https.Agent
  readonly query?: Readonly<Record<string, string>>
}

/** `GET /api/v1/hosts/:id/files/download?path=` with a bearer token. */
export function downloadFile (hubUrl: string, token: string, hostId: string, filePath: string, opts: TransferOptions = {}): Promise<TransferAnswer> {
  return call(hubUrl, token, 'GET', `/api/v1/hosts/${encodeURIComponent(hostId)}/files/download?${new URLSearchParams({ path: filePath, ...opts.query }).toString()}`, undefined, opts)
}

/** `PUT /api/v1/hosts/:id/files/upload?path=…` streaming `body` as application/octet-stream. */
export function uploadFile (hubUrl: string, token: string, hostId: string, filePath: string, body: Buffer | Readable, opts: TransferOptions = {}): Promise<TransferAnswer> {
  return call(hubUrl, token, 'PUT', `/api/v1/hosts/${encodeURIComponent(hostId)}/files/upload?${new URLSearchParams({ path: filePath, ...opts.query }).toString()}`, body, opts)
}

function call (hubUrl: string, token: string, method: string, p: string, body: Buffer | Readable | undefined, opts: TransferOptions): Promise<TransferAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` }
    if (body !== undefined) headers['content-type'] = 'application/octet-stream'
    if (Buffer.isBuffer(body)) headers['content-length'] = String(body.length)
    const req = https.request(new URL(p, hubUrl), { method, headers, rejectUnauthorized: false, agent: opts.agent ?? false }, (res) => {
      const chunks: Buffer[] = []
      const hash = createHash('sha256')
      let size = 0
      res.on('data', (c: Buffer) => {
        size += c.length
        hash.update(c)
        if (opts.keepBody !== false) chunks.push(c)
      })
      res.on('end', () => {
        const all = Buffer.concat(chunks)
        let json: unknown
        if (String(res.headers['content-type'] ?? '').startsWith('application/json')) {
          try {
            json = JSON.parse(all.toString('utf8'))
          } catch {
            json = undefined // the caller looks at `body`
          }
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, size, sha256: hash.digest('hex'), body: all, json })
      })
      res.on('error', reject)
    })
    req.on('error', reject)
    if (body === undefined) req.end()
    else if (Buffer.isBuffer(body)) req.end(body)
    else pipeline(body, req).catch(reject)
  })
}
