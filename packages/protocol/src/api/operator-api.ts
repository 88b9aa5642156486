import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { ExecBody, ProcessListBody, ProcessSignalBody, ReportItemsBody, ReportNowBody } from '../messages/instruction.ts'
import { FileListBody, FileReadBody, FileStatBody, FileWriteBody } from '../operations/file-ops.ts'
import { PackageBody, PowerBody, ServiceBody } from '../operations/system-ops.ts'
import { Inventory, MetricName, StatusSnapshot, AgentEvent } from '../messages/monitoring.ts'
import { WireError } from '../errors.ts'
import { LinkInfo, RelayReport } from '../messages/relay-report.ts'

/** Operator roles, weakest first. */
export const Role = { Viewer: 'viewer', Operator: 'operator', Admin: 'admin' } as const
export type Role = (typeof Role)[keyof typeof Role]
export const RoleSchema = Type.Union([Type.Literal('viewer'), Type.Literal('operator'), Type.Literal('admin')])

const IsoTime = Type.String({ format: 'date-time', description: 'ISO 8601 UTC time' })
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()])

/** `online`: heard from within three intervals; `offline`: not; `unknown`: never reported. */
export const HostState = Type.Union([Type.Literal('online'), Type.Literal('offline'), Type.Literal('unknown')])

/** A host named in another host's path. */
export const HopRef = Type.Object({ id: Type.String(), name: Type.String() }, { additionalProperties: false })
export type HopRef = Static<typeof HopRef>

/** One row of `GET /api/v1/hosts`. */
export const HostSummary = Type.Object({
  id: Type.String(),
  name: Type.String(),
  group: Type.String(),
  status: HostState,
  lastSeen: Nullable(IsoTime),
  enrolledAt: IsoTime,
  /** e.g. `Debian GNU/Linux 12`, empty before the first inventory. */
  os: Type.String(),
  /** How many alerts of each severity are open (firing or acknowledged) on this host. */
  alerts: Type.Object({
    critical: Type.Integer({ minimum: 0 }),
    warning: Type.Integer({ minimum: 0 }),
    info: Type.Integer({ minimum: 0 })
  }, { additionalProperties: false }),
  /**
   * The relays this host's connections go through, from the host towards the hub (first hop
   * first); empty when it reaches the hub directly or its path is not known.
   */
  via: Type.Array(HopRef, { maxItems: 16 })
}, { additionalProperties: false })
export type HostSummary = Static<typeof HostSummary>

export const HostList = Type.Array(HostSummary)

/** `GET /api/v1/hosts/:id`. */
export const HostDetail = Type.Object({
  ...HostSummary.properties,
  inventory: Nullable(Inventory),
  inventoryAt: Nullable(IsoTime),
  /** The latest value of every metric, by name. */
  metrics: Type.Record(Type.String(), Type.Number()),
  metricsAt: Nullable(IsoTime),
  snapshot: Nullable(StatusSnapshot),
  recentEvents: Type.Array(AgentEvent),
  /** The upstream the agent last said it uses. */
  link: Nullable(LinkInfo),
  /** What it last reported carrying, when it runs a relay. */
  relay: Nullable(RelayReport),
  relayAt: Nullable(IsoTime)
}, { additionalProperties: false })
export type HostDetail = Static<typeof HostDetail>

/** Query of `GET /api/v1/hosts/:id/metrics`. */
export const MetricQuery = Type.Object({
  name: MetricName,
  /** ISO time or milliseconds; default one hour before `to`. */
  from: Type.Optional(Type.String({ maxLength: 64 })),
  /** ISO time or milliseconds; default now. */
  to: Type.Optional(Type.String({ maxLength: 64 })),
  limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,6}$' }))
}, { additionalProperties: false })
export type MetricQuery = Static<typeof MetricQuery>

/** Answer of `GET /api/v1/hosts/:id/metrics`: points in time order. */
export const MetricSeries = Type.Object({
  hostId: Type.String(),
  name: Type.String(),
  points: Type.Array(Type.Object({ time: IsoTime, value: Type.Number() }, { additionalProperties: false }))
}, { additionalProperties: false })
export type MetricSeries = Static<typeof MetricSeries>

const Ttl = { ttlMs: Type.Optional(Type.Integer({ minimum: 1000, maximum: 7 * 24 * 3600_000, description: 'how long the instruction stays valid; default 10 minutes' })) }

/** Body of `POST /api/v1/hosts/:id/commands`: an instruction body plus an optional time to live. */
export const CreateCommandRequest = Type.Union([
  Type.Object({ ...ExecBody.properties, ...Ttl }, { additionalProperties: false }),
  Type.Object({ ...ReportNowBody.properties, ...Ttl }, { additionalProperties: false }),
  Type.Object({ ...ReportItemsBody.properties, ...Ttl }, { additionalProperties: false }),
  Type.Object({ ...ProcessListBody.properties, ...Ttl }, { additionalProperties: false }),
  Type.Object({ ...ProcessSignalBody.properties, ...Ttl }, { additionalProperties: false }),
  // Transfers and live sessions are opened by their own routes, which make their ids.
  // Written out one by one: a `.map` would erase each member's static type into one wide object.
  Type.Object({ ...FileListBody.properties, ...Ttl }, { additionalProperties: false }),
  Type.Object({ ...FileStatBody.properties, ...Ttl }, { additionalProperties: false }),
  Type.Object({ ...FileReadBody.properties, ...Ttl }, { additionalProperties: false }),
  Type.Object({ ...FileWriteBody.properties, ...Ttl }, { additionalProperties: false }),
  Type.Object({ ...ServiceBody.properties, ...Ttl }, { additionalProperties: false }),
  Type.Object({ ...PackageBody.properties, ...Ttl }, { additionalProperties: false }),
  Type.Object({ ...PowerBody.properties, ...Ttl }, { additionalProperties: false })
])
export type CreateCommandRequest = Static<typeof CreateCommandRequest>

export const CreatedCommand = Type.Object({ id: Type.String() }, { additionalProperties: false })

/** Where a command stands. `sent` may be sent again if the agent did not answer; it runs once. */
export const CommandState = Type.Union([
  Type.Literal('queued'), Type.Literal('sent'), Type.Literal('completed'),
  Type.Literal('failed'), Type.Literal('rejected'), Type.Literal('expired')
])
export type CommandState = Static<typeof CommandState>

/** `GET /api/v1/commands/:id`. */
export const CommandStatus = Type.Object({
  id: Type.String(),
  hostId: Type.String(),
  type: Type.String(),
  status: CommandState,
  issuer: Type.String(),
  createdAt: IsoTime,
  expiresAt: IsoTime,
  finishedAt: Nullable(IsoTime),
  exitCode: Nullable(Type.Integer()),
  signal: Nullable(Type.String()),
  stdout: Type.String(),
  stderr: Type.String(),
  truncated: Type.Boolean(),
  error: Nullable(WireError)
}, { additionalProperties: false })
export type CommandStatus = Static<typeof CommandStatus>

/** Query of `GET /api/v1/commands/:id`: `wait` holds the answer until the command ends (ms, ≤ 60 000). */
export const CommandWaitQuery = Type.Object({
  wait: Type.Optional(Type.String({ pattern: '^[0-9]{1,5}$' }))
}, { additionalProperties: false })

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) }, { additionalProperties: false })
