import type { KeyObject } from 'node:crypto'
import { isValid, SignedInstruction, verifyInstructionSignature } from '@outpost/protocol'
import { AgentErrorCode } from '../errors.ts'
import type { SeenLog } from './seen-log.ts'

/** Clock difference tolerated between hub and agent when checking expiry. */
export const INSTRUCTION_SKEW_MS = 30_000

/** What the checks need. */
export interface VerifyContext {
  readonly agentId: string
  /** The hub instruction key pinned at enrollment. */
  readonly hubKey: KeyObject | string
  readonly seen: SeenLog
  readonly now: number
  readonly skewMs?: number
}

/** The outcome of `verifyInstruction`. */
export type Verdict =
  | { readonly ok: true, readonly instruction: SignedInstruction }
  | { readonly ok: false, readonly code: AgentErrorCode, readonly message: string, readonly id: string | undefined }

/**
 * Runs every check before anything executes, cheapest-to-forge last: schema, hub signature (so
 * no field is trusted before it), target agent, expiry, then replay. Does not record the id;
 * the caller does that durably just before running.
 */
export function verifyInstruction (raw: unknown, ctx: VerifyContext): Verdict {
  const id = idOf(raw)
  const sig = (raw as { signature?: unknown } | null)?.signature
  if (typeof sig !== 'string' || sig === '') return no(AgentErrorCode.InstructionUnsigned, 'instruction carries no signature', id)
  if (!isValid(SignedInstruction, raw)) return no(AgentErrorCode.InstructionInvalid, 'instruction does not match the schema', id)
  if (!verifyInstructionSignature(ctx.hubKey, raw)) return no(AgentErrorCode.InstructionBadSignature, 'instruction signature does not verify with the pinned hub key', id)
  if (raw.agentId !== ctx.agentId) return no(AgentErrorCode.InstructionWrongAgent, `instruction is for agent ${raw.agentId}, not this one`, id)
  if (ctx.now > raw.expiresAt + (ctx.skewMs ?? INSTRUCTION_SKEW_MS)) return no(AgentErrorCode.InstructionExpired, `instruction expired at ${new Date(raw.expiresAt).toISOString()}`, id)
  if (ctx.seen.has(raw.id)) return no(AgentErrorCode.InstructionReplayed, 'instruction id was already received', id)
  return { ok: true, instruction: raw }
}

function no (code: AgentErrorCode, message: string, id: string | undefined): Verdict {
  return { ok: false, code, message, id }
}

function idOf (raw: unknown): string | undefined {
  const id = (raw as { id?: unknown } | null)?.id
  return typeof id === 'string' && id.length >= 8 && id.length <= 64 ? id : undefined
}
