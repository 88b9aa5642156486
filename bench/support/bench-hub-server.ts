// A hub in a process of its own for benchmarks: temp data dir, SQLite (or PostgreSQL with
// --postgres), random loopback port. Prints one JSON line { url, fingerprint, adminToken, tokens }
// on stdout when it listens, then runs until SIGTERM.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { pino } from 'pino'
import { createHub, parseHubConfig } from '@outpost/hub'

const { values } = parseArgs({ options: { tokens: { type: 'string', default: '0' }, 'data-dir': { type: 'string' }, smtp: { type: 'string' }, 'admin-email': { type: 'string' } } })
const dataDir = values['data-dir'] ?? fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-bench-hub-'))
const hub = createHub(parseHubConfig({
  dataDir,
  listen: { host: '127.0.0.1', port: 0 },
  logLevel: 'warn',
  ...(values['admin-email'] === undefined ? {} : { adminEmail: values['admin-email'] }),
  ...(values.smtp === undefined ? {} : { notify: { smtp: { url: values.smtp, from: 'outpost-bench@example.test', tlsInsecure: false } } })
}), { logger: pino({ level: 'warn' }, pino.destination(2)) })
const { url } = await hub.listen()
const adminToken = await hub.createApiToken({ name: 'bench', role: 'admin' })
const tokens: string[] = []
for (let i = 0; i < Number(values.tokens); i++) tokens.push(await hub.createEnrollToken({ ttlMs: 3_600_000, group: 'bench', createdBy: 'bench' }))
process.stdout.write(JSON.stringify({ url, fingerprint: hub.fingerprint, adminToken, tokens, dataDir, tlsDir: path.join(dataDir, 'tls') }) + '\n')
process.once('SIGTERM', () => {
  hub.close().then(() => {
    if (values['data-dir'] === undefined) fs.rmSync(dataDir, { recursive: true, force: true })
  }, (err: unknown) => {
    process.stderr.write(`hub close failed: ${String(err)}\n`)
    process.exitCode = 1
  })
})
