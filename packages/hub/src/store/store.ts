import type { ConsoleStore } from './console-store.ts'
import type { Inventory, StatusSnapshot, Metric, AgentEvent, Role, InstructionBody, CommandState, WireError, LinkInfo, RelayReport } from '@outpost/protocol'
import type { AlertStore } from './alert-store.ts'
import type { JobStore } from './job-store.ts'
import type { SessionStore } from './session-store.ts'
import type { TopologyStore } from './topology-store.ts'

/**
 * The hub's persistence port. Two implementations sit behind it (`sqlite/` and `postgres/`) and
 * one contract suite runs against both. All times are milliseconds since the epoch.
 * Every method is atomic: it either commits all it writes or nothing.
 */
export interface Store {
  /** Which backend this is, for logs and diagnostics. */
  readonly kind: 'sqlite' | 'postgres'
  /** Users' console fields, login failures, sessions and audit queries (see console-store.ts). */
  readonly console: ConsoleStore
  /** Creates or upgrades the schema. Safe to call on every start, and by several replicas at once. */
  migrate (): Promise<void>
  close (): Promise<void>

  // ── settings (hub key material, instance facts) ──
  getSetting (key: string): Promise<string | undefined>
  /** Stores `value` unless the key exists; returns the value that is stored afterwards (first writer wins). */
  putSettingIfAbsent (key: string, value: string): Promise<string>

  // ── operators ──
  createUser (u: NewUser): Promise<void>
  findUserByName (name: string): Promise<UserRecord | undefined>
  countUsers (): Promise<number>
  createApiToken (t: NewApiToken): Promise<void>
  /** Looks a token up by the SHA-256 hex of its secret and records `lastUsedAt`. */
  useApiToken (tokenHash: string, now: number): Promise<ApiTokenRecord | undefined>

  // ── enrollment ──
  createEnrollToken (t: NewEnrollToken): Promise<void>
  /**
   * Atomically marks the token used and creates the agent. Returns `undefined` (and writes
   * nothing) when the token does not exist, the hash differs, it expired, or it was used.
   */
  enrollAgent (tokenId: string, secretHash: string, agent: NewAgent): Promise<AgentRecord | undefined>
  /** An enrollment token's secret hash and state, or undefined; for relays checking an enrolling agent. */
  getEnrollToken (id: string): Promise<{ readonly secretHash: string, readonly expiresAt: number, readonly usedAt: number | null } | undefined>
  getAgent (id: string): Promise<AgentRecord | undefined>
  listAgents (): Promise<AgentRecord[]>
  /**
   * The few fields a host list shows, without reading inventories or snapshots: the hosts with
   * the given ids (unknown ids are skipped), or every host when `ids` is omitted; sorted by name, then id.
   */
  listHostSummaries (ids?: readonly string[]): Promise<HostSummaryRecord[]>
  /** Sets `lastSeen` (only forward in time). */
  touchAgent (id: string, lastSeen: number): Promise<void>
  /** `touchAgent` for many agents in one transaction (see `agents/last-seen-writer.ts`). */
  touchAgents (touches: ReadonlyArray<readonly [id: string, lastSeen: number]>): Promise<void>

  // ── ingest ──
  /**
   * Stores a batch of reports from any number of agents in ONE transaction. A report whose
   * (agentId, seq) is already stored is skipped, not stored twice. Updates each agent's latest
   * inventory/status/metrics and `lastSeen`. Resolves only after the commit.
   */
  ingestReports (reports: readonly IngestReport[]): Promise<void>
  /** Points of one metric of one host with from ≤ time ≤ to, oldest first, at most `limit`. */
  queryMetrics (agentId: string, name: string, from: number, to: number, limit: number): Promise<MetricPoint[]>
  /** The latest value of every metric of a host. */
  latestMetrics (agentId: string): Promise<{ time: number | null, values: Record<string, number> }>
  recentEvents (agentId: string, limit: number): Promise<AgentEvent[]>

  // ── commands (instructions) ──
  createCommand (c: NewCommand): Promise<void>
  getCommand (id: string): Promise<CommandRecord | undefined>
  /**
   * Instructions to hand to an agent now: state `queued`, or `sent` before `resendBefore`,
   * not expired at `now`. Marks them `sent` with `sentAt = now`. Oldest first.
   */
  takeDeliverable (agentId: string, now: number, resendBefore: number): Promise<CommandRecord[]>
  /**
   * Reads, changes nothing: the earliest time at which `takeDeliverable` could hand this agent
   * one of the commands stored now, `sent` ones being due again once `resendAfterMs` passed since `sentAt`:
   * `now` when one is queued, `null` when none is open (queued or sent, not expired at `now`).
   * Lets the hub skip `takeDeliverable` until then, unless a new command is queued.
   */
  nextDeliveryAt (agentId: string, now: number, resendAfterMs: number): Promise<number | null>
  /**
   * Records the result of a command of this agent, once: a second result for the same command,
   * or one from another agent, changes nothing and returns false. Also records the result's
   * (agentId, seq) like a report so that the spool acknowledgement is uniform.
   */
  completeCommand (r: CommandResult): Promise<boolean>
  /** Marks commands whose expiry passed while still queued/sent as `expired`; returns how many. */
  expireCommands (now: number): Promise<number>

