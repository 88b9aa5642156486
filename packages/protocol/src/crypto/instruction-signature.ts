import type { KeyObject } from 'node:crypto'
import { canonicalJson } from './canonical-json.ts'
import { signBytes, verifyBytes } from './ed25519.ts'
import type { SignedInstruction, UnsignedInstruction } from '../messages/instruction.ts'

/** The exact text the hub signs for an instruction. */
export function instructionSigningString (i: UnsignedInstruction): string {
  const { id, agentId, issuer, issuedAt, expiresAt, nonce, body } = i
  return 'OUTPOST-INSTR-V1\n' + canonicalJson({ id, agentId, issuer, issuedAt, expiresAt, nonce, body })
}

/** Signs an instruction with the hub key. */
export function signInstruction (hubKey: KeyObject, i: UnsignedInstruction): SignedInstruction {
  return { ...i, signature: signBytes(hubKey, instructionSigningString(i)) }
}

/** True when the signature is the hub's over exactly these fields. */
export function verifyInstructionSignature (hubPublicKey: KeyObject | string, i: SignedInstruction): boolean {
  const { signature, ...rest } = i
  return verifyBytes(hubPublicKey, instructionSigningString(rest), signature)
}
