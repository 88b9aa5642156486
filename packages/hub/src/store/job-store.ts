import type { CommandState, JobAction, WireError } from '@outpost/protocol'

/**
 * Jobs: one action sent to many hosts (`store.jobs`). Times are milliseconds since the epoch.
 * Every method is atomic. A job host's progress is read from its command (joined, not copied), so
 * that it can never disagree with the command the agent answered.
 */
export interface JobStore {
  /** Stores a job in state `scheduled` with its hosts (state `pending`), in one transaction. */
  createJob (job: NewJob, hosts: readonly NewJobHost[]): Promise<void>
  getJob (id: string): Promise<JobRecord | undefined>
  /** The job's hosts with their commands, by host name then id. */
  listJobHosts (jobId: string, now: number): Promise<JobHostRecord[]>
  /** Only these hosts of the job (for progress events). */
  getJobHosts (jobId: string, hostIds: readonly string[], now: number): Promise<JobHostRecord[]>
  /**
   * Newest first (created, then id), at most `limit`, older than the job `before` when given.
   * With `groups`, only jobs all of whose hosts are in those groups.
   */
  listJobs (q: JobFilter): Promise<JobRecord[]>
  /** Per job, how many hosts are in each state at `now` (see `JobHostRecord.state`). */
  countHosts (jobIds: readonly string[], now: number): Promise<Map<string, JobHostCounts>>
  /** Distinct groups of the job's hosts; `undefined` when there is no such job. */
  jobGroups (jobId: string): Promise<string[] | undefined>

  // ── scheduling ──
  /**
   * Atomically moves scheduled jobs whose `runAt` has come to `running` (startedAt = now) and
   * returns them: of several hubs claiming at once, each job goes to exactly one.
   */
  claimDueJobs (now: number, limit: number): Promise<JobRecord[]>
  /**
   * Running jobs with a host still to start whose claim is older than `staleBefore` (its starter
   * died or stalled): re-claimed (startedAt = now) atomically and returned.
   */
  reclaimStalledJobs (now: number, staleBefore: number, limit: number): Promise<JobRecord[]>
  /** Up to `limit` pending hosts of the job whose command does not exist yet. */
  hostsToStart (jobId: string, limit: number): Promise<Array<{ hostId: string, commandId: string }>>
  /** Settles a pending host that was never queued: `failed` (the hub could not queue it) or `expired` (the job expired first). */
  settleJobHost (jobId: string, hostId: string, state: 'failed' | 'expired', error: WireError | null): Promise<void>
  /** The earliest `runAt` of a scheduled job, or the earliest unannounced expiry of a running one; null when none. */
  nextWakeAt (): Promise<number | null>
  /** Running jobs whose expiry passed and was not announced yet: marked announced and returned (once across hubs). */
  claimExpiredJobs (now: number, limit: number): Promise<string[]>
  /** Jobs whose command is one of these, with the host: maps command events to jobs. */
  jobHostsOfCommands (commandIds: readonly string[]): Promise<Array<{ jobId: string, hostId: string }>>

  // ── cancel ──
  /**
   * Cancels a scheduled or running job at `now`: a scheduled job never starts; of a running one,
   * every host whose command was not handed to the agent yet (or not created yet) is marked
   * `cancelled` and its queued command expired, so no hub delivers it. Returns the hosts cancelled,
   * or `undefined` when the job is not scheduled or running (or does not exist).
   */
  cancelJob (id: string, now: number): Promise<string[] | undefined>
  /** For a cancelled job: expires queued commands created after the cancel (a start in flight) and marks their hosts cancelled. */
  sweepCancelled (id: string): Promise<string[]>
}

export type JobStateRecord = 'scheduled' | 'running' | 'cancelled'

export interface NewJob {
  readonly id: string
  readonly name: string
  readonly createdBy: string
  readonly createdAt: number
  readonly runAt: number
  readonly expiresAt: number
  readonly action: JobAction
}
export interface JobRecord extends NewJob {
  readonly state: JobStateRecord
  readonly startedAt: number | null
  readonly cancelledAt: number | null
}

export interface NewJobHost {
  readonly hostId: string
  readonly hostName: string
  readonly group: string
  /** The id its command will have. */
  readonly commandId: string
}

/** The state of a job host as the API shows it (`JobHostState` of the protocol). */
export type JobHostStateRecord = 'waiting' | CommandState | 'cancelled'

export interface JobHostRecord {
  readonly hostId: string
  readonly hostName: string
  readonly group: string
  /** Null until its command exists. */
  readonly commandId: string | null
  /**
   * `cancelled` or `failed` when the job host says so; else `waiting` before the command exists,
   * then the command's status (`queued`/`sent` past their expiry read as `expired`).
   */
  readonly state: JobHostStateRecord
  readonly exitCode: number | null
  readonly error: WireError | null
  readonly finishedAt: number | null
}

export type JobHostCounts = Readonly<Record<JobHostStateRecord, number>>

export interface JobFilter {
  readonly limit: number
  /** A job id: only jobs listed after it (older). */
  readonly before?: string | undefined
  /** Only jobs whose hosts are all in these groups. */
  readonly groups?: readonly string[] | undefined
}
