import { randomBytes } from 'node:crypto'
import { sha256Hex, type SessionInfo } from '@outpost/protocol'
import type { ConsoleStore, ConsoleUser } from '../store/console-store.ts'
import { HubError, HubErrorCode } from '../errors.ts'
import type { OperatorIdentity } from './api-token-service.ts'

/** Name of the console's session cookie. */
export const SESSION_COOKIE = 'outpost_session'
/** A session ends this long after login, whatever the activity. */
export const SESSION_TTL_MS = 12 * 3600_000
/** A session ends after this long without a request. */
export const SESSION_IDLE_MS = 30 * 60_000
/** `lastSeenAt` is written at most this often per session (one write per request would be waste). */
export const SESSION_TOUCH_MS = 60_000

const COOKIE_VALUE = /^[A-Za-z0-9_-]{43}$/

/** A new session: the cookie value (shown to the browser once) and what the console is told. */
export interface NewSessionResult {
  readonly token: string
  readonly tokenHash: string
  readonly info: SessionInfo
}

/**
 * Console sessions: the cookie value is 32 random bytes, the store keeps only its SHA-256.
 * A session lives 12 hours at most and 30 minutes without a request.
 */
export class SessionService {
  readonly #store: ConsoleStore
  readonly #now: () => number

  constructor (store: ConsoleStore, now: () => number) {
    this.#store = store
    this.#now = now
  }

  /** Starts a session for `user` (already authenticated). */
  async create (user: ConsoleUser): Promise<NewSessionResult> {
    const token = randomBytes(32).toString('base64url')
    const tokenHash = sha256Hex(token)
    const csrfToken = randomBytes(32).toString('base64url')
    const createdAt = this.#now()
    const expiresAt = createdAt + SESSION_TTL_MS
    await this.#store.createSession({ tokenHash, userId: user.id, csrfToken, createdAt, expiresAt })
    return { token, tokenHash, info: { user: user.name, role: user.role, groups: [...user.groups], csrfToken, expiresAt: new Date(expiresAt).toISOString() } }
  }

  /**
   * Resolves a cookie value to the operator it belongs to, or throws `HUB_ERR_UNAUTHENTICATED`.
   * An expired or idle session is deleted on the way; a disabled user's session does not count.
   */
  async resolve (token: string): Promise<OperatorIdentity> {
    if (!COOKIE_VALUE.test(token)) throw new HubError(HubErrorCode.Unauthenticated, 'malformed session cookie')
    const tokenHash = sha256Hex(token)
    const found = await this.#store.getSession(tokenHash)
    const now = this.#now()
    if (found === undefined) throw new HubError(HubErrorCode.Unauthenticated, 'no such session: log in again')
    const { session, user } = found
    if (session.expiresAt <= now || session.lastSeenAt <= now - SESSION_IDLE_MS || user.disabled) {
      await this.#store.deleteSession(tokenHash)
      throw new HubError(HubErrorCode.Unauthenticated, 'the session has ended: log in again')
    }
    if (now - session.lastSeenAt >= SESSION_TOUCH_MS) await this.#store.touchSession(tokenHash, now)
    return {
      actor: `user:${user.name}`,
      role: user.role,
      userId: user.id,
      groups: user.groups,
      session: { tokenHash, csrfToken: session.csrfToken, userName: user.name, createdAt: session.createdAt, expiresAt: session.expiresAt }
    }
  }

  /** True while the session exists and has not ended (for long-lived streams). */
  async isLive (tokenHash: string): Promise<boolean> {
    const found = await this.#store.getSession(tokenHash)
    const now = this.#now()
    return found !== undefined && !found.user.disabled && found.session.expiresAt > now && found.session.lastSeenAt > now - SESSION_IDLE_MS
  }

  /** Ends one session; returns whether it existed. */
  end (tokenHash: string): Promise<boolean> {
    return this.#store.deleteSession(tokenHash)
  }
}

/** The session cookie's value from a `Cookie` header, if there is one. */
export function sessionCookieOf (header: string | undefined): string | undefined {
  if (header === undefined) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim()
  }
  return undefined
}

/** `Set-Cookie` for a new session: script cannot read it, it goes only over HTTPS and only same-site. */
export function sessionCookie (token: string): string {
  return `${SESSION_COOKIE}=${token}; Path=/; Max-Age=${SESSION_TTL_MS / 1000}; HttpOnly; Secure; SameSite=Strict`
}

/** `Set-Cookie` that removes the session cookie. */
export function clearedSessionCookie (): string {
  return `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict`
}
