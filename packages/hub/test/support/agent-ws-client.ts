// An agent's side of the hub's WebSocket for tests: frames queued as parsed JSON, awaited in order.
import type { TestContext } from 'node:test'
import { once } from 'node:events'
import { WebSocket } from 'ws'
import { HubPath, PROTOCOL_VERSION, signBytes, wsAuthSigningString } from '@outpost/protocol'
import type { HubFixture, TestAgent } from './hub-fixture.ts'

export interface FramedSocket { readonly ws: WebSocket, readonly next: () => Promise<any> }

/** Opens the agent WebSocket of `f`; resolves once it is open (the challenge is the first frame). */
export async function openAgentSocket (t: Pick<TestContext, 'after'>, f: HubFixture, opts: { autoPong?: boolean } = {}): Promise<FramedSocket> {
  const ws = new WebSocket(f.url.replace('https:', 'wss:') + HubPath.AgentWebSocket, { rejectUnauthorized: false, ...opts })
  t.after(() => { ws.terminate() })
  const frames: unknown[] = []
  const waiters: Array<(v: unknown) => void> = []
  ws.on('message', (data) => {
    const v = JSON.parse(String(data))
    const w = waiters.shift()
    if (w !== undefined) w(v)
    else frames.push(v)
  })
  await once(ws, 'open')
  const next = (): Promise<any> => frames.length > 0 ? Promise.resolve(frames.shift()) : new Promise(resolve => waiters.push(resolve))
  return { ws, next }
}

/** The auth frame answering `challenge`, signed with `keys` (the agent's own by default). */
export function authFrame (agent: TestAgent, challenge: string, keys = agent.keys): string {
  const time = String(Date.now())
  return JSON.stringify({ type: 'auth', agentId: agent.agentId, time, signature: signBytes(keys.privateKey, wsAuthSigningString(challenge, agent.agentId, time)), protocolVersion: PROTOCOL_VERSION, capabilities: ['ws'] })
}
