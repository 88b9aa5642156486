import os from 'node:os'
import type { Logger } from 'pino'
import {
  decodeEnrollToken, enrollSigningString, generateSigningKeyPair, signBytes, EnrolledMessage, HubPath, KNOWN_CAPABILITIES, PROTOCOL_VERSION,
  AgentHeader, OutpostError, type EnrollRequest
} from '@outpost/protocol'
import { AgentError, AgentErrorCode } from '../errors.ts'
import { isEnrolled, saveAgentState, type AgentState } from '../state/agent-state.ts'
import { hubUrl } from '../transport/hub-link.ts'
import { httpsPost, readHubAnswer } from '../transport/https-post.ts'
import { PinnedAgent } from '../transport/pinned-connector.ts'
import { UpstreamSelector } from '../transport/upstream-selector.ts'
import { upstreamsFor } from '../transport/upstream-list.ts'
import { enrollSigner } from '../transport/upstream-signers.ts'

/** Time allowed for the enrollment request. */
export const ENROLL_TIMEOUT_MS = 30_000

/** Inputs of `enrollAgent`. */
export interface EnrollOptions {
  /** The token printed by `outpost admin enroll-token`. */
  readonly token: string
  readonly stateDir: string
  /** HTTP CONNECT proxy, or null. */
  readonly proxy?: string | null
  /** Ordered upstream list (`relay://host:port` / the hub URL); the enrollment tunnels through it. */
  readonly upstreams?: readonly string[]
  /** Name to register; the host name by default. */
  readonly hostname?: string
  readonly now?: () => number
  readonly logger?: Logger
}

/**
 * Enrolls this machine: decodes the token, makes a fresh Ed25519 key pair, connects to the
 * token's hub pinning the token's fingerprint (a different certificate is refused with
 * `AGENT_ERR_CERT_MISMATCH` before any byte of the request is sent), proves possession of the
 * key, and stores agent id, key pair, hub URL, fingerprint and hub instruction key in `stateDir`.
 */
export async function enrollAgent (opts: EnrollOptions): Promise<AgentState> {
  let token
  try {
    token = decodeEnrollToken(opts.token.trim())
  } catch (cause) {
    throw new AgentError(AgentErrorCode.EnrollFailed, `cannot enroll: ${(cause as Error).message}`, { cause })
  }
  const now = opts.now ?? Date.now
  if (token.expiresAt < now()) throw new AgentError(AgentErrorCode.EnrollFailed, `the enrollment token expired at ${new Date(token.expiresAt).toISOString()}: ask for a new one`)
  if (isEnrolled(opts.stateDir)) throw new AgentError(AgentErrorCode.State, `${opts.stateDir} already holds an enrollment; use a fresh --state directory to enroll again`)
  const hostname = (opts.hostname ?? os.hostname()).slice(0, 255) || 'unknown'
  const keyPair = generateSigningKeyPair()
  const request: EnrollRequest = {
    type: 'enroll',
    token: opts.token.trim(),
    publicKey: keyPair.publicKey,
    hostname,
    protocolVersion: PROTOCOL_VERSION,
    capabilities: [...KNOWN_CAPABILITIES],
    proof: signBytes(keyPair.privateKey, enrollSigningString(token.id, keyPair.publicKey, hostname))
  }
  const upstreams = opts.upstreams !== undefined && opts.upstreams.length > 0
    ? new UpstreamSelector({ upstreams: upstreamsFor(opts.upstreams, token.url, null), sign: enrollSigner(token.id, token.secret), now })
    : null
  const agent = new PinnedAgent({ fingerprint: token.fingerprint, proxy: upstreams === null ? opts.proxy ?? null : null, upstreams })
  const url = hubUrl(token.url, HubPath.AgentEnroll)
  opts.logger?.info({ hub: url.origin, proxy: opts.proxy != null }, 'enrolling')
  let enrolled: EnrolledMessage
  try {
    const answer = await httpsPost(url, Buffer.from(JSON.stringify(request)), {
      agent, timeoutMs: ENROLL_TIMEOUT_MS, headers: { [AgentHeader.Protocol]: String(PROTOCOL_VERSION) }
    })
    enrolled = readHubAnswer(answer, EnrolledMessage, 'enrollment answer')
  } catch (err) {
    if (err instanceof OutpostError && err.code === AgentErrorCode.HubRefused) {
      throw new AgentError(AgentErrorCode.EnrollFailed, `hub refused the enrollment: ${err.message}`, { cause: err, details: err.details })
    }
    throw err
  } finally {
    agent.destroy()
    upstreams?.close()
  }
  if (enrolled.protocolVersion !== PROTOCOL_VERSION) {
    throw new AgentError(AgentErrorCode.EnrollFailed, `hub speaks protocol ${enrolled.protocolVersion}, this agent ${PROTOCOL_VERSION}`)
  }
  const state: AgentState = {
    agentId: enrolled.agentId,
    hubUrl: token.url,
    fingerprint: token.fingerprint,
    hubKey: enrolled.hubKey,
    publicKey: keyPair.publicKey,
    enrolledAt: now(),
    keyPair
  }
  saveAgentState(opts.stateDir, state)
  opts.logger?.info({ agentId: state.agentId }, 'enrolled')
  return state
}
