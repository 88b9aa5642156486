import type { Logger } from 'pino'
import type { SigningKeyPair } from '@outpost/protocol'
import type { Bus } from './bus/bus.ts'
import type { Store } from './store/store.ts'
import type { HubConfig } from './config/hub-config.ts'
import type { AuditLog } from './audit/audit-log.ts'
import type { ApiTokenService } from './auth/api-token-service.ts'
import type { HostScope } from './auth/host-scope.ts'
import type { EnrollService } from './agents/enroll-service.ts'
import type { IngestService } from './agents/ingest-service.ts'
import type { LastSeenWriter } from './agents/last-seen-writer.ts'
import type { RequestAuthenticator } from './agents/request-authenticator.ts'
import type { AgentMessageHandlers } from './agents/agent-message-handlers.ts'
import type { CommandService } from './commands/command-service.ts'
import type { Notifier } from './notify/notifier.ts'
import type { AlertService } from './alerts/alert-service.ts'
import type { ConsoleServices } from './console/console-services.ts'
import type { JobServices } from './jobs/job-services.ts'
import type { SessionService } from './sessions/session-service.ts'

/** Everything the transports (HTTP, WebSocket) call into, built once per hub. */
export interface HubServices {
  readonly config: HubConfig
  readonly store: Store
  readonly bus: Bus
  readonly log: Logger
  readonly now: () => number
  readonly hubKey: SigningKeyPair
  readonly audit: AuditLog
  readonly apiTokens: ApiTokenService
  /** Host-group scoping of operator routes: out-of-scope hosts answer 404 like missing ones. */
  readonly hostScope: HostScope
  readonly enroll: EnrollService
  readonly ingest: IngestService
  /** Batched `lastSeen` writes for polls and WebSocket authentications. */
  readonly lastSeen: LastSeenWriter
  readonly commands: CommandService
  /** Sends alert notifications (mail, webhooks); closed after the HTTP server. */
  readonly notifier: Notifier
  /** The alert engine and the alert API's operations. */
  readonly alerts: AlertService
  readonly requestAuth: RequestAuthenticator
  readonly handlers: AgentMessageHandlers
  /** Console sessions, logins, presence, live event streams and user administration. */
  readonly console: ConsoleServices
  /** Jobs: the API's operations (`api`), the scheduler and their live events. */
  readonly jobs: JobServices
  /** Live (terminal) sessions: opening, joining, closing, recordings, the agent's POST fallback. */
  readonly sessions: SessionService
  /** Aborts when the hub starts closing: held polls and waits answer at once. */
  readonly closing: AbortSignal
}
