import type { Logger } from 'pino'
import type { Bus } from '../bus/bus.ts'
import type { Store, IngestReport } from '../store/store.ts'
import type { AuditLog } from '../audit/audit-log.ts'
import { AlertEngine, type FinishedCommand } from './alert-engine.ts'
import { AlertLifecycle } from './alert-lifecycle.ts'
import { AlertAdmin } from './alert-admin.ts'
import { AlertSweep } from './alert-sweep.ts'
import { ensureDefaultRules } from './default-rules.ts'
import { HostDirectory } from './host-directory.ts'
import { LivePublisher } from './live-publisher.ts'
import { NotificationDrain, type AlertNotifier } from './notification-drain.ts'
import { OpenAlerts } from './open-alerts.ts'
import { RuleBook } from './rule-book.ts'

/** How often the sweep runs (offline hosts, repeats, other replicas' changes). */
export const ALERT_SWEEP_MS = 1000
/** Evaluations waiting at most; past it a batch is skipped (and logged) rather than queued. */
export const MAX_QUEUED_EVALUATIONS = 10_000

/** What the alert service is built from. */
export interface AlertServiceDeps {
  readonly store: Store
  readonly bus: Bus
  readonly audit: AuditLog
  readonly notifier: AlertNotifier
  readonly now: () => number
  readonly log: Logger
  /** `config.agentIntervalMs`. */
  readonly intervalMs: number
  /** `config.adminEmail`: who the default rules notify. */
  readonly adminEmail: string | null
}

/**
 * The alert engine of one hub: evaluates committed reports and command results in order (after
 * the commit, off the agent's request), sweeps periodically, and offers the API side (`admin`).
 */
export class AlertService {
  /** Rules, alerts and silences for the operator API. */
  readonly admin: AlertAdmin
  readonly #d: AlertServiceDeps
  readonly #engine: AlertEngine
  readonly #drain: NotificationDrain
  readonly #live: LivePublisher
  readonly #rules: RuleBook
  #sweep: AlertSweep | undefined
  #timer: NodeJS.Timeout | undefined
  #work: Promise<void> = Promise.resolve()
  #queued = 0
  #sweepQueued = false
  #closed = false

  constructor (deps: AlertServiceDeps) {
    this.#d = deps
    const { store, bus, now, log } = deps
    this.#rules = new RuleBook(store.alerts, { bus, now, log })
    const hosts = new HostDirectory(store)
    const open = new OpenAlerts()
    this.#live = new LivePublisher({ bus, store, now, intervalMs: deps.intervalMs, log })
    this.#drain = new NotificationDrain({ store: store.alerts, notifier: deps.notifier, now, log })
    const lifecycle = new AlertLifecycle({ store: store.alerts, rules: this.#rules, hosts, live: this.#live, drain: this.#drain })
    this.#engine = new AlertEngine({ store: store.alerts, rules: this.#rules, hosts, open, lifecycle, live: this.#live, log })
    this.admin = new AlertAdmin({ store, audit: deps.audit, rules: this.#rules, open, lifecycle, now })
    this.#sweepDeps = { store: store.alerts, rules: this.#rules, open, engine: this.#engine, lifecycle, hosts, live: this.#live, drain: this.#drain, intervalMs: deps.intervalMs, topology: store }
  }

  readonly #sweepDeps: Omit<ConstructorParameters<typeof AlertSweep>[0], 'startedAt'>

  /** Creates the default rules on a first start, reads the rules, and starts sweeping. */
  async start (): Promise<void> {
    const { store, now, adminEmail, log } = this.#d
    const created = await ensureDefaultRules(store, adminEmail, now())
    if (created > 0) log.info({ rules: created, notify: adminEmail }, 'default alert rules created')
    this.#sweep = new AlertSweep({ ...this.#sweepDeps, startedAt: now() })
    await this.#sweep.run(now())
    this.#timer = setInterval(() => {
      // One sweep waiting is enough: a slow store must not pile them up.
      if (this.#sweepQueued) return
      this.#sweepQueued = true
      this.#enqueue('sweep', async (s) => {
        s.#sweepQueued = false
        await s.#sweep?.run(s.#d.now())
      })
    }, ALERT_SWEEP_MS)
    this.#timer.unref()
  }

  /** Reports were committed: evaluate them (queued, in commit order). */
  onReports (reports: readonly IngestReport[]): void {
    this.#enqueue('reports', (s) => s.#engine.evaluateReports(reports))
  }

  /** A command's result was recorded. */
  onCommandFinished (c: FinishedCommand): void {
    const at = this.#d.now()
    this.#enqueue('command result', (s) => s.#engine.commandFinished(c, at))
  }

  /**
   * Stops sweeping and waits for queued evaluations and the outbox drain. Notifications still
   * being delivered keep their outbox rows: close the notifier next, then `closeOutbox()`.
   */
  async close (): Promise<void> {
    this.#closed = true
    this.#rules.close()
    if (this.#timer !== undefined) clearInterval(this.#timer)
    await this.#work
    this.#drain.stop()
    await this.#drain.idle()
    await this.#live.close()
  }

  /**
   * After the notifier closed (before the store does): removes the outbox rows of what it
   * delivered while closing and gives back the claims of what it did not, for the next start.
   */
  async closeOutbox (): Promise<void> {
    try {
      await this.#drain.close()
    } catch (err) {
      // Safe: the unsent rows stay claimed and are sent again once their lease lapses.
      this.#d.log.error({ err }, 'giving back unsent alert notifications failed')
    }
  }

  #enqueue (what: string, job: (s: AlertService) => Promise<void> | undefined): void {
    if (this.#closed) return
    if (this.#queued >= MAX_QUEUED_EVALUATIONS) {
      this.#d.log.warn({ what, queued: this.#queued }, 'alert evaluation skipped: too many waiting')
      return
    }
    this.#queued++
    this.#work = this.#work.then(async () => {
      try {
        await job(this)
      } catch (err) {
        // One failed evaluation must not stop the next; the sweep re-reads the store's state.
        this.#d.log.error({ err, what }, 'alert evaluation failed')
      } finally {
        this.#queued--
      }
    })
  }
}
