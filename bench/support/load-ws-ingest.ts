// The WebSocket half of the load benchmark's ingest section: simulated agents (enrolled
// identities) open authenticated WebSockets (challenge, signed auth, welcome) and send report
// frames with `inflight` frames outstanding per socket, for a warm-up and a timed window. Counts
// the reports acknowledged in the window. The same loader drives the hub and the bare `ws`
// server (which skips the signature check but speaks the same frames).
import WebSocket from 'ws'
import { AgentHeader, HubPath, KNOWN_CAPABILITIES, PROTOCOL_VERSION, signBytes, wsAuthSigningString } from '@outpost/protocol'
import type { SimulatedAgent } from '@outpost/testkit'
import { LatencyRecorder } from './load-stats.ts'
import { METRIC_NAMES, type RoundResult } from './signed-load.ts'

/** What one WebSocket round measured: a POST round's figures less the loader's. */
export type WsRoundResult = Pick<RoundResult, 'reports' | 'seconds' | 'p50' | 'p99' | 'errors' | 'serverCpu'>

/** Opens one authenticated socket for `agent`. */
function open (baseUrl: string, agent: SimulatedAgent): Promise<WebSocket> {
  const url = new URL(HubPath.AgentWebSocket, baseUrl)
  url.protocol = 'wss:'
  const ws = new WebSocket(url, { rejectUnauthorized: false, perMessageDeflate: false, headers: { [AgentHeader.Protocol]: String(PROTOCOL_VERSION) } })
  return new Promise((resolve, reject) => {
    ws.once('error', reject)
    const onMessage = (data: WebSocket.RawData): void => {
      const f = JSON.parse(String(data)) as { type: string, challenge?: string }
      if (f.type === 'challenge') {
        const time = String(Date.now())
        ws.send(JSON.stringify({ type: 'auth', agentId: agent.agentId, time, signature: signBytes(agent.keys.privateKey, wsAuthSigningString(f.challenge ?? '', agent.agentId, time)), protocolVersion: PROTOCOL_VERSION, capabilities: [...KNOWN_CAPABILITIES] }))
      } else if (f.type === 'welcome') {
        ws.off('message', onMessage)
        resolve(ws)
      } else {
        reject(new Error(`WebSocket auth failed: ${String(data)}`))
      }
    }
    ws.on('message', onMessage)
  })
}

/** Each socket's next sequence number, kept across rounds (the hub de-duplicates by seq). */
const seqs = new Map<string, number>()

/** Runs one round against `baseUrl`; `serverCpu` reads the server process's CPU seconds. */
export async function runWsRound (baseUrl: string, agents: readonly SimulatedAgent[], inflight: number, seconds: number, warmupMs: number, serverCpu: () => number): Promise<WsRoundResult> {
  const sockets = await Promise.all(agents.map((a) => open(baseUrl, a)))
  const latencies = new LatencyRecorder()
  let errors = 0
  const start = performance.now()
  const measureFrom = start + warmupMs
  const end = measureFrom + seconds * 1000
  let cpu0 = serverCpu()
  setTimeout(() => { cpu0 = serverCpu() }, warmupMs).unref()
  await Promise.all(sockets.map((ws, i) => new Promise<void>((resolve) => {
    const id = agents[i]!.agentId
    const sent = new Map<number, number>()
    const send = (): void => {
      const seq = (seqs.get(id) ?? 0) + 1
      seqs.set(id, seq)
      sent.set(seq, performance.now())
      ws.send(JSON.stringify({ type: 'report', seq, time: Date.now(), metrics: METRIC_NAMES.map((name) => ({ name, value: Math.round((10 + Math.random() * 50) * 100) / 100 })) }))
    }
    ws.on('message', (data) => {
      const f = JSON.parse(String(data)) as { type: string, accepted?: number[] }
      if (f.type !== 'reply') { errors++; return }
      const t1 = performance.now()
      for (const seq of f.accepted ?? []) {
        const t0 = sent.get(seq)
        if (t0 === undefined) continue
        sent.delete(seq)
        if (t0 >= measureFrom && t1 <= end) latencies.add(t1 - t0)
        if (t1 < end) send()
      }
      if (sent.size === 0 && t1 >= end) resolve()
    })
    ws.once('close', () => { errors += sent.size; resolve() })
    for (let k = 0; k < inflight; k++) send()
  })))
  const elapsed = (performance.now() - measureFrom) / 1000
  const cpu = (serverCpu() - cpu0) / elapsed
  for (const ws of sockets) ws.close()
  return { reports: latencies.count, seconds, p50: latencies.quantile(0.5), p99: latencies.quantile(0.99), errors, serverCpu: cpu }
}
