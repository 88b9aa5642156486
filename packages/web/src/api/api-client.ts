import type { Static, TSchema } from '@sinclair/typebox'
import { ErrorEnvelope } from '@outpost/protocol'
import { ApiError } from './api-error.ts'
import { checkAnswer, matches } from './check.ts'

/** What the client needs from the app. */
export interface ApiClientOptions {
  /** Called when the hub answers 401 to anything but a login: the session is gone. */
  readonly onUnauthorized: () => void
}

/** Same-origin JSON calls with the session cookie, the CSRF token, and answers checked by schema. */
export interface ApiClient {
  /** Sends a request and checks the answer against `schema` (`Type.Unknown()` for bodies the console ignores). */
  request<T extends TSchema> (method: string, path: string, schema: T, body?: unknown, opts?: { signal?: AbortSignal, noRedirect?: boolean }): Promise<Static<T>>
  /** The token from the current `SessionInfo`; sent in `x-csrf-token` on every state-changing call. */
  setCsrfToken (token: string | null): void
}

const SAFE = new Set(['GET', 'HEAD'])

/** Makes the one API client the console uses. */
export function createApiClient (options: ApiClientOptions): ApiClient {
  let csrf: string | null = null
  return {
    setCsrfToken (token) { csrf = token },
    async request (method, path, schema, body, opts = {}) {
      const headers: Record<string, string> = { accept: 'application/json' }
      if (body !== undefined) headers['content-type'] = 'application/json'
      if (!SAFE.has(method) && csrf !== null) headers['x-csrf-token'] = csrf
      let res: Response
      try {
        res = await fetch(path, {
          method, headers, credentials: 'same-origin', cache: 'no-store',
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          ...(opts.signal === undefined ? {} : { signal: opts.signal })
        })
      } catch (cause) {
        if (opts.signal?.aborted === true) throw cause
        throw new ApiError('WEB_ERR_NETWORK', 0, 'the hub cannot be reached', { cause })
      }
      const text = await res.text()
      let json: unknown
      try {
        json = text === '' ? undefined : JSON.parse(text)
      } catch (cause) {
        if (!res.ok && res.status === 401 && opts.noRedirect !== true) options.onUnauthorized()
        throw res.ok
          ? new ApiError('WEB_ERR_BAD_ANSWER', res.status, 'the hub answered with something that is not JSON', { cause })
          : new ApiError('WEB_ERR_HTTP', res.status, `the hub answered ${res.status} ${res.statusText}`.trim(), { cause })
      }
      if (!res.ok) {
        if (res.status === 401 && opts.noRedirect !== true) options.onUnauthorized()
        if (matches(ErrorEnvelope, json)) throw new ApiError(json.error.code, res.status, json.error.message)
        throw new ApiError('WEB_ERR_HTTP', res.status, `the hub answered ${res.status}`)
      }
      return checkAnswer(schema, json, `answer to ${method} ${path.split('?')[0] ?? path}`)
    }
  }
}
