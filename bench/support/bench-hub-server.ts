// A hub in a process of its own for benchmarks, so that its RSS and CPU are its alone: SQLite in a
// temp (or given) data dir, or PostgreSQL (--pg URL [--schema NAME]); a random loopback port, or a
// fixed one (--port) so that a restarted hub (same data dir, same certificate) is found by its
// agents. Prints one JSON line { url, fingerprint, adminToken, tokens, dataDir, tlsDir } on stdout
// when it listens, then runs until SIGTERM.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { pino } from 'pino'
import { createHub, parseHubConfig } from '@outpost/hub'

const { values } = parseArgs({
  options: {
    tokens: { type: 'string', default: '0' }, 'data-dir': { type: 'string' }, port: { type: 'string', default: '0' },
    pg: { type: 'string' }, schema: { type: 'string' }, smtp: { type: 'string' }, 'admin-email': { type: 'string' },
    'max-pending-auth': { type: 'string' }, 'max-lag-ms': { type: 'string' }
  }
})
const dataDir = values['data-dir'] ?? fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-bench-hub-'))
const store = values.pg === undefined ? {} : { store: { kind: 'postgres' as const, url: values.pg, ...(values.schema === undefined ? {} : { schema: values.schema }) } }
const hub = createHub(parseHubConfig({
  dataDir,
  ...store,
  listen: { host: '127.0.0.1', port: Number(values.port) },
  logLevel: 'warn',
  ...(values['admin-email'] === undefined ? {} : { adminEmail: values['admin-email'] }),
  ...(values.smtp === undefined ? {} : { notify: { smtp: { url: values.smtp, from: 'outpost-bench@example.test', tlsInsecure: false } } })
}), {
  logger: pino({ level: 'warn' }, pino.destination(2)),
  wsAdmission: {
    ...(values['max-pending-auth'] === undefined ? {} : { maxPendingAuth: Number(values['max-pending-auth']) }),
    ...(values['max-lag-ms'] === undefined ? {} : { maxLagMs: Number(values['max-lag-ms']) })
  }
})
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
