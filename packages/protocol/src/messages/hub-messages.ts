import { Type, type Static } from '@sinclair/typebox'
import { SignedInstruction } from './instruction.ts'
import { WireError } from '../errors.ts'

/**
 * The hub's answer to every agent message (and, on the WebSocket, its push of new instructions):
 * the sequence numbers it has committed and any instructions queued for the agent.
 */
export const ReplyMessage = Type.Object({
  type: Type.Literal('reply'),
  /** Sequence numbers durably stored (or already stored before: duplicates are acknowledged too). */
  accepted: Type.Array(Type.Integer({ minimum: 1 })),
  instructions: Type.Array(SignedInstruction),
  /** Hub clock, milliseconds since the epoch. */
  time: Type.Integer({ minimum: 0 })
}, { additionalProperties: false })
export type ReplyMessage = Static<typeof ReplyMessage>

/** Answer to a successful enrollment. */
export const EnrolledMessage = Type.Object({
  type: Type.Literal('enrolled'),
  agentId: Type.String({ minLength: 1, maxLength: 64 }),
  /** base64url raw Ed25519 key that signs instructions; the agent pins it. */
  hubKey: Type.String({ minLength: 43, maxLength: 43 }),
  protocolVersion: Type.Integer({ minimum: 1 }),
  capabilities: Type.Array(Type.String())
}, { additionalProperties: false })
export type EnrolledMessage = Static<typeof EnrolledMessage>

/** WebSocket: the first frame from the hub. */
export const WsChallengeMessage = Type.Object({
  type: Type.Literal('challenge'),
  challenge: Type.String({ minLength: 16, maxLength: 128 }),
  protocolVersion: Type.Integer({ minimum: 1 }),
  capabilities: Type.Array(Type.String())
}, { additionalProperties: false })
export type WsChallengeMessage = Static<typeof WsChallengeMessage>

/** WebSocket: authentication accepted. */
export const WsWelcomeMessage = Type.Object({
  type: Type.Literal('welcome'),
  time: Type.Integer({ minimum: 0 })
}, { additionalProperties: false })
export type WsWelcomeMessage = Static<typeof WsWelcomeMessage>

/** WebSocket: an error; the hub closes the connection after an authentication error. */
export const WsErrorMessage = Type.Object({
  type: Type.Literal('error'),
  error: WireError
}, { additionalProperties: false })
export type WsErrorMessage = Static<typeof WsErrorMessage>

/** Every frame the hub sends on an agent WebSocket. */
export const WsHubFrame = Type.Union([WsChallengeMessage, WsWelcomeMessage, ReplyMessage, WsErrorMessage])
export type WsHubFrame = Static<typeof WsHubFrame>

/**
 * How an agent reads a `reply`: the envelope is validated, but each instruction is kept as it came
 * and judged on its own by the agent (schema, hub signature, target, expiry, replay), so that one
 * malformed or forged instruction becomes one `rejected` result instead of a lost reply.
 */
export const ReplyEnvelope = Type.Object({
  ...ReplyMessage.properties,
  instructions: Type.Array(Type.Unknown(), { maxItems: 1000 })
}, { additionalProperties: false })
export type ReplyEnvelope = Static<typeof ReplyEnvelope>

/** Every frame the hub sends on an agent WebSocket, as the agent reads it (see `ReplyEnvelope`). */
export const WsHubFrameEnvelope = Type.Union([WsChallengeMessage, WsWelcomeMessage, ReplyEnvelope, WsErrorMessage])
export type WsHubFrameEnvelope = Static<typeof WsHubFrameEnvelope>
