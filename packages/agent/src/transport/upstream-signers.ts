import type { KeyObject } from 'node:crypto'
import { RELAY_ENROLL_PREFIX, enrollRelaySignature, signRelayConnect } from '@outpost/protocol'
import type { UpstreamSigner } from './upstream-selector.ts'

/** An enrolled agent (or a forwarding relay) signs its CONNECTs with its own key. */
export function agentSigner (agentId: string, privateKey: KeyObject): UpstreamSigner {
  return (p) => ({ agentId, signature: signRelayConnect(privateKey, { ...p, agentId }) })
}

/** An enrolling agent proves it holds the token (see `enrollRelaySignature`). */
export function enrollSigner (tokenId: string, tokenSecret: string): UpstreamSigner {
  const agentId = RELAY_ENROLL_PREFIX + tokenId
  return (p) => ({ agentId, signature: enrollRelaySignature(tokenSecret, { ...p, agentId }) })
}
