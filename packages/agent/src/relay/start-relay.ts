import type { Socket } from 'node:net'
import type { Logger } from 'pino'
import { HubPath, RelayVerifyAnswer, type RelayVerifyRequest } from '@outpost/protocol'
import type { AgentState } from '../state/agent-state.ts'
import { hubUrl, signedHeaders } from '../transport/hub-link.ts'
import { httpsPost, readHubAnswer } from '../transport/https-post.ts'
import { PinnedAgent } from '../transport/pinned-connector.ts'
import { authorityOf, type UpstreamSelector } from '../transport/upstream-selector.ts'
import { RelayAuthenticator } from './relay-auth.ts'
import { RELAY_DIAL_TIMEOUT_MS, RelayServer, forwardPath, type RelayRefusal } from './relay-server.ts'

/** Time allowed for the hub to check a downstream CONNECT. */
const VERIFY_TIMEOUT_MS = 10_000

export interface StartRelayOptions {
  readonly state: AgentState
  readonly listen: { readonly host: string, readonly port: number }
  /** The relay's own way to the hub (the same list its agent uses). */
  readonly upstreams: UpstreamSelector
  readonly now: () => number
  readonly logger?: Logger
  /** Told of every refused CONNECT. */
  readonly onRefuse?: (r: RelayRefusal) => void
  /** Told when the agents whose first hop it is change. */
  readonly onDownstreamChange?: () => void
}

/** Starts the relay of an enrolled agent; resolves once it listens. */
export async function startRelay (opts: StartRelayOptions): Promise<{ server: RelayServer, address: { host: string, port: number } }> {
  const { state } = opts
  const hub = new URL(state.hubUrl)
  const host = hub.hostname.replace(/^\[|\]$/g, '')
  const port = hub.port === '' ? 443 : Number(hub.port)
  const verifyUrl = hubUrl(state.hubUrl, HubPath.AgentRelayVerify)
  const askHub = async (req: RelayVerifyRequest): Promise<RelayVerifyAnswer> => {
    const body = Buffer.from(JSON.stringify(req))
    const headers = signedHeaders({ agentId: state.agentId, privateKey: state.keyPair.privateKey, now: opts.now }, 'POST', verifyUrl.pathname, body)
    // A connection of its own, on the path of the CONNECT being checked: in a ring, the check
    // then never goes through the relay that asked for it (which would wait for this one).
    const agent = new PinnedAgent({ fingerprint: state.fingerprint, upstreams: opts.upstreams, upstreamPath: forwardPath(req.path, req.agentId, state.agentId) })
    try {
      return readHubAnswer(await httpsPost(verifyUrl, body, { agent, timeoutMs: VERIFY_TIMEOUT_MS, headers }), RelayVerifyAnswer, 'relay verify answer')
    } finally {
      agent.destroy()
    }
  }
  const server = new RelayServer({
    relayId: state.agentId,
    target: { host, port, authority: authorityOf(host, port) },
    auth: new RelayAuthenticator(askHub, opts.now),
    dial: async (path: string): Promise<Socket> => (await opts.upstreams.open({ host, port }, RELAY_DIAL_TIMEOUT_MS, path)).socket,
    ...(opts.logger === undefined ? {} : { logger: opts.logger.child({ component: 'relay' }) }),
    ...(opts.onRefuse === undefined ? {} : { onRefuse: opts.onRefuse }),
    ...(opts.onDownstreamChange === undefined ? {} : { onDownstreamChange: opts.onDownstreamChange })
  })
  const address = await server.listen(opts.listen.host, opts.listen.port)
  opts.logger?.info({ ...address, hub: authorityOf(host, port) }, 'relay listening')
  return { server, address }
}
