import { mkdir } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { pino, type Logger } from 'pino'
import type { FastifyInstance } from 'fastify'
import type { Bus } from './bus/bus.ts'
import { openBus } from './bus/open-bus.ts'
import type { Store } from './store/store.ts'
import { openStore } from './store/open-store.ts'
import type { HubConfig } from './config/hub-config.ts'
import { storeOptionsFor } from './config/store-options.ts'
import { defaultPublicUrl, urlHost, writeHubFacts } from './config/hub-facts.ts'
import { HubError, HubErrorCode } from './errors.ts'
import { loadTlsMaterial, type TlsMaterial } from './tls/tls-material.ts'
import { loadHubSigningKey } from './auth/hub-signing-key.ts'
import { buildServices } from './build-services.ts'
import type { HubServices } from './hub-services.ts'
import { buildApp } from './http/build-app.ts'
import { AgentWsServer, type WsTiming } from './ws/agent-ws-server.ts'
import type { UpgradeAdmissionOptions } from './ws/upgrade-admission.ts'
import { SessionSockets } from './sessions/session-sockets.ts'
import { adminOps, type HubAdminOps } from './admin/admin-ops.ts'
import type { RetryPolicy } from './notify/retry-policy.ts'

/** Accept queue length asked of the kernel (capped by net.core.somaxconn). */
const LISTEN_BACKLOG = 8192
/** How often commands past their expiry are marked `expired`. */
export const EXPIRE_SWEEP_MS = 30_000

/** A hub: created unstarted, then `listen()`, then `close()`. */
export interface Hub extends HubAdminOps {
  /** Opens the store, makes or reads TLS material and keys, and listens (HTTPS, one port). */
  listen (): Promise<{ url: string, port: number }>
  /** Graceful: refuses new work, answers held polls, closes sockets, flushes ingest, closes what it opened. */
  close (): Promise<void>
  /** SHA-256 hex of the TLS certificate (after `listen`, or after an admin operation). */
  readonly fingerprint: string
  /** The URL agents are told to use (known after `listen` when the port is chosen by the OS). */
  readonly publicUrl: string
}

/** Optional dependencies; what is passed in is the caller's to close. */
export interface HubDeps {
  readonly logger?: Logger
  readonly store?: Store
  readonly bus?: Bus
  readonly now?: () => number
  readonly wsTiming?: WsTiming
  /** Bounds of the agent WebSocket front; default `DEFAULT_UPGRADE_ADMISSION` (tests lower them). */
  readonly wsAdmission?: Partial<UpgradeAdmissionOptions>
  /** How failed notifications are retried; default `DEFAULT_NOTIFY_RETRY` (tests shorten it). */
  readonly notifyRetry?: RetryPolicy
}

interface Started { store: Store, tls: TlsMaterial, services: HubServices, app: FastifyInstance, ws: AgentWsServer, sessionSockets: SessionSockets, admin: HubAdminOps }

