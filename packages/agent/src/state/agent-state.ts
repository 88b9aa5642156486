import fs from 'node:fs'
import path from 'node:path'
import { Type, type Static } from '@sinclair/typebox'
import { exportPrivateKeyPem, importPrivateKeyPem, parseJson, type SigningKeyPair } from '@outpost/protocol'
import { AgentError, AgentErrorCode } from '../errors.ts'
import { ensurePrivateDir, writeFileAtomic } from './atomic-write.ts'

const IDENTITY_FILE = 'identity.json'
const KEY_FILE = 'agent-key.pem'

/** What the agent learned at enrollment and pins from then on (`identity.json`). */
export const AgentIdentity = Type.Object({
  agentId: Type.String({ minLength: 1, maxLength: 64 }),
  /** Base URL of the hub, from the enrollment token. */
  hubUrl: Type.String({ pattern: '^https://' }),
  /** Pinned SHA-256 of the hub's TLS certificate, 64 lower-case hex digits. */
  fingerprint: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  /** Pinned base64url Ed25519 key that signs instructions. */
  hubKey: Type.String({ minLength: 43, maxLength: 43 }),
  /** Our own public key (the private half is in `agent-key.pem`). */
  publicKey: Type.String({ minLength: 43, maxLength: 43 }),
  enrolledAt: Type.Integer({ minimum: 0 })
}, { additionalProperties: false })
export type AgentIdentity = Static<typeof AgentIdentity>

/** The enrolled agent's identity plus its key pair. The private key never leaves the state dir. */
export interface AgentState extends AgentIdentity {
  readonly keyPair: SigningKeyPair
}

/** True when `stateDir` holds a complete enrollment. */
export function isEnrolled (stateDir: string): boolean {
  return fs.existsSync(path.join(stateDir, IDENTITY_FILE)) && fs.existsSync(path.join(stateDir, KEY_FILE))
}

/**
 * Stores an enrollment. The key is written before the identity, so a crash in between leaves
 * "not enrolled" (identity missing) rather than an identity without its key.
 */
export function saveAgentState (stateDir: string, state: AgentState): void {
  ensurePrivateDir(stateDir)
  writeFileAtomic(path.join(stateDir, KEY_FILE), exportPrivateKeyPem(state.keyPair.privateKey))
  const identity: AgentIdentity = {
    agentId: state.agentId,
    hubUrl: state.hubUrl,
    fingerprint: state.fingerprint,
    hubKey: state.hubKey,
    publicKey: state.keyPair.publicKey,
    enrolledAt: state.enrolledAt
  }
  writeFileAtomic(path.join(stateDir, IDENTITY_FILE), JSON.stringify(identity, null, 2) + '\n')
}

/** Loads the enrollment; `AGENT_ERR_NOT_ENROLLED` when there is none, `AGENT_ERR_STATE` when it is damaged. */
export function loadAgentState (stateDir: string): AgentState {
  if (!isEnrolled(stateDir)) {
    throw new AgentError(AgentErrorCode.NotEnrolled, `no enrollment in ${stateDir}: run \`outpost agent --enroll TOKEN --state ${stateDir}\` first`)
  }
  try {
    const identity = parseJson(AgentIdentity, fs.readFileSync(path.join(stateDir, IDENTITY_FILE)), 'agent identity')
    const keyPair = importPrivateKeyPem(fs.readFileSync(path.join(stateDir, KEY_FILE), 'utf8'))
    if (keyPair.publicKey !== identity.publicKey) throw new Error('agent-key.pem does not match identity.json')
    return { ...identity, keyPair }
  } catch (cause) {
    throw new AgentError(AgentErrorCode.State, `agent state in ${stateDir} is damaged: ${(cause as Error).message}`, { cause })
  }
}
