import { test } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import tls from 'node:tls'
import { createProxy } from 'proxy'
import { makeTestCert } from '@outpost/testkit'
import WebSocket, { WebSocketServer } from 'ws'
import { PinnedAgent, connectPinned } from '../src/transport/pinned-connector.ts'

const [certA, certB] = await Promise.all([makeTestCert(), makeTestCert()])

function listen (server: http.Server | tls.Server, t: { after: (fn: () => Promise<void>) => void }): Promise<number> {
  const sockets = new Set<import('node:net').Socket>()
  server.on('connection', (s: import('node:net').Socket) => { sockets.add(s); s.once('close', () => sockets.delete(s)) })
  t.after(() => new Promise<void>((resolve) => {
    server.close(() => resolve())
    for (const s of sockets) s.destroy()
  }))
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)))
}

function get (agent: https.Agent, port: number): Promise<{ status: number, body: string }> {
  return new Promise((resolve, reject) => {
    https.get({ host: '127.0.0.1', port, path: '/hello', agent }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => { body += c })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    }).on('error', reject)
  })
}

async function startHttps (t: Parameters<typeof listen>[1]): Promise<{ port: number, server: https.Server }> {
  const server = https.createServer({ cert: certA.cert, key: certA.key }, (req, res) => res.end(`hi ${req.url}`))
  return { port: await listen(server, t), server }
}

async function startProxy (t: Parameters<typeof listen>[1], auth?: string): Promise<{ port: number, connects: string[] }> {
  const proxy = createProxy(http.createServer())
  if (auth !== undefined) proxy.authenticate = (req) => req.headers['proxy-authorization'] === 'Basic ' + Buffer.from(auth).toString('base64')
  const connects: string[] = []
  proxy.on('connect', (req: http.IncomingMessage) => connects.push(req.url ?? ''))
  return { port: await listen(proxy, t), connects }
}

test('a certificate that does not match the pin is refused before any byte is sent', async (t) => {
  let received = 0
  let connections = 0
  const closed: Promise<void>[] = []
  const server = tls.createServer({ cert: certA.cert, key: certA.key }, (sock) => {
    sock.on('data', (c: Buffer) => { received += c.length })
    sock.on('error', () => { /* the client hangs up on us: expected */ })
  })
  server.on('connection', (raw: import('node:net').Socket) => {
    connections++
    closed.push(new Promise((resolve) => raw.once('close', () => resolve())))
  })
  server.on('tlsClientError', () => { /* the client aborting the handshake is the point of the test */ })
  const port = await listen(server, t)
  const agent = new PinnedAgent({ fingerprint: certB.fingerprint })
  t.after(() => agent.destroy())
  await assert.rejects(get(agent, port), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'AGENT_ERR_CERT_MISMATCH')
    assert.match(err.message, new RegExp(`expected ${certB.fingerprint}, got ${certA.fingerprint}`))
    return true
  })
  await Promise.all(closed)
  assert.equal(connections, 1)
  // Not one byte of application data (the request line) reached the server.
  assert.equal(received, 0)
})

test('the matching pin connects without any CA', async (t) => {
  const { port } = await startHttps(t)
  const agent = new PinnedAgent({ fingerprint: certA.fingerprint.toUpperCase().replace(/(..)(?!$)/g, '$1:') })
  t.after(() => agent.destroy())
  assert.deepEqual(await get(agent, port), { status: 200, body: 'hi /hello' })
})

test('POST and WebSocket both go through a real CONNECT proxy, pinned', async (t) => {
  const { port, server } = await startHttps(t)
  const wss = new WebSocketServer({ server })
  wss.on('connection', (ws) => ws.send('welcome'))
  t.after(() => new Promise<void>((resolve) => { for (const c of wss.clients) c.terminate(); wss.close(() => resolve()) }))
  const proxy = await startProxy(t)
  const agent = new PinnedAgent({ fingerprint: certA.fingerprint, proxy: `http://127.0.0.1:${proxy.port}` })
  t.after(() => agent.destroy())
  const ws = new WebSocket(`wss://127.0.0.1:${port}/ws`, { agent })
  t.after(() => ws.terminate())
  const first = await new Promise<string>((resolve, reject) => {
    ws.once('message', (d) => resolve(String(d)))
    ws.once('error', reject)
  })
  assert.equal(first, 'welcome')
  // The upgraded socket left the keep-alive pool, so the POST needs (and gets) a second tunnel.
  assert.deepEqual(await get(agent, port), { status: 200, body: 'hi /hello' })
  assert.deepEqual(proxy.connects, [`127.0.0.1:${port}`, `127.0.0.1:${port}`])
})

test('a pin mismatch through the proxy is refused too', async (t) => {
  const { port } = await startHttps(t)
  const proxy = await startProxy(t)
  await assert.rejects(connectPinned({ host: '127.0.0.1', port }, { fingerprint: certB.fingerprint, proxy: `http://127.0.0.1:${proxy.port}` }), { code: 'AGENT_ERR_CERT_MISMATCH' })
  assert.equal(proxy.connects.length, 1)
})

test('proxy basic auth comes from the proxy URL; a refusal is AGENT_ERR_PROXY', async (t) => {
  const { port } = await startHttps(t)
  const proxy = await startProxy(t, 'user:p@ss')
  const good = new PinnedAgent({ fingerprint: certA.fingerprint, proxy: `http://user:p%40ss@127.0.0.1:${proxy.port}` })
  const bad = new PinnedAgent({ fingerprint: certA.fingerprint, proxy: `http://127.0.0.1:${proxy.port}` })
  t.after(() => { good.destroy(); bad.destroy() })
  assert.equal((await get(good, port)).status, 200)
  await assert.rejects(get(bad, port), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'AGENT_ERR_PROXY')
    assert.match(err.message, /407/)
    return true
  })
})
