import type { Logger } from 'pino'
import { MAX_METRICS_PER_REPORT, type ReportMessage } from '@outpost/protocol'
import type { ThresholdRule } from '../config/agent-config.ts'
import { inventoryDigest, ThresholdWatcher } from '../collectors/index.ts'
import type { ReportRequest } from '../executor/instruction-executor.ts'
import type { AgentCollectors } from './collectors.ts'
import { jittered } from './jitter.ts'

/** The inventory is re-collected (and sent if its digest changed) at most this often: it spawns tools. */
export const INVENTORY_CHECK_MS = 5 * 60_000

/** A report before the spool numbers it. */
export type UnsequencedReport = Omit<ReportMessage, 'seq'>

/** What the scheduler needs. */
export interface SchedulerOptions {
  readonly intervalMs: number
  readonly jitter: number
  readonly thresholdCheckMs: number
  readonly thresholds: readonly ThresholdRule[]
  readonly collectors: AgentCollectors
  /** Spools a report (synchronously durable). */
  readonly append: (r: UnsequencedReport) => void
  /** Topology facts sent with every status report: the upstream in use, and what a relay carries. */
  readonly topology?: () => Pick<UnsequencedReport, 'link' | 'relay'>
  readonly now?: () => number
  readonly random?: () => number
  readonly logger?: Logger
}

/**
 * Produces the agent's reports: one every `intervalMs` ± jitter with status metrics and the
 * snapshot (plus the inventory on the first report of a run and whenever its digest changes),
 * an event report at once when a threshold check finds crossings, and on-demand reports for
 * `report-now` / `report-items`. Report jobs run one at a time.
 */
export class ReportScheduler {
  readonly #o: SchedulerOptions
  readonly #now: () => number
  readonly #watcher: ThresholdWatcher
  #chain: Promise<void> = Promise.resolve()
  #reportTimer: NodeJS.Timeout | undefined
  #thresholdTimer: NodeJS.Timeout | undefined
  #thresholdRun: Promise<void> = Promise.resolve()
  #running = false
  #digest: string | undefined
  #inventoryCheckedAt = -Infinity

  constructor (opts: SchedulerOptions) {
    this.#o = opts
    this.#now = opts.now ?? Date.now
    this.#watcher = new ThresholdWatcher(opts.thresholds)
  }

  /** Sends the first report now and starts both timers. */
  start (): void {
    if (this.#running) return
    this.#running = true
    void this.#enqueue(() => this.#periodic())
    this.#scheduleReport()
    if (this.#o.thresholds.length > 0) this.#scheduleThreshold()
  }

  /** Stops the timers and waits for the job in progress. */
  async stop (): Promise<void> {
    this.#running = false
    clearTimeout(this.#reportTimer)
    clearTimeout(this.#thresholdTimer)
    await this.#chain
    await this.#thresholdRun
  }

  /** Collects and spools the report an instruction asked for; resolves once it is spooled. */
  request (req: ReportRequest): Promise<void> {
    return this.#enqueue(async () => {
      if (req.type === 'report-now') {
        await this.#collect({ inventory: true, status: true, metrics: undefined })
        return
      }
      const names = new Set<string>(req.names)
      const metricNames = [...names].filter((n) => n !== 'inventory' && n !== 'status')
      await this.#collect({ inventory: names.has('inventory'), status: names.has('status'), metrics: metricNames.length > 0 ? new Set(metricNames) : null })
    })
  }

  /** A status report now (no inventory): the agent's upstream or what it relays changed. */
  statusNow (): void {
    if (!this.#running) return
    void this.#enqueue(() => this.#collect({ inventory: false, status: true, metrics: undefined }))
  }

  #enqueue (job: () => Promise<void>): Promise<void> {
    const run = this.#chain.then(job)
    // The chain itself must never reject, or one failed report would stop all later ones.
    this.#chain = run.catch((err: unknown) => { this.#o.logger?.error({ err }, 'report failed') })
    return run
  }

  #scheduleReport (): void {
    if (!this.#running) return
    this.#reportTimer = setTimeout(() => {
      void this.#enqueue(() => this.#periodic()).finally(() => this.#scheduleReport())
    }, jittered(this.#o.intervalMs, this.#o.jitter, this.#o.random))
  }

  async #periodic (): Promise<void> {
    const due = this.#now() - this.#inventoryCheckedAt >= INVENTORY_CHECK_MS
    await this.#collect({ inventory: due ? 'if-changed' : false, status: true, metrics: undefined })
  }

  /** `metrics`: undefined = all, null = none, a set = only those names. */
  async #collect (what: { inventory: boolean | 'if-changed', status: boolean, metrics: Set<string> | null | undefined }): Promise<void> {
    const report: UnsequencedReport = { type: 'report', time: this.#now() }
    const wantSample = what.status || what.metrics !== null
    const sample = wantSample ? await this.#o.collectors.sampleStatus() : undefined
    if (sample !== undefined && what.metrics !== null) {
      report.metrics = what.metrics === undefined ? sample.metrics : sample.metrics.filter((m) => what.metrics!.has(m.name))
    }
    if (sample !== undefined && what.status) {
      report.status = sample.snapshot
      Object.assign(report, this.#o.topology?.())
    }
    if (what.inventory !== false) {
      this.#inventoryCheckedAt = this.#now()
      try {
        const inventory = await this.#o.collectors.collectInventory()
        const digest = inventoryDigest(inventory)
        if (what.inventory === true || digest !== this.#digest) report.inventory = inventory
        this.#digest = digest
      } catch (err) {
        // The status part is still worth sending; the inventory is retried at the next check.
        this.#inventoryCheckedAt = -Infinity
        if (sample === undefined) throw err
        this.#o.logger?.warn({ err }, 'inventory collection failed')
      }
    }
    if (report.metrics !== undefined && report.metrics.length > MAX_METRICS_PER_REPORT) report.metrics = report.metrics.slice(0, MAX_METRICS_PER_REPORT)
    this.#o.append(report)
  }

  #scheduleThreshold (): void {
    if (!this.#running) return
    this.#thresholdTimer = setTimeout(() => {
      this.#thresholdRun = this.#checkThresholds()
        .catch((err: unknown) => { this.#o.logger?.error({ err }, 'threshold check failed') })
        .finally(() => this.#scheduleThreshold())
    }, this.#o.thresholdCheckMs)
  }

  async #checkThresholds (): Promise<void> {
    const metrics = await this.#o.collectors.sampleThresholdMetrics()
    const now = this.#now()
    const events = this.#watcher.check(metrics, now)
    if (events.length === 0 || !this.#running) return
    // The fresh values travel with the events, so that the hub's own rules on these metrics
    // see the crossing now rather than at the next interval.
    this.#o.append({ type: 'report', time: now, metrics: metrics.slice(0, MAX_METRICS_PER_REPORT), events: events.slice(0, 256) })
  }
}
