import { sql, type Kysely, type RawBuilder } from 'kysely'
import type { JobAction, WireError } from '@outpost/protocol'
import type {
  JobFilter, JobHostCounts, JobHostRecord, JobHostStateRecord, JobRecord, JobStateRecord, JobStore, NewJob, NewJobHost
} from '../job-store.ts'
import { jsonCodec, type DbSchema, type JsonCodec } from './db-schema.ts'
import { guard } from './store-guard.ts'

/** The tables migration 0007 adds. */
type JobTables = {
  jobs: {
    id: string, name: string, created_by: string, created_at: number, run_at: number, expires_at: number, state: string
    action: unknown, started_at: number | null, cancelled_at: number | null, expiry_noted: number
  }
  job_hosts: { job_id: string, host_id: string, host_name: string, group_name: string, command_id: string, state: string, error: unknown }
}
type Db = DbSchema & JobTables
type JobRow = { [K in keyof JobTables['jobs']]: JobTables['jobs'][K] }

/** Rows per insert and ids per `in (…)`: well under both backends' bind-parameter limits. */
const CHUNK = 500
/** The largest page `listJobs` returns. */
export const MAX_JOB_ROWS = 1000
const EMPTY_COUNTS: JobHostCounts = { waiting: 0, queued: 0, sent: 0, completed: 0, failed: 0, rejected: 0, expired: 0, cancelled: 0 }

/** `JobStore` over Kysely, for both backends. */
export class KyselyJobStore implements JobStore {
  readonly #db: Kysely<Db>
  readonly #json: JsonCodec

  constructor (db: Kysely<DbSchema>, kind: 'sqlite' | 'postgres') {
    this.#db = db.withTables<JobTables>()
    this.#json = jsonCodec(kind)
  }