  /** Alert rules, alerts, silences and their notification outbox (see `alert-store.ts`). */
  readonly alerts: AlertStore
  /** Live (terminal) sessions and their recordings (see `session-store.ts`); not console logins. */
  readonly sessions: SessionStore
  /** Jobs: one action sent to many hosts, now or at a set time (see `job-store.ts`). */
  readonly jobs: JobStore
  /** Relays' reports and every host's first hop (see `topology-store.ts`). */
  readonly topology: TopologyStore

  // ── audit ──
  appendAudit (e: NewAuditEntry): Promise<void>
  listAudit (limit: number): Promise<AuditRecord[]>
  /** Oldest first: entries with an id above `afterId`, at most `limit` (a page of a full scan). */
  listAuditAfter (afterId: number, limit: number): Promise<AuditRecord[]>
}

export interface NewUser { readonly id: string, readonly name: string, readonly passwordHash: string, readonly role: Role, readonly createdAt: number }
export interface UserRecord extends NewUser {}

export interface NewApiToken {
  readonly id: string
  readonly name: string
  /** SHA-256 hex of the secret; the secret itself is never stored. */
  readonly tokenHash: string
  readonly role: Role
  /** The user the token acts for, when it has one. */
  readonly userId: string | null
  readonly createdAt: number
}
export interface ApiTokenRecord extends NewApiToken { readonly lastUsedAt: number | null }

export interface NewEnrollToken {
  readonly id: string
  readonly secretHash: string
  readonly group: string
  readonly expiresAt: number
  readonly createdAt: number
  readonly createdBy: string
}

export interface NewAgent {
  readonly id: string
  readonly name: string
  /** base64url raw Ed25519 public key: the only credential the hub keeps for an agent. */
  readonly publicKey: string
  readonly enrolledAt: number
  /** Set from the token's group by `enrollAgent`; ignored in the argument. */
  readonly group?: string
}
/** What a host summary needs of an agent; kept on the `agents` row so that reading it parses no inventory. */
export interface HostSummaryRecord {
  readonly id: string
  readonly name: string
  readonly group: string
  readonly enrolledAt: number
  readonly lastSeen: number | null
  /** `distribution release` of the latest inventory (see `osLabel`), '' before the first one. */
  readonly os: string
}
/** An enrolled agent with its latest inventory and status snapshot. */
export interface AgentRecord extends HostSummaryRecord {
  readonly publicKey: string
  readonly inventory: Inventory | null
  readonly inventoryAt: number | null
  readonly snapshot: StatusSnapshot | null
  readonly snapshotAt: number | null
}

export interface IngestReport {
  readonly agentId: string
  readonly seq: number
  /** Agent clock. */
  readonly time: number
  /** Hub clock. */
  readonly receivedAt: number
  readonly metrics: readonly Metric[]
  readonly inventory?: Inventory | undefined
  readonly status?: StatusSnapshot | undefined
  readonly events: readonly AgentEvent[]
  /** Not stored by `ingestReports`: the topology recorder takes them after the commit. */
  readonly link?: LinkInfo | undefined
  readonly relay?: RelayReport | undefined
}

export interface MetricPoint { readonly time: number, readonly value: number }

export interface NewCommand {
  readonly id: string
  readonly agentId: string
  readonly issuer: string
  readonly body: InstructionBody
  readonly nonce: string
  readonly createdAt: number
  readonly expiresAt: number
}
export interface CommandRecord extends NewCommand {
  readonly status: CommandState
  readonly sentAt: number | null
  readonly finishedAt: number | null
  readonly exitCode: number | null
  readonly signal: string | null
  readonly stdout: string
  readonly stderr: string
  readonly truncated: boolean
  readonly error: WireError | null
}

export interface CommandResult {
  readonly agentId: string
  readonly seq: number
  readonly commandId: string
  readonly status: 'completed' | 'failed' | 'rejected'
  readonly finishedAt: number
  readonly exitCode: number | null
  readonly signal: string | null
  readonly stdout: string
  readonly stderr: string
  readonly truncated: boolean
  readonly error: WireError | null
}

export interface NewAuditEntry {
  readonly time: number
  /** `user:NAME`, `token:NAME`, `agent:ID` or `system`. */
  readonly actor: string
  /** Dotted verb, e.g. `command.create`, `agent.enroll`, `token.create`. */
  readonly action: string
  /** What it was done to, e.g. `host:ID`. */
  readonly target: string
  /** `ok`, `denied` or an error code. */
  readonly result: string
  readonly detail: Readonly<Record<string, unknown>>
}
export interface AuditRecord extends NewAuditEntry {
  readonly id: number
  /** `hash` of the entry before this one (`AUDIT_GENESIS_HASH` for the first). */
  readonly prevHash: string
  /** `auditHash(prevHash, entry)`: the chain that lets anyone verify the log (see `verifyAuditChain`). */
  readonly hash: string
}
