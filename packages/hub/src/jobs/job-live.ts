import type { LiveEvent } from '@outpost/protocol'
import type { Logger } from 'pino'
import { BusSubject, type Bus } from '../bus/bus.ts'
import type { Store } from '../store/store.ts'
import { countOf, jobHost, jobSummary } from './job-views.ts'
import { DelayedFlush } from '../console/delayed-flush.ts'

/** Changes of one job are gathered this long and published as one `job` event. */
export const JOB_EVENT_INTERVAL_MS = 300

/**
 * Publishes `job` live events (`BusSubject.live`) so that the console follows a job without
 * polling. Changes are gathered per job for a moment, so that a thousand hosts answering at once
 * cost a few events, each with the job's summary and the hosts that changed.
 */
export class JobLive {
  readonly #d: { bus: Bus, store: Store, now: () => number, log: Logger }
  readonly #changed = new Map<string, Set<string>>()
  readonly #flusher = new DelayedFlush(JOB_EVENT_INTERVAL_MS, () => this.#flush())

  constructor (d: { bus: Bus, store: Store, now: () => number, log: Logger }) {
    this.#d = d
  }

  /** Hosts of a job changed state (none: the job itself did). */
  changed (jobId: string, hostIds: readonly string[] = []): void {
    if (this.#flusher.closed) return
    const set = this.#changed.get(jobId) ?? new Set<string>()
    for (const h of hostIds) set.add(h)
    this.#changed.set(jobId, set)
    this.#flusher.schedule()
  }

  /**
   * Commands were handed out or finished: those that belong to a job become job events. Called
   * from the command service on the replica that saw the change; never throws.
   */
  commandsChanged (commandIds: readonly string[]): void {
    if (this.#flusher.closed || commandIds.length === 0) return
    this.#d.store.jobs.jobHostsOfCommands(commandIds).then((rows) => {
      for (const r of rows) this.changed(r.jobId, [r.hostId])
    }, (err: unknown) => {
      this.#d.log.warn({ err, commands: commandIds.length }, 'job progress not published')
    })
  }

  /** Stops publishing; waits for an event being built. */
  close (): Promise<void> {
    return this.#flusher.close()
  }

  async #flush (): Promise<void> {
    const batch = [...this.#changed]
    this.#changed.clear()
    for (const [jobId, hostIds] of batch) {
      try {
        const job = await this.#d.store.jobs.getJob(jobId)
        if (job === undefined) continue
        const now = this.#d.now()
        const all = await this.#d.store.jobs.listJobHosts(jobId, now)
        const wanted = new Set(hostIds)
        const event: LiveEvent = { type: 'job', job: jobSummary(job, countOf(all)), hosts: all.filter(h => wanted.has(h.hostId)).map(jobHost) }
        this.#d.bus.publish(BusSubject.live, event)
      } catch (err) {
        this.#d.log.warn({ err, jobId }, 'job live event not published')
      }
    }
  }
}
