import { randomId, type CreateJobRequest, type JobDetail, type JobSummary } from '@outpost/protocol'
import type { Logger } from 'pino'
import { BusSubject, type Bus } from '../bus/bus.ts'
import type { Store, HostSummaryRecord } from '../store/store.ts'
import type { NewJobHost } from '../store/job-store.ts'
import { AuditAction, type AuditLog } from '../audit/audit-log.ts'
import type { OperatorIdentity } from '../auth/api-token-service.ts'
import { canSeeGroup, canSeeHost, isUnrestricted, type HostScope } from '../auth/host-scope.ts'
import { Wakeup } from '../commands/wakeup.ts'
import { HubError, HubErrorCode } from '../errors.ts'
import { invalid } from '../http/error-mapping.ts'
import { checkJobRequest, MAX_JOB_HOSTS } from './job-request.ts'
import { auditedAction, jobDetail, jobSummary } from './job-views.ts'
import type { JobLive } from './job-live.ts'

/** Default and largest page of `GET /api/v1/jobs`. */
export const DEFAULT_JOB_PAGE = 50
export const MAX_JOB_PAGE = 500
/** Longest `GET /api/v1/jobs/:id?wait=` holds the answer. */
export const MAX_JOB_WAIT_MS = 60_000

/** What the job service is given. */
export interface JobServiceDeps {
  readonly store: Store
  readonly bus: Bus
  readonly audit: AuditLog
  readonly hostScope: HostScope
  readonly live: JobLive
  readonly now: () => number
  readonly log: Logger
  /** Wakes this replica's scheduler (other replicas hear `BusSubject.jobsScheduled`). */
  readonly wake: () => void
}

/**
 * Jobs as the operator API sees them. A job is visible to a caller only when every one of its
 * hosts is in the caller's host groups: a job that reaches hosts the caller may not see is
 * answered like a missing one, so that neither its hosts nor their results leak.
 */
export class JobService {
  readonly #d: JobServiceDeps

  constructor (deps: JobServiceDeps) {
    this.#d = deps
  }

  /** Creates a job for the hosts the target names now; it starts at `runAt` (now when absent). */
  async create (identity: OperatorIdentity | undefined, body: CreateJobRequest, route: string): Promise<JobDetail> {
    const { store, audit, now } = this.#d
    const actor = identity?.actor ?? 'system'
    const timing = checkJobRequest(body, now())
    const hosts = await this.#resolve(identity, body.target, route)
    if (hosts.length === 0) throw invalid('the target matches no host: its groups have no hosts')
    if (hosts.length > MAX_JOB_HOSTS) throw invalid(`the target matches ${hosts.length} hosts; a job reaches at most ${MAX_JOB_HOSTS}`)
    const id = randomId(16)
    const rows: NewJobHost[] = hosts.map(h => ({ hostId: h.id, hostName: h.name, group: h.group, commandId: randomId(16) }))
    await store.jobs.createJob({ id, name: body.name.trim(), createdBy: actor, createdAt: now(), ...timing, action: body.action }, rows)
    await audit.record({
      actor, action: AuditAction.JobCreate, target: `job:${id}`, result: 'ok',
      detail: { name: body.name, hosts: rows.length, runAt: timing.runAt, expiresAt: timing.expiresAt, action: auditedAction(body.action) }
    })
    this.#d.wake()
    this.#d.bus.publish(BusSubject.jobsScheduled, { jobId: id, runAt: timing.runAt })
    return this.#detail(id)
  }

  /** Newest first, only jobs the caller sees whole. */
  async list (identity: OperatorIdentity | undefined, q: { limit?: number | undefined, before?: string | undefined }): Promise<JobSummary[]> {
    const { store, now } = this.#d
    const limit = Math.min(Math.max(q.limit ?? DEFAULT_JOB_PAGE, 0), MAX_JOB_PAGE)
    const groups = isUnrestricted(identity) ? undefined : [...(identity?.groups ?? [])]
    const jobs = await store.jobs.listJobs({ limit, before: q.before, groups })
    const counts = await store.jobs.countHosts(jobs.map(j => j.id), now())
    return jobs.flatMap(j => {
      const c = counts.get(j.id)
      return c === undefined ? [] : [jobSummary(j, c)]
    })
  }

  /** One job with its hosts, or 404 `no such job` (also when out of scope, audited). */
  async get (identity: OperatorIdentity | undefined, id: string, route: string): Promise<JobDetail> {
    await this.#requireVisible(identity, id, route)
    return this.#detail(id)
  }

