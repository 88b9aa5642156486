import https from 'node:https'
import type { IncomingHttpHeaders } from 'node:http'
import type { TSchema, Static } from '@sinclair/typebox'
import { ErrorEnvelope, isValid, parseJson } from '@outpost/protocol'
import { AgentError, AgentErrorCode } from '../errors.ts'
import { parseRetryAfter } from './backoff.ts'

/** Largest hub answer the agent reads; anything longer is a broken or hostile peer. */
export const MAX_HUB_ANSWER_BYTES = 32 * 1024 * 1024

/** A raw HTTP answer. */
export interface HttpAnswer {
  readonly statusCode: number
  readonly headers: IncomingHttpHeaders
  readonly body: Buffer
}

/** Options of one POST. */
export interface PostOptions {
  readonly agent: https.Agent
  readonly headers: Record<string, string>
  readonly timeoutMs: number
  readonly signal?: AbortSignal | undefined
}

/** POSTs `body` and collects the answer (bounded). Network failures become `AGENT_ERR_TRANSPORT`. */
export function httpsPost (url: URL, body: Buffer, opts: PostOptions): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, {
      method: 'POST',
      agent: opts.agent,
      headers: { ...opts.headers, 'content-type': 'application/json', 'content-length': String(body.length) },
      timeout: opts.timeoutMs,
      ...(opts.signal === undefined ? {} : { signal: opts.signal })
    }, (res) => {
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (c: Buffer) => {
        size += c.length
        if (size > MAX_HUB_ANSWER_BYTES) {
          req.destroy(new AgentError(AgentErrorCode.Transport, `hub answer exceeds ${MAX_HUB_ANSWER_BYTES} bytes`))
          return
        }
        chunks.push(c)
      })
      res.once('end', () => resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
      res.once('error', (err) => reject(wrap(err, url)))
    })
    req.once('timeout', () => req.destroy(new AgentError(AgentErrorCode.Transport, `no answer from ${url.host} within ${opts.timeoutMs} ms`)))
    req.once('error', (err) => reject(wrap(err, url)))
    req.end(body)
  })
}

function wrap (err: Error, url: URL): Error {
  if (err instanceof AgentError || err.name === 'AbortError') return err
  return new AgentError(AgentErrorCode.Transport, `request to ${url.host} failed: ${err.message}`, { cause: err })
}

/**
 * Turns a hub answer into a typed message: 2xx is parsed with `schema`; an `{ error }` envelope
 * is `AGENT_ERR_HUB_REFUSED` carrying the hub's code; 429/503 are `AGENT_ERR_THROTTLED` with the
 * `Retry-After` delay in `details.retryAfterMs`.
 */
export function readHubAnswer<T extends TSchema> (answer: HttpAnswer, schema: T, what: string): Static<T> {
  const { statusCode, body } = answer
  let envelope: unknown
  try {
    envelope = JSON.parse(body.toString('utf8'))
  } catch {
    // Not JSON: handled below by status code (and by parseJson for a 2xx).
    envelope = undefined
  }
  if (statusCode === 429 || statusCode === 503) {
    const retryAfterMs = parseRetryAfter(headerValue(answer.headers['retry-after']))
    throw new AgentError(AgentErrorCode.Throttled, `hub is busy (HTTP ${statusCode}), retry after ${retryAfterMs ?? '?'} ms`, { statusCode, details: { retryAfterMs, code: isValid(ErrorEnvelope, envelope) ? envelope.error.code : undefined } })
  }
  if (isValid(ErrorEnvelope, envelope)) {
    throw new AgentError(AgentErrorCode.HubRefused, `hub refused ${what}: ${envelope.error.code}: ${envelope.error.message}`, { statusCode, details: { code: envelope.error.code, statusCode } })
  }
  if (statusCode < 200 || statusCode > 299) {
    throw new AgentError(AgentErrorCode.HubRefused, `hub answered ${what} with HTTP ${statusCode}`, { statusCode, details: { code: undefined, statusCode } })
  }
  try {
    return parseJson(schema, body, what)
  } catch (cause) {
    throw new AgentError(AgentErrorCode.Transport, `hub sent an invalid ${what}`, { cause })
  }
}

function headerValue (v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v
}
