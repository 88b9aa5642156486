import { Type, type Static } from '@sinclair/typebox'
import { AbsolutePath, FileMode } from '../operations/file-ops.ts'
import { TerminalSize } from '../operations/session-ops.ts'
import { ExecBody } from '../messages/instruction.ts'

const IsoTime = Type.String({ format: 'date-time', description: 'ISO 8601 UTC time' })

/**
 * Query of `GET /api/v1/hosts/:id/files/download` (the bytes stream back as
 * `application/octet-stream`) and `PUT /api/v1/hosts/:id/files/upload` (raw bytes in, a
 * `FileWriteResult` out). Both need the operator role.
 */
export const FileTransferQuery = Type.Object({
  path: AbsolutePath,
  mode: Type.Optional(FileMode),
  /** `false` skips the `.outpost-bak` copy of an overwritten file. */
  backup: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')]))
}, { additionalProperties: false })
export type FileTransferQuery = Static<typeof FileTransferQuery>

/** Body of `POST /api/v1/hosts/:id/sessions`: open a terminal on the host. */
export const CreateSessionRequest = Type.Object({
  kind: Type.Literal('terminal'),
  ...TerminalSize
}, { additionalProperties: false })
export type CreateSessionRequest = Static<typeof CreateSessionRequest>

/**
 * A live session and its recording. The browser joins at `GET /api/v1/sessions/:id/ws`
 * (WebSocket; binary frames are terminal bytes, text frames `SessionControl` JSON).
 */
export const LiveSessionInfo = Type.Object({
  id: Type.String(),
  hostId: Type.String(),
  kind: Type.Literal('terminal'),
  /** Who opened it, e.g. `user:alice`. */
  actor: Type.String(),
  state: Type.Union([Type.Literal('pending'), Type.Literal('open'), Type.Literal('closed')]),
  createdAt: IsoTime,
  endedAt: Type.Union([IsoTime, Type.Null()]),
  exitCode: Type.Union([Type.Integer(), Type.Null()]),
  /** Size of the asciicast v2 recording (`GET /api/v1/sessions/:id/recording`). */
  recordingBytes: Type.Integer({ minimum: 0 })
}, { additionalProperties: false })
export type LiveSessionInfo = Static<typeof LiveSessionInfo>
export const LiveSessionList = Type.Array(LiveSessionInfo)
export const LiveSessionListQuery = Type.Object({
  hostId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }))
}, { additionalProperties: false })

/** Which hosts a job goes to: listed hosts and/or every host of some groups (union, no duplicates). */
export const JobTarget = Type.Object({
  hostIds: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 10_000 })),
  groups: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { maxItems: 100 }))
}, { additionalProperties: false })

/** What a job does on each host: run a command, or write a file (≤ 1 MiB, atomically, with a backup). */
export const JobAction = Type.Union([
  Type.Object({
    type: Type.Literal('exec'),
    argv: ExecBody.properties.argv,
    timeoutMs: Type.Optional(Type.Integer({ minimum: 1, maximum: 3_600_000 }))
  }, { additionalProperties: false }),
  Type.Object({
    type: Type.Literal('file'),
    path: AbsolutePath,
    contentBase64: Type.String({ maxLength: 1_398_104, pattern: '^[A-Za-z0-9+/]*={0,2}$' }),
    mode: Type.Optional(FileMode)
  }, { additionalProperties: false })
])
export type JobAction = Static<typeof JobAction>

/**
 * Body of `POST /api/v1/jobs`. Without `runAt` it starts now. Hosts that are offline get it when
 * they come back, until `expiresAt` (default 24 h after `runAt`).
 */
export const CreateJobRequest = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  target: JobTarget,
  action: JobAction,
  runAt: Type.Optional(IsoTime),
  expiresAt: Type.Optional(IsoTime)
}, { additionalProperties: false })
export type CreateJobRequest = Static<typeof CreateJobRequest>

export const JobHostState = Type.Union([
  Type.Literal('waiting'), Type.Literal('queued'), Type.Literal('sent'), Type.Literal('completed'),
  Type.Literal('failed'), Type.Literal('rejected'), Type.Literal('expired'), Type.Literal('cancelled')
])
/** One host's part of a job. */
export const JobHost = Type.Object({
  hostId: Type.String(),
  hostname: Type.String(),
  /** The command made for this host once the job started. */
  commandId: Type.Union([Type.String(), Type.Null()]),
  state: JobHostState,
  exitCode: Type.Union([Type.Integer(), Type.Null()]),
  error: Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()]),
  finishedAt: Type.Union([IsoTime, Type.Null()])
}, { additionalProperties: false })
export type JobHost = Static<typeof JobHost>
export type JobHostState = Static<typeof JobHostState>

export const JobCounts = Type.Object({
  total: Type.Integer(), pending: Type.Integer(), completed: Type.Integer(),
  failed: Type.Integer(), rejected: Type.Integer(), expired: Type.Integer(), cancelled: Type.Integer()
}, { additionalProperties: false })

export const JobSummary = Type.Object({
  id: Type.String(),
  name: Type.String(),
  createdBy: Type.String(),
  createdAt: IsoTime,
  runAt: IsoTime,
  expiresAt: IsoTime,
  /** `scheduled` until `runAt`; `running` while a host is pending; then `finished` (or `cancelled`). */
  state: Type.Union([Type.Literal('scheduled'), Type.Literal('running'), Type.Literal('finished'), Type.Literal('cancelled')]),
  actionType: Type.Union([Type.Literal('exec'), Type.Literal('file')]),
  counts: JobCounts
}, { additionalProperties: false })
export type JobSummary = Static<typeof JobSummary>
export const JobList = Type.Array(JobSummary)
/** Query of `GET /api/v1/jobs`: newest first, at most `limit` (default 50, at most 500), older than the job `before`. */
export const JobListQuery = Type.Object({
  limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$' })),
  before: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }))
}, { additionalProperties: false })
export type JobListQuery = Static<typeof JobListQuery>
/** Query of `GET /api/v1/jobs/:id`: `wait` (ms, ≤ 60000) holds the answer until the job ends or it passes. */
export const JobWaitQuery = Type.Object({
  wait: Type.Optional(Type.String({ pattern: '^[0-9]{1,6}$' }))
}, { additionalProperties: false })
export const JobDetail = Type.Object({
  ...JobSummary.properties,
  action: JobAction,
  hosts: Type.Array(JobHost)
}, { additionalProperties: false })
export type JobDetail = Static<typeof JobDetail>