/** Creates a hub that is not yet listening. */
export function createHub (config: HubConfig, deps: HubDeps = {}): Hub {
  const log = deps.logger ?? pino({ level: config.logLevel })
  const now = deps.now ?? Date.now
  // Connected in `start`: a NATS bus that cannot be reached fails the start, not the construction.
  let bus: Bus | undefined = deps.bus
  const closing = new AbortController()
  let port: number | null = config.listen.port === 0 ? null : config.listen.port
  let init: Promise<Started> | undefined
  let closed: Promise<void> | undefined
  let sweeper: NodeJS.Timeout | undefined
  let cert: TlsMaterial | undefined

  const publicUrl = (): string => {
    if (config.publicUrl !== null) return defaultPublicUrl(config, 0)
    if (port === null) throw new HubError(HubErrorCode.Unavailable, 'the public URL is known once the hub listens')
    return defaultPublicUrl(config, port)
  }

  async function start (): Promise<Started> {
    if (closing.signal.aborted) throw new HubError(HubErrorCode.Unavailable, 'hub is closed')
    await mkdir(config.dataDir, { recursive: true, mode: 0o700 })
    const guessHost = config.publicUrl !== null ? urlHost(config.publicUrl) : config.listen.host
    const tls = await loadTlsMaterial(config, guessHost === '0.0.0.0' || guessHost === '::' ? null : guessHost)
    cert = tls
    const theBus = bus ??= await openBus(config, log.child({ component: 'bus' }))
    const store = deps.store ?? await openStore(storeOptionsFor(config))
    try {
      const hubKey = await loadHubSigningKey(store)
      const services = buildServices({ config, store, bus: theBus, log, now, hubKey, closing: closing.signal, notifyRetry: deps.notifyRetry, identity: { publicUrl, fingerprint: () => tls.fingerprint } })
      const app = await buildApp(services, tls)
      const ws = new AgentWsServer(services, deps.wsTiming, deps.wsAdmission)
      const sessionSockets = new SessionSockets({ sessions: services.sessions, operators: services.console.authenticator, agents: services.requestAuth, audit: services.audit, bus: theBus, log: log.child({ component: 'sessions' }), publicUrl: config.publicUrl, closing: closing.signal })
      ws.attach(app.server as Server, (req, socket, head) => sessionSockets.handleUpgrade(req, socket, head))
      return { store, tls, services, app, ws, sessionSockets, admin: adminOps({ ...services, adminEmail: config.adminEmail }) }
    } catch (err) {
      if (deps.store === undefined) await store.close()
      throw err
    }
  }
  const started = (): Promise<Started> => (init ??= start())

  async function shutdown (): Promise<void> {
    closing.abort()
    if (sweeper !== undefined) clearInterval(sweeper)
    if (init !== undefined) {
      let s: Started | undefined
      try {
        s = await init
      } catch (err) {
        log.debug({ err }, 'hub never started; nothing to close but what was passed in')
      }
      if (s !== undefined) {
        await s.services.sessions.shutdown('the hub is shutting down')
        await s.sessionSockets.close()
        await s.ws.close()
        await s.app.close()
        await s.services.ingest.drain()
        await s.services.lastSeen.close()
        await s.services.jobs.close()
        s.services.commands.close()
        await s.services.alerts.close()
        await s.services.notifier.close()
        await s.services.alerts.closeOutbox()
        if (deps.store === undefined) await s.store.close()
      }
    }
    if (deps.bus === undefined) await bus?.close()
  }

  return {
    async listen () {
      const s = await started()
      // When thousands of agents dial at once (a restart), connections the event loop has not yet
      // accepted wait in the kernel's queue; Node's default of 511 overflows and the kernel drops
      // them silently, which agents see as time-outs, not as a 503 they can back off from. The
      // kernel caps this at net.core.somaxconn (4096 on current Linux).
      await s.app.listen({ host: config.listen.host, port: config.listen.port, backlog: LISTEN_BACKLOG })
      const address = s.app.server.address() as AddressInfo
      port = address.port
      sweeper = setInterval(() => {
        s.store.expireCommands(now()).catch((err: unknown) => { log.error({ err }, 'expiring commands failed') })
      }, EXPIRE_SWEEP_MS)
      sweeper.unref()
      await s.services.alerts.start()
      s.services.jobs.start()
      await writeHubFacts(config.dataDir, { publicUrl: publicUrl(), port, fingerprint: s.tls.fingerprint, startedAt: now() })
      const host = config.listen.host === '0.0.0.0' ? '127.0.0.1' : config.listen.host === '::' ? '[::1]' : address.family === 'IPv6' ? `[${address.address}]` : address.address
      log.info({ port, publicUrl: publicUrl(), fingerprint: s.tls.fingerprint, store: s.store.kind }, 'hub listening')
      return { url: `https://${host}:${port}`, port }
    },
    close: () => (closed ??= shutdown()),
    get fingerprint () {
      if (cert === undefined) throw new HubError(HubErrorCode.Unavailable, 'the fingerprint is known once the hub listens')
      return cert.fingerprint
    },
    get publicUrl () {
      return publicUrl()
    },
    createEnrollToken: async (opts) => (await started()).admin.createEnrollToken(opts),
    createApiToken: async (opts) => (await started()).admin.createApiToken(opts),
    ensureAdminUser: async (password) => (await started()).admin.ensureAdminUser(password),
    verifyAudit: async () => (await started()).admin.verifyAudit()
  }
}
