import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { RoleSchema } from './operator-api.ts'

const IsoTime = Type.String({ format: 'date-time', description: 'ISO 8601 UTC time' })
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()])
const UserName = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.@-]+$' })

/** Body of `POST /api/v1/session` (log in). */
export const LoginRequest = Type.Object({
  user: UserName,
  password: Type.String({ minLength: 1, maxLength: 1024 }),
  /** Six-digit code, required when the user has TOTP enabled. */
  totp: Type.Optional(Type.String({ pattern: '^[0-9]{6}$' }))
}, { additionalProperties: false })
export type LoginRequest = Static<typeof LoginRequest>

/** `GET /api/v1/session` and the answer to a login: who you are and the CSRF token to echo. */
export const SessionInfo = Type.Object({
  user: UserName,
  role: RoleSchema,
  /** Host groups this user may see; empty means all. */
  groups: Type.Array(Type.String()),
  /** Send it back in `x-csrf-token` on every state-changing request made with the cookie. */
  csrfToken: Type.String({ minLength: 16, maxLength: 128 }),
  expiresAt: IsoTime
}, { additionalProperties: false })
export type SessionInfo = Static<typeof SessionInfo>

/** An operator who is logged in now (`GET /api/v1/presence`). */
export const PresenceEntry = Type.Object({
  user: UserName,
  since: IsoTime,
  /** The host whose page the operator has open, if any. */
  viewingHostId: Nullable(Type.String())
}, { additionalProperties: false })
export type PresenceEntry = Static<typeof PresenceEntry>
export const PresenceList = Type.Array(PresenceEntry)

/** A user as administrators see it. */
export const UserView = Type.Object({
  name: UserName,
  role: RoleSchema,
  email: Nullable(Type.String({ format: 'email' })),
  groups: Type.Array(Type.String()),
  totpEnabled: Type.Boolean(),
  disabled: Type.Boolean(),
  lockedUntil: Nullable(IsoTime),
  createdAt: IsoTime
}, { additionalProperties: false })
export type UserView = Static<typeof UserView>
export const UserList = Type.Array(UserView)

/** Body of `POST /api/v1/users`. */
export const CreateUserRequest = Type.Object({
  name: UserName,
  password: Type.String({ minLength: 12, maxLength: 1024 }),
  role: RoleSchema,
  email: Type.Optional(Type.String({ format: 'email' })),
  groups: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { maxItems: 100 }))
}, { additionalProperties: false })

/** Body of `PATCH /api/v1/users/:name`. */
export const UpdateUserRequest = Type.Object({
  role: Type.Optional(RoleSchema),
  email: Type.Optional(Nullable(Type.String({ format: 'email' }))),
  groups: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { maxItems: 100 })),
  disabled: Type.Optional(Type.Boolean()),
  password: Type.Optional(Type.String({ minLength: 12, maxLength: 1024 }))
}, { additionalProperties: false })

/** One audit entry as the console shows it. */
export const AuditEntryView = Type.Object({
  id: Type.Integer(),
  time: IsoTime,
  actor: Type.String(),
  action: Type.String(),
  target: Type.String(),
  result: Type.String(),
  detail: Type.Record(Type.String(), Type.Unknown())
}, { additionalProperties: false })
export const AuditList = Type.Array(AuditEntryView)

/** Query of `GET /api/v1/audit`. */
export const AuditQuery = Type.Object({
  limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,5}$' })),
  actor: Type.Optional(Type.String({ maxLength: 128 })),
  action: Type.Optional(Type.String({ maxLength: 128 })),
  target: Type.Optional(Type.String({ maxLength: 256 }))
}, { additionalProperties: false })

/** Body of `POST /api/v1/presence/viewing`: the host page the operator has open now, null when none. */
export const ViewingRequest = Type.Object({
  hostId: Nullable(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }))
}, { additionalProperties: false })
export type ViewingRequest = Static<typeof ViewingRequest>

/** Path parameters of `/api/v1/users/:name…`. */
export const UserNameParams = Type.Object({ name: UserName }, { additionalProperties: false })

/** Answer of `POST /api/v1/users/:name/totp`: the new secret, shown this once (base32 and as an `otpauth://` URI for a QR code). */
export const TotpEnrollment = Type.Object({
  secret: Type.String({ pattern: '^[A-Z2-7]+$' }),
  uri: Type.String({ pattern: '^otpauth://totp/' })
}, { additionalProperties: false })
export type TotpEnrollment = Static<typeof TotpEnrollment>
