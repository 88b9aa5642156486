import { request, type Agent } from 'node:https'
import type { Static, TSchema } from '@sinclair/typebox'
import { ErrorEnvelope, isValid, OutpostError, validate } from '@outpost/protocol'

/** How `outpost ctl` reaches the hub. */
export interface OperatorClientOptions {
  readonly hubUrl: string
  readonly token: string
  /** The HTTPS agent that decides whom to trust (a fingerprint pin, a CA file, or the system's). */
  readonly agent: Agent
}

/** A thin client of the operator API: JSON in, validated JSON out, errors as `OutpostError` by code. */
export class OperatorClient {
  readonly #base: URL
  readonly #token: string
  readonly #agent: Agent

  constructor (o: OperatorClientOptions) {
    this.#base = new URL(o.hubUrl)
    if (this.#base.protocol !== 'https:') throw new OutpostError('CLI_ERR_USAGE', `--hub must be an https:// URL, got ${o.hubUrl}`)
    this.#token = o.token
    this.#agent = o.agent
  }

  /** GETs `path` and validates the answer against `schema`. */
  get<T extends TSchema> (path: string, schema: T): Promise<Static<T>> {
    return this.#call('GET', path, undefined, schema)
  }

  /** POSTs `body` as JSON to `path` and validates the answer against `schema`. */
  post<T extends TSchema> (path: string, body: unknown, schema: T): Promise<Static<T>> {
    return this.#call('POST', path, body, schema)
  }

  #call<T extends TSchema> (method: string, path: string, body: unknown, schema: T): Promise<Static<T>> {
    const url = new URL(path, this.#base)
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body))
    return new Promise((resolve, reject) => {
      const req = request(url, {
        method,
        agent: this.#agent,
        headers: {
          authorization: `Bearer ${this.#token}`,
          accept: 'application/json',
          ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(payload.length) })
        }
      }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('error', reject)
        res.on('end', () => {
          const status = res.statusCode ?? 0
          let json: unknown
          try {
            json = JSON.parse(Buffer.concat(chunks).toString('utf8'))
          } catch (cause) {
            reject(new OutpostError('CLI_ERR_HUB', `hub answered ${status} with something that is not JSON`, { cause }))
            return
          }
          if (status >= 400) {
            reject(isValid(ErrorEnvelope, json)
              ? new OutpostError(json.error.code, json.error.message, { statusCode: status, details: json.error.details })
              : new OutpostError('CLI_ERR_HUB', `hub answered ${status}`, { statusCode: status }))
            return
          }
          try {
            resolve(validate(schema, json, 'hub answer'))
          } catch (err) {
            reject(err)
          }
        })
      })
      req.on('error', reject)
      req.end(payload)
    })
  }
}
