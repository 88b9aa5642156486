import type { Logger } from 'pino'
import type { SigningKeyPair } from '@outpost/protocol'
import type { Bus } from './bus/bus.ts'
import type { Store } from './store/store.ts'
import type { HubConfig } from './config/hub-config.ts'
import type { HubServices } from './hub-services.ts'
import { HostScope } from './auth/host-scope.ts'
import { AuditLog } from './audit/audit-log.ts'
import { ApiTokenService } from './auth/api-token-service.ts'
import { EnrollService, type HubIdentity } from './agents/enroll-service.ts'
import { IngestService } from './agents/ingest-service.ts'
import { LastSeenWriter } from './agents/last-seen-writer.ts'
import { RequestAuthenticator } from './agents/request-authenticator.ts'
import { createAgentMessageHandlers } from './agents/agent-message-handlers.ts'
import { CommandService } from './commands/command-service.ts'
import { Notifier, notifierOptions } from './notify/notifier.ts'
import { AlertService } from './alerts/alert-service.ts'
import type { RetryPolicy } from './notify/retry-policy.ts'
import { buildConsoleServices } from './console/console-services.ts'
import { JobLive } from './jobs/job-live.ts'
import { buildJobServices } from './jobs/job-services.ts'
import { SessionService } from './sessions/session-service.ts'
import { DEFAULT_SESSION_LIMITS } from './sessions/session-limits.ts'
import { TopologyRecorder } from './topology/topology-recorder.ts'

/** What the services are wired from. */
export interface ServiceInputs {
  readonly config: HubConfig
  readonly store: Store
  readonly bus: Bus
  readonly log: Logger
  readonly now: () => number
  readonly hubKey: SigningKeyPair
  readonly identity: Omit<HubIdentity, 'hubKey'>
  readonly closing: AbortSignal
  /** Retry policy of the notifier; its default when undefined. */
  readonly notifyRetry?: RetryPolicy | undefined
}

/** Wires the hub's services; every dependency is passed in, nothing is global. */
export function buildServices (i: ServiceInputs): HubServices {
  const { config, store, bus, log, now, hubKey, closing } = i
  const audit = new AuditLog(store, now)
  const ingest = new IngestService(store, config.limits, log.child({ component: 'ingest' }))
  const lastSeen = new LastSeenWriter(store, log.child({ component: 'last-seen' }))
  const apiTokens = new ApiTokenService(store, audit, now)
  const hostScope = new HostScope(store, audit)
  const options = notifierOptions(config, i.identity.publicUrl, log.child({ component: 'notify' }))
  const notifier = new Notifier(i.notifyRetry === undefined ? options : { ...options, retry: i.notifyRetry })
  const alerts = new AlertService({ store, bus, audit, notifier, now, log: log.child({ component: 'alerts' }), intervalMs: config.agentIntervalMs, adminEmail: config.adminEmail })
  ingest.onCommitted((reports) => { alerts.onReports(reports) })
  const topology = new TopologyRecorder({ store, audit, log: log.child({ component: 'topology' }) })
  ingest.onCommitted((reports) => { topology.onReports(reports) })
  const jobLive = new JobLive({ bus, store, now, log: log.child({ component: 'jobs' }) })
  const commands = new CommandService({
    store, bus, audit, hubKey, now, log: log.child({ component: 'commands' }),
    onFinished: (r) => { alerts.onCommandFinished(r); jobLive.commandsChanged([r.commandId]) },
    onSent: (ids) => { jobLive.commandsChanged(ids) }
  })
  const sessions = new SessionService({ dataDir: config.dataDir, store, bus, audit, commands, hostScope, now, log: log.child({ component: 'sessions' }), limits: DEFAULT_SESSION_LIMITS, maxPollMs: config.limits.maxPollMs })
  return {
    config,
    sessions,
    store,
    bus,
    log,
    now,
    hubKey,
    closing,
    audit,
    ingest,
    lastSeen,
    commands,
    notifier,
    alerts,
    apiTokens,
    hostScope,
    console: buildConsoleServices({ store, bus, audit, apiTokens, hostScope, now, log: log.child({ component: 'console' }), closing }),
    enroll: new EnrollService(store, audit, now, { ...i.identity, hubKey: hubKey.publicKey }),
    requestAuth: new RequestAuthenticator(store, now),
    jobs: buildJobServices({ store, bus, audit, commands, hostScope, live: jobLive, now, log: log.child({ component: 'jobs' }) }),
    handlers: createAgentMessageHandlers({ store, bus, ingest, lastSeen, commands, now, maxPollMs: config.limits.maxPollMs })
  }
}