  createJob (job: NewJob, hosts: readonly NewJobHost[]): Promise<void> {
    return guard('jobs.createJob', () => this.#db.transaction().execute(async (trx) => {
      await trx.insertInto('jobs').values({
        id: job.id, name: job.name, created_by: job.createdBy, created_at: job.createdAt, run_at: job.runAt, expires_at: job.expiresAt,
        state: 'scheduled', action: JSON.stringify(job.action), started_at: null, cancelled_at: null, expiry_noted: 0
      }).execute()
      for (let i = 0; i < hosts.length; i += CHUNK) {
        await trx.insertInto('job_hosts').values(hosts.slice(i, i + CHUNK).map((h) => ({
          job_id: job.id, host_id: h.hostId, host_name: h.hostName, group_name: h.group, command_id: h.commandId, state: 'pending', error: null
        }))).execute()
      }
    }))
  }

  getJob (id: string): Promise<JobRecord | undefined> {
    return guard('jobs.getJob', async () => {
      const row = await this.#db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst()
      return row === undefined ? undefined : this.#toJob(row)
    })
  }

  listJobHosts (jobId: string, now: number): Promise<JobHostRecord[]> {
    return guard('jobs.listJobHosts', () => this.#hosts(jobId, undefined, now))
  }

  getJobHosts (jobId: string, hostIds: readonly string[], now: number): Promise<JobHostRecord[]> {
    return guard('jobs.getJobHosts', async () => {
      const out: JobHostRecord[] = []
      for (let i = 0; i < hostIds.length; i += CHUNK) out.push(...await this.#hosts(jobId, hostIds.slice(i, i + CHUNK), now))
      return out
    })
  }

  listJobs (q: JobFilter): Promise<JobRecord[]> {
    return guard('jobs.listJobs', async () => {
      let query = this.#db.selectFrom('jobs').selectAll('jobs')
      if (q.before !== undefined) {
        const cursor = await this.#db.selectFrom('jobs').select(['created_at', 'id']).where('id', '=', q.before).executeTakeFirst()
        if (cursor === undefined) return []
        query = query.where((eb) => eb.or([
          eb('jobs.created_at', '<', cursor.created_at),
          eb.and([eb('jobs.created_at', '=', cursor.created_at), eb('jobs.id', '<', cursor.id)])
        ]))
      }
      if (q.groups !== undefined) {
        const groups = [...q.groups]
        // A job is listed only when none of its hosts is outside the groups.
        query = query.where(({ not, exists, selectFrom }) => not(exists(
          selectFrom('job_hosts').select('job_hosts.host_id').whereRef('job_hosts.job_id', '=', 'jobs.id')
            .$if(groups.length > 0, (w) => w.where('job_hosts.group_name', 'not in', groups))
        )))
      }
      const limit = Math.max(0, Math.min(MAX_JOB_ROWS, Math.floor(q.limit)))
      const rows = await query.orderBy('jobs.created_at', 'desc').orderBy('jobs.id', 'desc').limit(limit).execute()
      return rows.map((r) => this.#toJob(r))
    })
  }

  countHosts (jobIds: readonly string[], now: number): Promise<Map<string, JobHostCounts>> {
    return guard('jobs.countHosts', async () => {
      const out = new Map<string, JobHostCounts>()
      for (let i = 0; i < jobIds.length; i += CHUNK) {
        const state = hostState(now)
        const rows = await this.#db.selectFrom('job_hosts as jh').leftJoin('commands as c', 'c.id', 'jh.command_id')
          .select(['jh.job_id', state.as('s'), (eb) => eb.fn.countAll().as('n')])
          .where('jh.job_id', 'in', jobIds.slice(i, i + CHUNK)).groupBy(['jh.job_id', state]).execute()
        for (const r of rows) {
          const counts = { ...(out.get(r.job_id) ?? EMPTY_COUNTS) }
          counts[r.s] += Number(r.n)
          out.set(r.job_id, counts)
        }
      }
      for (const id of jobIds) if (!out.has(id)) out.set(id, EMPTY_COUNTS)
      return out
    })
  }

  jobGroups (jobId: string): Promise<string[] | undefined> {
    return guard('jobs.jobGroups', async () => {
      const rows = await this.#db.selectFrom('job_hosts').select('group_name').distinct().where('job_id', '=', jobId).execute()
      if (rows.length > 0) return rows.map((r) => r.group_name)
      const job = await this.#db.selectFrom('jobs').select('id').where('id', '=', jobId).executeTakeFirst()
      return job === undefined ? undefined : []
    })
  }

  claimDueJobs (now: number, limit: number): Promise<JobRecord[]> {
    return guard('jobs.claimDueJobs', async () => {
      // One UPDATE … RETURNING with the state in its condition: on PostgreSQL a second hub waits
      // for the row lock, re-checks `state` and skips the row; SQLite runs one writer at a time.
      const due = this.#db.selectFrom('jobs').select('id').where('state', '=', 'scheduled').where('run_at', '<=', now)
        .orderBy('run_at').limit(limit)
      const rows = await this.#db.updateTable('jobs').set({ state: 'running', started_at: now })
        .where('id', 'in', due).where('state', '=', 'scheduled').where('run_at', '<=', now).returningAll().execute()
      return rows.map((r) => this.#toJob(r))
    })
  }

  reclaimStalledJobs (now: number, staleBefore: number, limit: number): Promise<JobRecord[]> {
    return guard('jobs.reclaimStalledJobs', async () => {
      const stalled = this.#db.selectFrom('jobs').select('jobs.id').where('jobs.state', '=', 'running').where('jobs.started_at', '<', staleBefore)
        .where('jobs.expires_at', '>', now)
        .where(({ exists, selectFrom }) => exists(selectFrom('job_hosts as jh').leftJoin('commands as c', 'c.id', 'jh.command_id')
          .select('jh.host_id').whereRef('jh.job_id', '=', 'jobs.id').where('jh.state', '=', 'pending').where('c.id', 'is', null)))
        .limit(limit)
      const rows = await this.#db.updateTable('jobs').set({ started_at: now })
        .where('id', 'in', stalled).where('state', '=', 'running').where('started_at', '<', staleBefore).returningAll().execute()
      return rows.map((r) => this.#toJob(r))
    })
  }

  hostsToStart (jobId: string, limit: number): Promise<Array<{ hostId: string, commandId: string }>> {
    return guard('jobs.hostsToStart', async () => {
      const rows = await this.#db.selectFrom('job_hosts as jh').leftJoin('commands as c', 'c.id', 'jh.command_id')
        .select(['jh.host_id', 'jh.command_id']).where('jh.job_id', '=', jobId).where('jh.state', '=', 'pending').where('c.id', 'is', null)
        .orderBy('jh.host_name').orderBy('jh.host_id').limit(limit).execute()
      return rows.map((r) => ({ hostId: r.host_id, commandId: r.command_id }))
    })
  }

  settleJobHost (jobId: string, hostId: string, state: 'failed' | 'expired', error: WireError | null): Promise<void> {
    return guard('jobs.settleJobHost', async () => {
      await this.#db.updateTable('job_hosts').set({ state, error: error === null ? null : JSON.stringify(error) })
        .where('job_id', '=', jobId).where('host_id', '=', hostId).where('state', '=', 'pending').execute()
    })
  }

  nextWakeAt (): Promise<number | null> {
    return guard('jobs.nextWakeAt', async () => {
      const run = await this.#db.selectFrom('jobs').select((eb) => eb.fn.min('run_at').as('t')).where('state', '=', 'scheduled').executeTakeFirst()
      const exp = await this.#db.selectFrom('jobs').select((eb) => eb.fn.min('expires_at').as('t'))
        .where('state', '=', 'running').where('expiry_noted', '=', 0).executeTakeFirst()
      const times = [run?.t, exp?.t].filter((t) => t !== null && t !== undefined).map(Number)
      return times.length === 0 ? null : Math.min(...times)
    })
  }

  claimExpiredJobs (now: number, limit: number): Promise<string[]> {
    return guard('jobs.claimExpiredJobs', async () => {
      const due = this.#db.selectFrom('jobs').select('id').where('state', '=', 'running').where('expiry_noted', '=', 0)
        .where('expires_at', '<=', now).limit(limit)
      const rows = await this.#db.updateTable('jobs').set({ expiry_noted: 1 })
        .where('id', 'in', due).where('expiry_noted', '=', 0).returning('id').execute()
      return rows.map((r) => r.id)
    })
  }

  jobHostsOfCommands (commandIds: readonly string[]): Promise<Array<{ jobId: string, hostId: string }>> {
    return guard('jobs.jobHostsOfCommands', async () => {
      const out: Array<{ jobId: string, hostId: string }> = []
      for (let i = 0; i < commandIds.length; i += CHUNK) {
        const rows = await this.#db.selectFrom('job_hosts').select(['job_id', 'host_id']).where('command_id', 'in', commandIds.slice(i, i + CHUNK)).execute()
        for (const r of rows) out.push({ jobId: r.job_id, hostId: r.host_id })
      }
      return out
    })
  }

  cancelJob (id: string, now: number): Promise<string[] | undefined> {
    return guard('jobs.cancelJob', () => this.#db.transaction().execute(async (trx) => {
      const job = await trx.updateTable('jobs').set({ state: 'cancelled', cancelled_at: now })
        .where('id', '=', id).where('state', 'in', ['scheduled', 'running']).returning('id').executeTakeFirst()
      if (job === undefined) return undefined
      // Hosts whose command does not exist yet: it will not be created (the starter skips them).
      const unstarted = await trx.updateTable('job_hosts').set({ state: 'cancelled' })
        .where('job_id', '=', id).where('state', '=', 'pending')
        .where(({ not, exists, selectFrom }) => not(exists(selectFrom('commands').select('commands.id').whereRef('commands.id', '=', 'job_hosts.command_id'))))
        .returning('host_id').execute()
      const queued = await this.#expireQueued(trx, id)
      return [...unstarted.map((r) => r.host_id), ...queued]
    }))
  }

  sweepCancelled (id: string): Promise<string[]> {
    return guard('jobs.sweepCancelled', () => this.#db.transaction().execute((trx) => this.#expireQueued(trx, id)))
  }

  /**
   * Expires the job's still-queued commands and marks their hosts cancelled. The condition on
   * `status` makes it race-free against delivery: `takeDeliverable` and this UPDATE both change
   * the row only while it is `queued`, so a command is either handed out or cancelled, not both.
   */
  async #expireQueued (trx: Kysely<Db>, id: string): Promise<string[]> {
    // `cancelled` too: a host cancelled before its command existed may still get one from a start
    // that read it as pending just before the cancel.
    const mine = trx.selectFrom('job_hosts').select('command_id').where('job_id', '=', id).where('state', 'in', ['pending', 'cancelled'])
    const expired = await trx.updateTable('commands').set({ status: 'expired' })
      .where('id', 'in', mine).where('status', '=', 'queued').returning('id').execute()
    const ids = expired.map((r) => r.id)
    const hosts: string[] = []
    for (let i = 0; i < ids.length; i += CHUNK) {
      const rows = await trx.updateTable('job_hosts').set({ state: 'cancelled' }).where('job_id', '=', id)
        .where('command_id', 'in', ids.slice(i, i + CHUNK)).returning('host_id').execute()
      hosts.push(...rows.map((r) => r.host_id))
    }
    return hosts
  }

  async #hosts (jobId: string, hostIds: readonly string[] | undefined, now: number): Promise<JobHostRecord[]> {
    if (hostIds !== undefined && hostIds.length === 0) return []
    const rows = await this.#db.selectFrom('job_hosts as jh').leftJoin('commands as c', 'c.id', 'jh.command_id')
      .select([
        'jh.host_id', 'jh.host_name', 'jh.group_name', 'jh.error as jh_error', 'c.id as cid', 'c.exit_code', 'c.error as c_error', 'c.finished_at',
        hostState(now).as('s')
      ])
      .where('jh.job_id', '=', jobId)
      .$if(hostIds !== undefined, (q) => q.where('jh.host_id', 'in', [...(hostIds ?? [])]))
      .orderBy('jh.host_name').orderBy('jh.host_id').execute()
    return rows.map((r) => ({
      hostId: r.host_id,
      hostName: r.host_name,
      group: r.group_name,
      commandId: r.cid ?? null,
      state: r.s,
      exitCode: r.exit_code === null || r.exit_code === undefined ? null : Number(r.exit_code),
      error: (this.#json.decode(r.jh_error) ?? this.#json.decode(r.c_error) ?? null) as WireError | null,
      finishedAt: r.finished_at === null || r.finished_at === undefined ? null : Number(r.finished_at)
    }))
  }

  #toJob (r: JobRow): JobRecord {
    return {
      id: r.id, name: r.name, createdBy: r.created_by, createdAt: Number(r.created_at), runAt: Number(r.run_at), expiresAt: Number(r.expires_at),
      state: r.state as JobStateRecord, action: this.#json.decode(r.action) as JobAction,
      startedAt: r.started_at === null ? null : Number(r.started_at), cancelledAt: r.cancelled_at === null ? null : Number(r.cancelled_at)
    }
  }
}

/**
 * A job host's state at `now`, over `job_hosts as jh` left-joined to `commands as c`. `now` is a
 * literal, not a parameter, so that the same expression can be selected and grouped by.
 */
function hostState (now: number): RawBuilder<JobHostStateRecord> {
  return sql<JobHostStateRecord>`case
    when jh.state <> 'pending' then jh.state
    when c.id is null then 'waiting'
    when c.status in ('queued', 'sent') and c.expires_at <= ${sql.lit(Math.floor(now))} then 'expired'
    else c.status end`
}
