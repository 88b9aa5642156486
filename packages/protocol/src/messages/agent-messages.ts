import { Type, type Static } from '@sinclair/typebox'
import { AgentEvent, Inventory, Metric, StatusSnapshot } from './monitoring.ts'
import { LinkInfo, RelayReport } from './relay-report.ts'
import { WireError } from '../errors.ts'
import { PROTOCOL_VERSION } from '../version.ts'

/** Most metrics one report may carry. */
export const MAX_METRICS_PER_REPORT = 4096
/** Most messages one batch may carry. */
export const MAX_BATCH_MESSAGES = 500
/** Longest a hub holds an "awaiting instructions" poll. */
export const MAX_POLL_WAIT_MS = 60_000

const Seq = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'per-agent sequence number, strictly increasing' })
const Time = Type.Integer({ minimum: 0, description: 'milliseconds since the epoch, agent clock' })

/** Monitoring data pushed by the agent: periodic status, inventory on change, events at once. */
export const ReportMessage = Type.Object({
  type: Type.Literal('report'),
  seq: Seq,
  time: Time,
  metrics: Type.Optional(Type.Array(Metric, { maxItems: MAX_METRICS_PER_REPORT })),
  inventory: Type.Optional(Inventory),
  status: Type.Optional(StatusSnapshot),
  events: Type.Optional(Type.Array(AgentEvent, { maxItems: 256 })),
  /** The upstream the agent's connections go through (periodic reports). */
  link: Type.Optional(LinkInfo),
  /** What the agent carries as a relay (periodic reports of agents in relay mode). */
  relay: Type.Optional(RelayReport)
}, { additionalProperties: false })
export type ReportMessage = Static<typeof ReportMessage>

/** The outcome of an instruction, sent back through the spool like a report. */
export const ResultMessage = Type.Object({
  type: Type.Literal('result'),
  seq: Seq,
  time: Time,
  instructionId: Type.String({ minLength: 8, maxLength: 64 }),
  /** `completed`: ran (any exit code); `failed`: could not run; `rejected`: refused by the agent. */
  outcome: Type.Union([Type.Literal('completed'), Type.Literal('failed'), Type.Literal('rejected')]),
  exitCode: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  /** Signal that ended the process, e.g. `SIGKILL` after a time-out. */
  signal: Type.Optional(Type.Union([Type.String({ maxLength: 32 }), Type.Null()])),
  stdout: Type.Optional(Type.String({ maxLength: 16 * 1024 * 1024 })),
  stderr: Type.Optional(Type.String({ maxLength: 16 * 1024 * 1024 })),
  /** True when output was cut at the cap. */
  truncated: Type.Optional(Type.Boolean()),
  durationMs: Type.Optional(Type.Integer({ minimum: 0 })),
  /** Why it failed or was rejected. */
  error: Type.Optional(WireError)
}, { additionalProperties: false })
export type ResultMessage = Static<typeof ResultMessage>

/** A message the agent keeps in its spool until acknowledged. */
export const SpooledMessage = Type.Union([ReportMessage, ResultMessage])
export type SpooledMessage = Static<typeof SpooledMessage>

/** Several spooled messages in one request, in sequence order (replay after an outage). */
export const BatchMessage = Type.Object({
  type: Type.Literal('batch'),
  messages: Type.Array(SpooledMessage, { minItems: 1, maxItems: MAX_BATCH_MESSAGES })
}, { additionalProperties: false })
export type BatchMessage = Static<typeof BatchMessage>

/** "Awaiting instructions": the hub holds it until an instruction is queued or `waitMs` passes. */
export const PollMessage = Type.Object({
  type: Type.Literal('poll'),
  waitMs: Type.Integer({ minimum: 0, maximum: MAX_POLL_WAIT_MS })
}, { additionalProperties: false })
export type PollMessage = Static<typeof PollMessage>

/** Everything an enrolled agent may POST to `/agent/v1/messages` (and send over the WebSocket, less `poll`). */
export const AgentMessage = Type.Union([ReportMessage, ResultMessage, BatchMessage, PollMessage])
export type AgentMessage = Static<typeof AgentMessage>
export const AgentMessageType = { Report: 'report', Result: 'result', Batch: 'batch', Poll: 'poll' } as const

const Capabilities = Type.Array(Type.String({ maxLength: 32 }), { maxItems: 32 })

/** First contact of a new agent, POSTed to `/agent/v1/enroll` (unsigned: it has no identity yet). */
export const EnrollRequest = Type.Object({
  type: Type.Literal('enroll'),
  /** The whole enrollment token as printed by `outpost admin enroll-token`. */
  token: Type.String({ minLength: 1, maxLength: 4096 }),
  /** base64url raw Ed25519 public key made by the agent. */
  publicKey: Type.String({ minLength: 43, maxLength: 43 }),
  hostname: Type.String({ minLength: 1, maxLength: 255 }),
  protocolVersion: Type.Integer({ minimum: 1 }),
  capabilities: Capabilities,
  /** Signature with the new private key over `enrollSigningString`, proving possession. */
  proof: Type.String({ minLength: 86, maxLength: 86 })
}, { additionalProperties: false })
export type EnrollRequest = Static<typeof EnrollRequest>

/** WebSocket: the agent's answer to the hub's challenge. */
export const WsAuthMessage = Type.Object({
  type: Type.Literal('auth'),
  agentId: Type.String({ minLength: 1, maxLength: 64 }),
  time: Type.String({ pattern: '^[0-9]{1,16}$' }),
  /** Signature over `wsAuthSigningString(challenge, agentId, time)`. */
  signature: Type.String({ minLength: 86, maxLength: 86 }),
  protocolVersion: Type.Integer({ minimum: 1 }),
  capabilities: Capabilities
}, { additionalProperties: false })
export type WsAuthMessage = Static<typeof WsAuthMessage>

/** WebSocket frames from an authenticated agent: the POST messages less `poll` (the hub pushes). */
export const WsAgentFrame = Type.Union([ReportMessage, ResultMessage, BatchMessage])
export type WsAgentFrame = Static<typeof WsAgentFrame>

export { PROTOCOL_VERSION }
