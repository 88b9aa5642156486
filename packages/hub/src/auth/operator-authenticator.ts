import { timingSafeEqual } from 'node:crypto'
import type { ConsoleStore } from '../store/console-store.ts'
import { HubError, HubErrorCode } from '../errors.ts'
import type { ApiTokenService, OperatorIdentity } from './api-token-service.ts'
import { sessionCookieOf, type SessionService } from './session-service.ts'

/** Methods that change nothing, so need no CSRF token. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * Resolves an operator request's credentials: a bearer API token (CLI, scripts) when an
 * `Authorization` header is present, else the console's session cookie.
 */
export class OperatorAuthenticator {
  readonly #tokens: ApiTokenService
  readonly #sessions: SessionService
  readonly #store: ConsoleStore

  constructor (tokens: ApiTokenService, sessions: SessionService, store: ConsoleStore) {
    this.#tokens = tokens
    this.#sessions = sessions
    this.#store = store
  }

  /** The identity, or `HUB_ERR_UNAUTHENTICATED`. */
  async authenticate (headers: { readonly authorization?: string | undefined, readonly cookie?: string | undefined }): Promise<OperatorIdentity> {
    const cookie = sessionCookieOf(headers.cookie)
    if (headers.authorization === undefined && cookie !== undefined) return this.#sessions.resolve(cookie)
    const identity = await this.#tokens.authenticate(headers.authorization)
    if (identity.userId !== undefined) {
      const user = await this.#store.getUserById(identity.userId)
      if (user === undefined || user.disabled) throw new HubError(HubErrorCode.Unauthenticated, 'the API token belongs to a disabled user')
      // A user's token sees what the user sees; tokens without a user (`outpost admin api-token`) see every host.
      return { ...identity, groups: user.groups }
    }
    return identity
  }
}

/**
 * True when the request needs no CSRF token (bearer-authenticated, or a safe method) or carries
 * the session's token in `x-csrf-token`, compared in constant time. A cross-site page can make
 * the browser send the cookie, but cannot read the token to send it along.
 */
export function csrfSatisfied (identity: OperatorIdentity, method: string, header: string | string[] | undefined): boolean {
  if (identity.session === undefined || SAFE_METHODS.has(method)) return true
  if (typeof header !== 'string') return false
  const given = Buffer.from(header)
  const expected = Buffer.from(identity.session.csrfToken)
  return given.length === expected.length && timingSafeEqual(given, expected)
}
