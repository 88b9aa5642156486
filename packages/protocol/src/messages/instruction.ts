import { Type, type Static } from '@sinclair/typebox'
import { MetricName } from './monitoring.ts'
import { FileDownloadBody, FileListBody, FileReadBody, FileStatBody, FileUploadBody, FileWriteBody } from '../operations/file-ops.ts'
import { SessionOpenBody } from '../operations/session-ops.ts'
import { PackageBody, PowerBody, ServiceBody } from '../operations/system-ops.ts'

/** Largest output an `exec` may ask to get back, per stream. */
export const MAX_EXEC_OUTPUT_BYTES = 16 * 1024 * 1024
/** Default output cap per stream when an `exec` does not say. */
export const DEFAULT_EXEC_OUTPUT_BYTES = 1024 * 1024
/** Default time limit of an `exec`. */
export const DEFAULT_EXEC_TIMEOUT_MS = 60_000

/** Run a program (no shell) and return its exit code and output. */
export const ExecBody = Type.Object({
  type: Type.Literal('exec'),
  /** Program and arguments; `argv[0]` is looked up in PATH. */
  argv: Type.Array(Type.String({ minLength: 1, maxLength: 4096 }), { minItems: 1, maxItems: 256 }),
  /** Working directory; the agent's own when absent. */
  cwd: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
  /** Extra environment variables. */
  env: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$', maxLength: 128 }), Type.String({ maxLength: 8192 }))),
  /** Time limit; the process is killed after it. Default 60 s. */
  timeoutMs: Type.Optional(Type.Integer({ minimum: 1, maximum: 3_600_000 })),
  /** Output cap per stream in bytes; the rest is dropped and `truncated` set. Default 1 MiB. */
  maxOutputBytes: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_EXEC_OUTPUT_BYTES }))
}, { additionalProperties: false })
export type ExecBody = Static<typeof ExecBody>

/** Collect and send a full report (inventory and status) now. */
export const ReportNowBody = Type.Object({ type: Type.Literal('report-now') }, { additionalProperties: false })

/** Resend named items: `inventory`, `status`, or metric names. */
export const ReportItemsBody = Type.Object({
  type: Type.Literal('report-items'),
  names: Type.Array(Type.Union([Type.Literal('inventory'), Type.Literal('status'), MetricName]), { minItems: 1, maxItems: 256 })
}, { additionalProperties: false })

/** Largest `stdout` of a `process-list` result: the JSON array is cut (whole entries) to fit. */
export const MAX_PROCESS_LIST_BYTES = DEFAULT_EXEC_OUTPUT_BYTES

/**
 * List every process. The result is `completed` with `stdout` holding a JSON array of
 * `{ pid, ppid, user, name, state, cpuPct?, memBytes, command }` (`state` is the /proc letter,
 * e.g. `R`, `S`, `Z`; `cpuPct` is the lifetime average in % of one core; `memBytes` the resident
 * size), ordered by pid, at most `MAX_PROCESS_LIST_BYTES` of it; `truncated` is set when entries
 * were left out.
 */
export const ProcessListBody = Type.Object({ type: Type.Literal('process-list') }, { additionalProperties: false })
export type ProcessListBody = Static<typeof ProcessListBody>

/** Signals a `process-signal` may send. */
export const ProcessSignalName = Type.Union([
  Type.Literal('SIGTERM'), Type.Literal('SIGKILL'), Type.Literal('SIGHUP'),
  Type.Literal('SIGINT'), Type.Literal('SIGUSR1'), Type.Literal('SIGUSR2')
])
export type ProcessSignalName = Static<typeof ProcessSignalName>

/**
 * Send a signal to one process. The result is `completed` with exit code 0 and empty output once
 * the signal was delivered; pid 1 and the agent itself are refused.
 */
export const ProcessSignalBody = Type.Object({
  type: Type.Literal('process-signal'),
  /** Target process; 0, 1 and negative pids (process groups) are not accepted. */
  pid: Type.Integer({ minimum: 2, maximum: 2 ** 22 }),
  signal: ProcessSignalName
}, { additionalProperties: false })
export type ProcessSignalBody = Static<typeof ProcessSignalBody>

/** What an instruction asks the agent to do. */
export const InstructionBody = Type.Union([
  ExecBody, ReportNowBody, ReportItemsBody, ProcessListBody, ProcessSignalBody,
  FileListBody, FileStatBody, FileReadBody, FileWriteBody, FileDownloadBody, FileUploadBody,
  SessionOpenBody, ServiceBody, PackageBody, PowerBody
])
export type InstructionBody = Static<typeof InstructionBody>
export const InstructionType = {
  Exec: 'exec', ReportNow: 'report-now', ReportItems: 'report-items', ProcessList: 'process-list', ProcessSignal: 'process-signal',
  FileList: 'file-list', FileStat: 'file-stat', FileRead: 'file-read', FileWrite: 'file-write', FileDownload: 'file-download', FileUpload: 'file-upload',
  SessionOpen: 'session-open', Service: 'service', Package: 'package', Power: 'power'
} as const

/** One entry of a `process-list` result's JSON `stdout`. */
export const ProcessListEntry = Type.Object({
  pid: Type.Integer({ minimum: 1 }),
  ppid: Type.Integer({ minimum: 0 }),
  user: Type.String({ maxLength: 128 }),
  name: Type.String({ maxLength: 256 }),
  state: Type.String({ maxLength: 8 }),
  cpuPct: Type.Optional(Type.Number({ minimum: 0 })),
  memBytes: Type.Integer({ minimum: 0 }),
  command: Type.String({ maxLength: 1024 })
}, { additionalProperties: false })
export type ProcessListEntry = Static<typeof ProcessListEntry>
/** The whole JSON `stdout` of a `process-list` result. */
export const ProcessList = Type.Array(ProcessListEntry)
export type ProcessList = Static<typeof ProcessList>

/**
 * An instruction as the hub signs it. The signature is Ed25519 by the hub key the agent pinned
 * at enrollment, over `canonicalJson` of every other field.
 */
export const SignedInstruction = Type.Object({
  /** Unique id; the agent runs each id at most once. */
  id: Type.String({ minLength: 8, maxLength: 64 }),
  /** The only agent allowed to run it. */
  agentId: Type.String({ minLength: 1, maxLength: 64 }),
  /** Who asked for it, e.g. `user:admin` or `token:ci`. */
  issuer: Type.String({ minLength: 1, maxLength: 256 }),
  /** Milliseconds since the epoch. */
  issuedAt: Type.Integer({ minimum: 0 }),
  /** After this (ms since the epoch) the agent refuses it. */
  expiresAt: Type.Integer({ minimum: 0 }),
  /** Random, so that two identical requests never sign the same bytes. */
  nonce: Type.String({ minLength: 8, maxLength: 64 }),
  body: InstructionBody,
  /** base64url Ed25519 signature. */
  signature: Type.String({ minLength: 86, maxLength: 86 })
}, { additionalProperties: false })
export type SignedInstruction = Static<typeof SignedInstruction>
export type UnsignedInstruction = Omit<SignedInstruction, 'signature'>
