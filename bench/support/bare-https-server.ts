// The baseline: a bare node:https server (same certificate as the hub) that reads each body,
// parses the JSON and answers a fixed acknowledgement. No validation, no signature check, no
// storage. Prints { url } when it listens.
import fs from 'node:fs'
import path from 'node:path'
import { createServer } from 'node:https'
import type { AddressInfo } from 'node:net'

const tlsDir = process.argv[2]
if (tlsDir === undefined) throw new Error('usage: bare-https-server.ts TLS_DIR')
const server = createServer({ cert: fs.readFileSync(path.join(tlsDir, 'hub-cert.pem')), key: fs.readFileSync(path.join(tlsDir, 'hub-key.pem')), keepAliveTimeout: 30_000 }, (req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (c: Buffer) => chunks.push(c))
  req.on('end', () => {
    const msg = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { seq?: number }
    const body = JSON.stringify({ type: 'reply', accepted: [msg.seq ?? 0], instructions: [], time: Date.now() })
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
    res.end(body)
  })
})
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ url: `https://127.0.0.1:${(server.address() as AddressInfo).port}` }) + '\n')
})
process.once('SIGTERM', () => server.close())
