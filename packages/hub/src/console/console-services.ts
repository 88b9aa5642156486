import type { Logger } from 'pino'
import type { Bus } from '../bus/bus.ts'
import type { Store } from '../store/store.ts'
import type { AuditLog } from '../audit/audit-log.ts'
import type { ApiTokenService } from '../auth/api-token-service.ts'
import type { HostScope } from '../auth/host-scope.ts'
import { SessionService } from '../auth/session-service.ts'
import { LoginService } from '../auth/login-service.ts'
import { OperatorAuthenticator } from '../auth/operator-authenticator.ts'
import { PresenceService } from './presence-service.ts'
import { LiveStreams } from './live-streams.ts'
import { UserAdmin } from './user-admin.ts'

/** The console's side of the hub: sessions, logins, presence, live streams, user administration. */
export interface ConsoleServices {
  readonly sessions: SessionService
  readonly login: LoginService
  /** Bearer token or session cookie → operator; used by the operator API's one auth hook. */
  readonly authenticator: OperatorAuthenticator
  readonly presence: PresenceService
  readonly live: LiveStreams
  readonly users: UserAdmin
}

/** Wires the console services; timers stop when `closing` aborts. */
export function buildConsoleServices (d: { store: Store, bus: Bus, audit: AuditLog, apiTokens: ApiTokenService, hostScope: HostScope, now: () => number, log: Logger, closing: AbortSignal }): ConsoleServices {
  const store = d.store.console
  const sessions = new SessionService(store, d.now)
  const presence = new PresenceService({ store, bus: d.bus, now: d.now, log: d.log, closing: d.closing })
  const live = new LiveStreams({ bus: d.bus, sessions, presence, scope: d.hostScope, closing: d.closing, log: d.log })
  return {
    sessions,
    login: new LoginService({ store, sessions, audit: d.audit, now: d.now, bus: d.bus, closing: d.closing }),
    authenticator: new OperatorAuthenticator(d.apiTokens, sessions, store),
    presence,
    live,
    users: new UserAdmin({ store, audit: d.audit, now: d.now, presence, live })
  }
}
