import https from 'node:https'
import type { ClientRequest, IncomingMessage } from 'node:http'
import { ErrorEnvelope, HubPath, isValid } from '@outpost/protocol'
import { AgentError, AgentErrorCode } from '../../errors.ts'
import { hubUrl, signedHeaders, type HubLink } from '../../transport/hub-link.ts'

/** Longest a transfer connection may sit without any progress. */
export const TRANSFER_IDLE_TIMEOUT_MS = 60_000

/**
 * Opens `METHOD /agent/v1/transfers/{id}` on the hub, signed like every agent request but over
 * an empty body: the bytes stream, and their size and SHA-256 are checked against the signed
 * instruction (upload) or reported in the signed result (download).
 */
export function transferRequest (link: HubLink, method: 'GET' | 'PUT', transferId: string, opts: { contentLength?: number, signal?: AbortSignal | undefined }): ClientRequest {
  const url = hubUrl(link.hubUrl, `${HubPath.AgentTransfers}/${transferId}`)
  const headers = signedHeaders(link, method, url.pathname, Buffer.alloc(0))
  if (opts.contentLength !== undefined) {
    headers['content-type'] = 'application/octet-stream'
    headers['content-length'] = String(opts.contentLength)
  }
  const req = https.request(url, { method, agent: link.agent, headers, timeout: TRANSFER_IDLE_TIMEOUT_MS, ...(opts.signal === undefined ? {} : { signal: opts.signal }) })
  req.once('timeout', () => req.destroy(new AgentError(AgentErrorCode.Transport, `transfer ${transferId} made no progress for ${TRANSFER_IDLE_TIMEOUT_MS} ms`)))
  return req
}

/** The hub's answer to a transfer request. */
export function responseOf (req: ClientRequest): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    req.once('response', resolve)
    req.once('error', (err: Error) => reject(err instanceof AgentError ? err : new AgentError(AgentErrorCode.Transport, `transfer failed: ${err.message}`, { cause: err })))
  })
}

/** Throws `AGENT_ERR_HUB_REFUSED` with the hub's code unless the answer is a 2xx (its body is drained). */
export async function requireSuccess (res: IncomingMessage, what: string): Promise<void> {
  const status = res.statusCode ?? 0
  if (status >= 200 && status < 300) return
  const chunks: Buffer[] = []
  let size = 0
  for await (const c of res) {
    size += (c as Buffer).length
    if (size <= 64 * 1024) chunks.push(c as Buffer)
  }
  let envelope: unknown
  try {
    envelope = JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    envelope = undefined // not an envelope: reported by status below
  }
  const detail = isValid(ErrorEnvelope, envelope) ? `${envelope.error.code}: ${envelope.error.message}` : `HTTP ${status}`
  throw new AgentError(AgentErrorCode.HubRefused, `hub refused ${what}: ${detail}`, { statusCode: status, details: { code: isValid(ErrorEnvelope, envelope) ? envelope.error.code : undefined, statusCode: status } })
}
