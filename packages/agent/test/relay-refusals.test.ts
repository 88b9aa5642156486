// What a relay refuses: other targets, other methods, unsigned, forged, replayed and looping CONNECTs.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'
import { decodeEnrollToken, enrollRelaySignature, generateSigningKeyPair, randomId, signRelayConnect, RelayHeader, RELAY_REFUSED_EVENT } from '@outpost/protocol'
import { api } from '@outpost/testkit'
import { loadAgentState } from '@outpost/agent'
import { siteHub, startSiteAgent, until } from './support/relay-fixture.ts'

/** Sends a raw request to the relay and returns the status code of its answer. */
async function rawStatus (port: number, head: string): Promise<number> {
  const s = net.connect(port, '127.0.0.1')
  s.write(head)
  let text = ''
  for await (const chunk of s) {
    text += String(chunk)
    if (text.includes('\r\n')) break
  }
  s.destroy()
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0)
}

function connect (target: string, headers: Record<string, string>): string {
  return `CONNECT ${target} HTTP/1.1\r\nhost: ${target}\r\n` + Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n'
}

test('a relay forwards only genuine, fresh, loop-free CONNECTs to its own hub', async (t) => {
  const hub = await siteHub(t)
  const relay = await startSiteAgent(t, hub, { relayPort: 0 })
  const leaf = await startSiteAgent(t, hub)
  const port = relay.agent.relay!.address.port
  const hubTarget = new URL(hub.url).host
  const key = loadAgentState(leaf.stateDir).keyPair.privateKey
  const signed = (target: string, path = '', privateKey = key, agentId = leaf.agentId): Record<string, string> => {
    const time = String(Date.now())
    const nonce = randomId(16)
    return {
      [RelayHeader.AgentId]: agentId, [RelayHeader.Time]: time, [RelayHeader.Nonce]: nonce,
      [RelayHeader.Signature]: signRelayConnect(privateKey, { target, agentId, time, nonce, path }),
      ...(path === '' ? {} : { [RelayHeader.Path]: path })
    }
  }

  // Genuine: accepted (the control that makes each refusal below meaningful).
  const good = signed(hubTarget)
  assert.equal(await rawStatus(port, connect(hubTarget, good)), 200)
  // Replayed: the very same headers again.
  assert.equal(await rawStatus(port, connect(hubTarget, good)), 407)
  // Another target, even signed for it: never an open proxy.
  assert.equal(await rawStatus(port, connect('127.0.0.1:22', signed('127.0.0.1:22'))), 403)
  assert.equal(await rawStatus(port, connect('example.com:443', signed('example.com:443'))), 403)
  // Unsigned.
  assert.equal(await rawStatus(port, connect(hubTarget, {})), 407)
  // Forged: the leaf's id with another key.
  assert.equal(await rawStatus(port, connect(hubTarget, signed(hubTarget, '', generateSigningKeyPair().privateKey))), 407)
  // Signed for another target, sent to the hub: the signature does not cover it.
  const other = signed('10.9.9.9:443')
  assert.equal(await rawStatus(port, connect(hubTarget, other)), 407)
  // An unknown agent id.
  assert.equal(await rawStatus(port, connect(hubTarget, signed(hubTarget, '', generateSigningKeyPair().privateKey, 'no-such-agent-0001'))), 407)
  // Stale time.
  const stale = signed(hubTarget)
  stale[RelayHeader.Time] = String(Date.now() - 3600_000)
  assert.equal(await rawStatus(port, connect(hubTarget, stale)), 407)
  // Loop: the path already holds this relay; and too many hops.
  assert.equal(await rawStatus(port, connect(hubTarget, signed(hubTarget, `x1,${relay.agentId}`))), 508)
  assert.equal(await rawStatus(port, connect(hubTarget, signed(hubTarget, 'o,a,b,c,d,e,f,g,h'))), 508)
  // Anything but CONNECT.
  assert.equal(await rawStatus(port, `GET http://${hubTarget}/ HTTP/1.1\r\nhost: ${hubTarget}\r\n\r\n`), 405)
  const stats = relay.agent.relay!.server.stats
  assert.equal(stats.connections, 1, 'only the genuine CONNECT was carried')
  assert.equal(stats.refused, 10)
  // Each refusal reaches the hub as a `relay.refused` event of the relay (which the hub audits).
  let events: Array<{ name: string, message: string }> = []
  await until(async () => {
    const host = await api(hub.url, hub.adminToken, `/hosts/${relay.agentId}`)
    events = (host.json.recentEvents as typeof events).filter((e) => e.name === RELAY_REFUSED_EVENT)
    return events.length >= 10
  }, 'the refusals to reach the hub as events')
  assert.equal(events.length, 10)
  assert.ok(events.some((e) => e.message.includes('(508)') && e.message.includes('loop')), 'the loop refusal is named')
  assert.ok(events.some((e) => e.message.includes(`agent ${leaf.agentId}`) && e.message.includes('(407)')), 'the forged CONNECT names the claimed agent')
})

test('an enrollment CONNECT needs the token secret, not just its id', async (t) => {
  const hub = await siteHub(t)
  const relay = await startSiteAgent(t, hub, { relayPort: 0 })
  const port = relay.agent.relay!.address.port
  const hubTarget = new URL(hub.url).host
  const token = await hub.enrollToken()
  const { id } = decodeEnrollToken(token)
  const headersFor = (secret: string): Record<string, string> => {
    const time = String(Date.now())
    const nonce = randomId(16)
    const agentId = `enroll:${id}`
    return { [RelayHeader.AgentId]: agentId, [RelayHeader.Time]: time, [RelayHeader.Nonce]: nonce, [RelayHeader.Signature]: enrollRelaySignature(secret, { target: hubTarget, agentId, time, nonce, path: '' }) }
  }
  assert.equal(await rawStatus(port, connect(hubTarget, headersFor('guessed-secret'))), 407)
  assert.equal(await rawStatus(port, connect(hubTarget, headersFor(decodeEnrollToken(token).secret))), 200)
})
