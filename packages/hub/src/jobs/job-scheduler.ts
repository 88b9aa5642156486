import type { Logger } from 'pino'
import { toWireError } from '@outpost/protocol'
import { BusSubject, type Bus } from '../bus/bus.ts'
import type { Store } from '../store/store.ts'
import type { JobRecord } from '../store/job-store.ts'
import type { CommandService } from '../commands/command-service.ts'
import { Wakeup } from '../commands/wakeup.ts'
import { AuditAction, type AuditLog } from '../audit/audit-log.ts'
import { HubError, HubErrorCode } from '../errors.ts'
import { instructionOf } from './job-views.ts'
import type { JobLive } from './job-live.ts'

/** Longest the scheduler sleeps without looking at the store (a missed bus event, a stalled start). */
export const JOB_POLL_MS = 10_000
/** A running job whose start has made no progress for this long is taken over by any hub. */
export const JOB_STALL_MS = 60_000
/** Hosts started per store round trip, and jobs claimed per tick. */
const BATCH = 100

/** What the scheduler is given. */
export interface JobSchedulerDeps {
  readonly store: Store
  readonly bus: Bus
  readonly commands: CommandService
  readonly audit: AuditLog
  readonly live: JobLive
  readonly now: () => number
  readonly log: Logger
}

/**
 * Starts jobs when their `runAt` comes and announces expiries. Every hub replica runs one; the
 * store's atomic claim gives each due job to exactly one of them, and each host's command has an
 * id fixed when the job was made, so that a host is started at most once even when a stalled start
 * is taken over. Sleeps until the next due time, woken early by `BusSubject.jobsScheduled`.
 */
export class JobScheduler {
  readonly #d: JobSchedulerDeps
  readonly #wakeup = new Wakeup()
  readonly #stop = new AbortController()
  #unsubscribe: (() => void) | undefined
  #loop: Promise<void> | undefined

  constructor (deps: JobSchedulerDeps) {
    this.#d = deps
  }

  /** Starts the loop (idempotent). */
  start (): void {
    if (this.#loop !== undefined) return
    this.#unsubscribe = this.#d.bus.subscribe(BusSubject.jobsScheduled, () => { this.#wakeup.notify() })
    this.#loop = this.#run()
  }

  /** Looks at the store now (a job was created or changed on this replica). */
  wake (): void {
    this.#wakeup.notify()
  }

  /** Stops the loop after the tick in progress. */
  async close (): Promise<void> {
    this.#stop.abort()
    this.#unsubscribe?.()
    await this.#loop
  }

  async #run (): Promise<void> {
    while (!this.#stop.signal.aborted) {
      let next: number | null = null
      try {
        await this.tick()
        next = await this.#d.store.jobs.nextWakeAt()
      } catch (err) {
        this.#d.log.error({ err }, 'job scheduler tick failed; retrying')
      }
      const wait = next === null ? JOB_POLL_MS : Math.min(JOB_POLL_MS, next - this.#d.now())
      // At least a few ms: a due time a hair ahead of the clock must not spin the loop.
      await this.#wakeup.wait(Math.max(5, wait), this.#stop.signal)
    }
  }

  /** One pass: start due jobs, take over stalled starts, announce expiries. */
  async tick (): Promise<void> {
    const { store, now } = this.#d
    for (;;) {
      const due = await store.jobs.claimDueJobs(now(), BATCH)
      for (const job of due) await this.#start(job, true)
      if (due.length < BATCH) break
    }
    const stalled = await store.jobs.reclaimStalledJobs(now(), now() - JOB_STALL_MS, BATCH)
    for (const job of stalled) {
      this.#d.log.warn({ jobId: job.id }, 'taking over a job whose start stalled')
      await this.#start(job, false)
    }
    for (const id of await store.jobs.claimExpiredJobs(now(), BATCH)) this.#d.live.changed(id)
  }

  /** Queues one command per host still to start, in batches; stops when the job is cancelled. */
  async #start (job: JobRecord, first: boolean): Promise<void> {
    const { store, commands, live, log } = this.#d
    if (first) {
      await this.#d.audit.record({ actor: 'system', action: AuditAction.JobStart, target: `job:${job.id}`, result: 'ok', detail: { name: job.name } })
      live.changed(job.id)
    }
    const body = instructionOf(job.action)
    for (;;) {
      const current = await store.jobs.getJob(job.id)
      if (current?.state !== 'running') break
      const batch = await store.jobs.hostsToStart(job.id, BATCH)
      if (batch.length === 0) break
      for (const h of batch) {
        const ttlMs = job.expiresAt - this.#d.now()
        try {
          if (ttlMs <= 0) await store.jobs.settleJobHost(job.id, h.hostId, 'expired', null)
          else await commands.create({ id: h.commandId, agentId: h.hostId, body, ttlMs, issuer: job.createdBy })
        } catch (err) {
          // The command exists: another hub took over this start meanwhile; the id made it once.
          if (await store.getCommand(h.commandId) !== undefined) continue
          if (!(err instanceof HubError) || err.code === HubErrorCode.Store) {
            log.error({ err, jobId: job.id, hostId: h.hostId }, 'queuing a job host failed; the job is retried later')
            return
          }
          await store.jobs.settleJobHost(job.id, h.hostId, 'failed', toWireError(err))
        }
        live.changed(job.id, [h.hostId])
      }
    }
    // A cancel that raced this start may have missed a command created just after it.
    if ((await store.jobs.getJob(job.id))?.state === 'cancelled') {
      const hosts = await store.jobs.sweepCancelled(job.id)
      if (hosts.length > 0) live.changed(job.id, hosts)
    }
  }
}
