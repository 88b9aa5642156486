import type { Role } from '@outpost/protocol'
import type { AuditRecord, UserRecord } from './store.ts'

/**
 * The console's part of the store (`store.console`): users' console fields, login failure
 * counters, browser sessions and audit queries. Times are milliseconds since the epoch. Every
 * method is atomic, and counters are changed by single statements so that hub replicas sharing
 * one database cannot lose an increment.
 */
export interface ConsoleStore {
  // ── users ──
  createUser (u: NewConsoleUser): Promise<void>
  getUser (name: string): Promise<ConsoleUser | undefined>
  getUserById (id: string): Promise<ConsoleUser | undefined>
  /** By name. */
  listUsers (): Promise<ConsoleUser[]>
  /** Changes the given fields; returns the user afterwards, `undefined` when there is none. */
  updateUser (name: string, patch: UserPatch): Promise<ConsoleUser | undefined>
  /** Users that are admins and not disabled. */
  countActiveAdmins (): Promise<number>

  // ── login failures ──
  /**
   * Counts a failed login at `now`. Failures older than `windowMs` start a new count; the
   * `maxFailures`-th failure within the window locks the user until `now + lockMs` and clears
   * the count. Returns the user's `lockedUntil` afterwards (null when not locked).
   */
  recordLoginFailure (userId: string, now: number, policy: LockoutPolicy): Promise<number | null>
  /** Clears the failure count and any lock. */
  clearLoginFailures (userId: string): Promise<void>
  /**
   * Claims the TOTP time step `step` for this user: true only when it is later than every step
   * used before, so that a code is never accepted twice (nor an older one after a newer one).
   */
  claimTotpStep (userId: string, step: number): Promise<boolean>

  // ── sessions ──
  createSession (s: NewSession): Promise<void>
  /** A session with its user, whatever its expiry (the caller decides). */
  getSession (tokenHash: string): Promise<{ session: SessionRecord, user: ConsoleUser } | undefined>
  /** Sets `lastSeenAt` (only forward in time). */
  touchSession (tokenHash: string, now: number): Promise<void>
  /** Sets the host the session's operator has open; false when the session does not exist. */
  setViewing (tokenHash: string, hostId: string | null, now: number): Promise<boolean>
  /** Returns whether it existed. */
  deleteSession (tokenHash: string): Promise<boolean>
  /** Ends every session of a user; returns how many. */
  deleteUserSessions (userId: string): Promise<number>
  /** Sessions valid at `now` (not past `expiresAt`, seen within `idleMs`), with their users' names, oldest first. */
  listLiveSessions (now: number, idleMs: number): Promise<LiveSession[]>
  /** Deletes sessions that are past `expiresAt` or unseen for `idleMs`; returns how many. */
  deleteDeadSessions (now: number, idleMs: number): Promise<number>

  // ── audit ──
  /** Newest first; filters match exactly; at most `limit` entries. */
  queryAudit (q: AuditFilter): Promise<AuditRecord[]>
}

/** When failed logins lock a user. */
export interface LockoutPolicy {
  readonly maxFailures: number
  readonly windowMs: number
  readonly lockMs: number
}

export interface NewConsoleUser {
  readonly id: string
  readonly name: string
  readonly passwordHash: string
  readonly role: Role
  readonly createdAt: number
  readonly email: string | null
  /** Host groups the user may see; empty means all. */
  readonly groups: readonly string[]
}

/** A user with the console's fields. */
export interface ConsoleUser extends UserRecord {
  readonly email: string | null
  readonly groups: readonly string[]
  /** base32 RFC 6238 secret; null when TOTP is off. */
  readonly totpSecret: string | null
  /** The last TOTP time step accepted. */
  readonly totpLastStep: number | null
  readonly disabled: boolean
  readonly failedLogins: number
  readonly failedSince: number | null
  readonly lockedUntil: number | null
}

/** Fields `updateUser` may change; absent fields stay. Setting `totpSecret` resets `totpLastStep`. */
export interface UserPatch {
  readonly role?: Role
  readonly email?: string | null
  readonly groups?: readonly string[]
  readonly disabled?: boolean
  readonly passwordHash?: string
  readonly totpSecret?: string | null
}

export interface NewSession {
  /** SHA-256 hex of the cookie value; the value itself is never stored. */
  readonly tokenHash: string
  readonly userId: string
  readonly csrfToken: string
  readonly createdAt: number
  /** Absolute end, whatever the activity. */
  readonly expiresAt: number
}
export interface SessionRecord extends NewSession {
  readonly lastSeenAt: number
  readonly viewingHostId: string | null
}

/** A valid session and who it belongs to, for presence. */
export interface LiveSession extends SessionRecord {
  readonly userName: string
}

export interface AuditFilter {
  readonly limit: number
  readonly actor?: string | undefined
  readonly action?: string | undefined
  readonly target?: string | undefined
}
