import type { LoginRequest } from '@outpost/protocol'
import type { ConsoleStore, ConsoleUser } from '../store/console-store.ts'
import { HubError, HubErrorCode } from '../errors.ts'
import { AuditAction, type AuditLog } from '../audit/audit-log.ts'
import { hashPassword, verifyPassword } from './password-hash.ts'
import { matchTotp } from './totp.ts'
import { LOGIN_BURST, LOGIN_LOCKOUT, LOGIN_REFILL_MS, TokenBuckets, UnknownNameLockout } from './login-throttle.ts'
import type { NewSessionResult, SessionService } from './session-service.ts'
import type { Bus } from '../bus/bus.ts'
import { SharedThrottle } from './shared-throttle.ts'

/** The one answer to every failed login, whatever failed: no user enumeration by message. */
const REFUSED = 'wrong user name, password or one-time code'

/** A refused login whose answer carries `Retry-After`. */
export class RetryLaterError extends HubError {
  readonly retryAfterSec: number
  constructor (code: typeof HubErrorCode.Locked | typeof HubErrorCode.Throttled, message: string, retryAfterSec: number) {
    super(code, message)
    this.retryAfterSec = retryAfterSec
  }
}

/**
 * Logs operators in: per-address throttling, per-user lock-out, a constant-time password check
 * that costs the same for unknown names, TOTP when enabled (each code once), audit of every try.
 */
export class LoginService {
  readonly #store: ConsoleStore
  readonly #sessions: SessionService
  readonly #audit: AuditLog
  readonly #now: () => number
  readonly #perAddress: TokenBuckets
  readonly #unknown = new UnknownNameLockout(LOGIN_LOCKOUT)
  readonly #dummyHash: Promise<string>
  readonly #shared: SharedThrottle | undefined

  constructor (d: { store: ConsoleStore, sessions: SessionService, audit: AuditLog, now: () => number, bus?: Bus, closing?: AbortSignal }) {
    this.#store = d.store
    this.#sessions = d.sessions
    this.#audit = d.audit
    this.#now = d.now
    this.#perAddress = new TokenBuckets(LOGIN_BURST, LOGIN_REFILL_MS, d.now)
    if (d.bus !== undefined) {
      this.#shared = new SharedThrottle(d.bus, {
        address: (ip) => { this.#perAddress.take(ip) },
        unknownName: (name, at) => { this.#unknown.fail(name, at) }
      }, d.closing)
    }
    // Made up front, so that even the first unknown-user login costs one scrypt and no more.
    this.#dummyHash = hashPassword('outpost-dummy-password')
    // Handled where it is awaited; this only keeps an early failure from being "unhandled".
    this.#dummyHash.catch(() => {})
  }

  /** Checks the credentials and starts a session, or throws (401, 429) after auditing the try. */
  async login (req: LoginRequest, clientIp: string): Promise<NewSessionResult> {
    const wait = this.#perAddress.take(clientIp)
    this.#shared?.address(clientIp)
    if (wait > 0) {
      await this.#audit.record({ actor: `user:${req.user}`, action: AuditAction.Login, target: `ip:${clientIp}`, result: HubErrorCode.Throttled })
      throw new RetryLaterError(HubErrorCode.Throttled, 'too many login attempts from this address', wait)
    }
    const user = await this.#store.getUser(req.user)
    const now = this.#now()
    const lockedUntil = user === undefined ? this.#unknown.lockedUntil(req.user, now) : (user.lockedUntil !== null && user.lockedUntil > now ? user.lockedUntil : null)
    if (lockedUntil !== null) await this.#refuseLocked(req.user, clientIp, lockedUntil, now)
    // The same scrypt work whether or not the user exists, so timing does not tell either.
    const passwordOk = await verifyPassword(req.password, user?.passwordHash ?? await this.#dummy())
    if (user === undefined || !passwordOk) return this.#fail(req.user, user, clientIp, 'password')
    if (user.disabled) {
      await this.#audit.record({ actor: `user:${user.name}`, action: AuditAction.Login, target: `ip:${clientIp}`, result: 'denied', detail: { reason: 'disabled' } })
      throw new HubError(HubErrorCode.Unauthenticated, REFUSED)
    }
    if (user.totpSecret !== null) await this.#checkTotp(user, req.totp, clientIp)
    await this.#store.clearLoginFailures(user.id)
    const session = await this.#sessions.create(user)
    await this.#audit.record({ actor: `user:${user.name}`, action: AuditAction.Login, target: `ip:${clientIp}`, result: 'ok', detail: { totp: user.totpSecret !== null } })
    return session
  }

  async #checkTotp (user: ConsoleUser, code: string | undefined, clientIp: string): Promise<void> {
    if (code === undefined) {
      await this.#audit.record({ actor: `user:${user.name}`, action: AuditAction.Login, target: `ip:${clientIp}`, result: HubErrorCode.TotpRequired })
      throw new HubError(HubErrorCode.TotpRequired, 'this user needs a one-time code: send "totp"')
    }
    const step = matchTotp(user.totpSecret ?? '', code, this.#now())
    if (step === null || !await this.#store.claimTotpStep(user.id, step)) await this.#fail(user.name, user, clientIp, step === null ? 'totp' : 'totp-reused')
  }

  async #fail (name: string, user: ConsoleUser | undefined, clientIp: string, reason: string): Promise<never> {
    const now = this.#now()
    const lockedUntil = user === undefined ? this.#unknown.fail(name, now) : await this.#store.recordLoginFailure(user.id, now, LOGIN_LOCKOUT)
    if (user === undefined) this.#shared?.unknownName(name, now)
    // An unknown name is audited as `user:NAME` like a real one; the detail says which it was for the admin.
    await this.#audit.record({ actor: `user:${name}`, action: AuditAction.Login, target: `ip:${clientIp}`, result: 'denied', detail: { reason: user === undefined ? 'unknown-user' : reason, locked: lockedUntil !== null } })
    if (lockedUntil !== null) return this.#refuseLocked(name, clientIp, lockedUntil, now, false)
    throw new HubError(HubErrorCode.Unauthenticated, REFUSED)
  }

  async #refuseLocked (name: string, clientIp: string, until: number, now: number, audit = true): Promise<never> {
    if (audit) await this.#audit.record({ actor: `user:${name}`, action: AuditAction.Login, target: `ip:${clientIp}`, result: HubErrorCode.Locked })
    throw new RetryLaterError(HubErrorCode.Locked, 'too many failed logins: this user is locked for a while', Math.max(1, Math.ceil((until - now) / 1000)))
  }

  #dummy (): Promise<string> {
    return this.#dummyHash
  }
}
