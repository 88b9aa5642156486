import type { KeyObject } from 'node:crypto'
import { AgentHeader, PROTOCOL_VERSION, signRequest } from '@outpost/protocol'
import type { PinnedAgent } from './pinned-connector.ts'

/** What a transport needs to talk to the hub as this agent. */
export interface HubLink {
  /** Base URL of the hub (`https://host:port`). */
  readonly hubUrl: string
  readonly agentId: string
  /** The agent's Ed25519 private key; it signs requests and never leaves the process. */
  readonly privateKey: KeyObject
  /** Pinned connector shared by every request and the WebSocket. */
  readonly agent: PinnedAgent
  /** Clock, injectable for tests. */
  readonly now?: () => number
  /** The agent is configured without WebSockets (`transport: http`): side channels use their POST fallback too. */
  readonly preferPost?: boolean
}

/** The absolute URL of a hub path, keeping any path prefix of the base URL. */
export function hubUrl (base: string, path: string): URL {
  const u = new URL(base)
  u.pathname = u.pathname.replace(/\/+$/, '') + path
  u.search = ''
  u.hash = ''
  return u
}

/**
 * The headers of one signed agent request to the hub: the protocol version and the request
 * signature over `method`, `path` (with its query) and `body` (empty for a streamed body).
 */
export function signedHeaders (link: Pick<HubLink, 'agentId' | 'privateKey' | 'now'>, method: string, path: string, body: Uint8Array | string): Record<string, string> {
  return {
    ...signRequest(link.privateKey, { method, path, agentId: link.agentId, body }, link.now?.() ?? Date.now()),
    [AgentHeader.Protocol]: String(PROTOCOL_VERSION)
  }
}