  /** The job once it finished, or as it stands after `waitMs` (or when `signal` aborts). */
  async waitFinished (identity: OperatorIdentity | undefined, id: string, waitMs: number, route: string, signal: AbortSignal): Promise<JobDetail> {
    await this.#requireVisible(identity, id, route)
    const deadline = this.#d.now() + Math.min(Math.max(waitMs, 0), MAX_JOB_WAIT_MS)
    const wakeup = new Wakeup()
    // Subscribe before reading, so that an event landing in between is not missed.
    const unsubscribe = this.#d.bus.subscribe(BusSubject.live, (e) => {
      const ev = e as { type?: unknown, job?: { id?: unknown } } | null
      if (ev?.type === 'job' && ev.job?.id === id) wakeup.notify()
    })
    try {
      let job = await this.#detail(id)
      while ((job.state === 'scheduled' || job.state === 'running') && !signal.aborted) {
        const left = deadline - this.#d.now()
        if (left <= 0) break
        await wakeup.wait(left, signal)
        job = await this.#detail(id)
      }
      return job
    } finally {
      unsubscribe()
    }
  }

  /**
   * Cancels a scheduled or running job: a scheduled one never starts; of a running one, hosts
   * whose command was not handed out yet are cancelled (a command already sent cannot be recalled).
   */
  async cancel (identity: OperatorIdentity | undefined, id: string, route: string): Promise<JobDetail> {
    const { store, audit, now } = this.#d
    await this.#requireVisible(identity, id, route)
    const actor = identity?.actor ?? 'system'
    const before = await this.#detail(id)
    const cancelled = before.state === 'finished' || before.state === 'cancelled' ? undefined : await store.jobs.cancelJob(id, now())
    if (cancelled === undefined) {
      await audit.record({ actor, action: AuditAction.JobCancel, target: `job:${id}`, result: HubErrorCode.Conflict, detail: { state: before.state } })
      throw new HubError(HubErrorCode.Conflict, `the job is ${before.state === 'cancelled' ? 'cancelled' : 'finished'} already`)
    }
    await audit.record({ actor, action: AuditAction.JobCancel, target: `job:${id}`, result: 'ok', detail: { was: before.state, hosts: cancelled.length } })
    this.#d.live.changed(id, cancelled)
    this.#d.wake()
    return this.#detail(id)
  }

  async #detail (id: string): Promise<JobDetail> {
    const job = await this.#d.store.jobs.getJob(id)
    if (job === undefined) throw new HubError(HubErrorCode.NotFound, 'no such job')
    return jobDetail(job, await this.#d.store.jobs.listJobHosts(id, this.#d.now()))
  }

  async #requireVisible (identity: OperatorIdentity | undefined, id: string, route: string): Promise<void> {
    const groups = await this.#d.store.jobs.jobGroups(id)
    if (groups === undefined) throw new HubError(HubErrorCode.NotFound, 'no such job')
    if (!groups.every(g => canSeeGroup(identity, g))) await this.#d.hostScope.deny(identity, `job:${id}`, route, 'no such job')
  }

  /**
   * The listed hosts and every host of the listed groups, once each. An unknown host id, or one
   * out of the caller's scope, is refused like a missing host (404, the scope miss audited); a
   * group out of scope is refused with 403, as a group is a name and reveals no host.
   */
  async #resolve (identity: OperatorIdentity | undefined, target: CreateJobRequest['target'], route: string): Promise<HostSummaryRecord[]> {
    const { store, audit } = this.#d
    const actor = identity?.actor ?? 'system'
    const groups = [...new Set(target.groups ?? [])]
    for (const g of groups) {
      if (canSeeGroup(identity, g)) continue
      await audit.record({ actor, action: AuditAction.ApiAccess, target: `group:${g}`, result: 'denied', detail: { reason: 'host-scope', route, groups: [...(identity?.groups ?? [])] } })
      throw new HubError(HubErrorCode.Forbidden, `host group "${g}" is not one of yours`)
    }
    const ids = [...new Set(target.hostIds ?? [])]
    const found = new Map((await store.listHostSummaries(ids)).map(h => [h.id, h]))
    for (const id of ids) {
      const h = found.get(id)
      if (h !== undefined && !canSeeHost(identity, h)) await this.#d.hostScope.deny(identity, `host:${id}`, route, 'no such host')
      if (h === undefined) {
        await audit.record({ actor, action: AuditAction.JobCreate, target: `host:${id}`, result: HubErrorCode.NotFound, detail: {} })
        throw new HubError(HubErrorCode.NotFound, 'no such host')
      }
    }
    if (groups.length > 0) {
      const wanted = new Set(groups)
      for (const h of await store.listHostSummaries()) if (wanted.has(h.group)) found.set(h.id, h)
    }
    return [...found.values()]
  }
}
