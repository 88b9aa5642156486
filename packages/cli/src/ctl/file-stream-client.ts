import { request, type Agent } from 'node:https'
import type { IncomingMessage } from 'node:http'
import { pipeline } from 'node:stream/promises'
import { ErrorEnvelope, FileWriteResult, OutpostError, isValid, validate, type FileTransferQuery } from '@outpost/protocol'

/** Where the streamed file routes are and who calls them. */
export interface FileStreamTarget {
  readonly hubUrl: string
  readonly token: string
  readonly agent: Agent
}

/**
 * Streams `GET /api/v1/hosts/:id/files/download` into `out` (not ended: it may be stdout).
 * Refusals become `OutpostError`s with the hub's (or agent's) code; a download cut short is
 * `CLI_ERR_HUB`.
 */
export async function downloadTo (t: FileStreamTarget, hostId: string, filePath: string, out: NodeJS.WritableStream): Promise<number> {
  const res = await send(t, 'GET', `/api/v1/hosts/${encodeURIComponent(hostId)}/files/download?${new URLSearchParams({ path: filePath }).toString()}`, undefined)
  await failUnlessOk(res)
  const expected = Number(res.headers['content-length'] ?? NaN)
  let got = 0
  res.on('data', (c: Buffer) => { got += c.length })
  try {
    await pipeline(res, out, { end: false })
  } catch (cause) {
    throw new OutpostError('CLI_ERR_HUB', `the download of ${filePath} broke off after ${got} bytes`, { cause })
  }
  if (Number.isFinite(expected) && got !== expected) throw new OutpostError('CLI_ERR_HUB', `the download of ${filePath} ended after ${got} of ${expected} bytes`)
  return got
}

/** Streams `input` to `PUT /api/v1/hosts/:id/files/upload` and returns the agent's result. */
export async function uploadFrom (t: FileStreamTarget, hostId: string, query: FileTransferQuery, input: NodeJS.ReadableStream): Promise<FileWriteResult> {
  const qs = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined)).toString()
  const res = await send(t, 'PUT', `/api/v1/hosts/${encodeURIComponent(hostId)}/files/upload?${qs}`, input)
  await failUnlessOk(res)
  return validate(FileWriteResult, JSON.parse((await collect(res)).toString('utf8')), 'upload result')
}

function send (t: FileStreamTarget, method: 'GET' | 'PUT', p: string, body: NodeJS.ReadableStream | undefined): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(p, t.hubUrl), {
      method,
      agent: t.agent,
      headers: { authorization: `Bearer ${t.token}`, ...(body === undefined ? {} : { 'content-type': 'application/octet-stream' }) }
    }, resolve)
    req.on('error', reject)
    if (body === undefined) req.end()
    // A refusal may come before the whole body is sent: the answer, not the broken pipe, tells why.
    else pipeline(body, req).catch(() => undefined)
  })
}

async function failUnlessOk (res: IncomingMessage): Promise<void> {
  const status = res.statusCode ?? 0
  if (status >= 200 && status < 300) return
  let json: unknown
  try {
    json = JSON.parse((await collect(res)).toString('utf8'))
  } catch {
    json = undefined // reported by status below
  }
  throw isValid(ErrorEnvelope, json)
    ? new OutpostError(json.error.code, json.error.message, { statusCode: status, details: json.error.details })
    : new OutpostError('CLI_ERR_HUB', `hub answered ${status}`, { statusCode: status })
}

async function collect (res: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const c of res) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
}
