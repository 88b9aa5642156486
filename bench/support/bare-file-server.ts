// The baseline for file downloads: a bare node:https server (same certificate as the hub) that
// streams one file for every GET. Prints { url } when it listens.
import fs from 'node:fs'
import path from 'node:path'
import { createServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { pipeline } from 'node:stream/promises'

const [tlsDir, file] = process.argv.slice(2)
if (tlsDir === undefined || file === undefined) throw new Error('usage: bare-file-server.ts TLS_DIR FILE')
const server = createServer({ cert: fs.readFileSync(path.join(tlsDir, 'hub-cert.pem')), key: fs.readFileSync(path.join(tlsDir, 'hub-key.pem')) }, (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': fs.statSync(file).size })
  pipeline(fs.createReadStream(file), res).catch((err: unknown) => {
    // The client hangs up as soon as it has content-length bytes: not a failure.
    if ((err as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE') process.stderr.write(`bare file server: ${String(err)}\n`)
  })
})
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ url: `https://127.0.0.1:${(server.address() as AddressInfo).port}` }) + '\n')
})
process.once('SIGTERM', () => server.close())
