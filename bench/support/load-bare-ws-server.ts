// The WebSocket baseline: a bare `ws` server on node:https (the hub's certificate, so pinned
// agents accept it) that speaks just enough of the agent protocol for the same clients: a
// challenge, a welcome after any auth frame (no signature check), and for each report or batch a
// reply acknowledging its sequence numbers (parsed, not validated, not stored).
// Prints { url } when it listens; listens on PORT when given (a restart in the storm baseline),
// with the hub's accept queue length so that both meet a storm on equal terms.
import fs from 'node:fs'
import path from 'node:path'
import { createServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { WebSocketServer } from 'ws'
import { PROTOCOL_VERSION } from '@outpost/protocol'

const tlsDir = process.argv[2]
if (tlsDir === undefined) throw new Error('usage: load-bare-ws-server.ts TLS_DIR [PORT]')
const port = Number(process.argv[3] ?? 0)
const server = createServer({ cert: fs.readFileSync(path.join(tlsDir, 'hub-cert.pem')), key: fs.readFileSync(path.join(tlsDir, 'hub-key.pem')) })
const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 8 * 1024 * 1024 })
wss.on('connection', (ws) => {
  let authed = false
  ws.on('error', () => { ws.terminate() })
  ws.on('message', (data) => {
    const msg = JSON.parse(String(data)) as { type?: string, seq?: number, messages?: Array<{ seq: number }> }
    if (!authed) {
      authed = true
      ws.send(JSON.stringify({ type: 'welcome', time: Date.now() }))
      return
    }
    const accepted = msg.type === 'batch' ? (msg.messages ?? []).map((m) => m.seq) : [msg.seq ?? 0]
    ws.send(JSON.stringify({ type: 'reply', accepted, instructions: [], time: Date.now() }))
  })
  ws.send(JSON.stringify({ type: 'challenge', challenge: 'bare-baseline-challenge-0000', protocolVersion: PROTOCOL_VERSION, capabilities: ['ws', 'batch'] }))
})
server.listen({ port, host: '127.0.0.1', backlog: 8192 }, () => {
  process.stdout.write(JSON.stringify({ url: `https://127.0.0.1:${(server.address() as AddressInfo).port}` }) + '\n')
})
process.once('SIGTERM', () => {
  for (const ws of wss.clients) ws.terminate()
  server.close(() => process.exit(0))
})
