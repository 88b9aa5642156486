import { parseArgs } from 'node:util'
import { spawn } from 'node:child_process'
import { createWriteStream, existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { once } from 'node:events'
import path from 'node:path'
import { pino } from 'pino'
import { createHub, parseHubConfig, type Hub } from '@outpost/hub'
import { isEnrolled } from '@outpost/agent'
import { UsageError } from '../parse-duration.ts'
import type { CliIo } from '../cli-io.ts'
import { bundledConsoleDir } from './console-dir.ts'

/** The `outpost` entry point, to start the demo agent as a process of its own. */
const OUTPOST_BIN = path.resolve(import.meta.dirname, '../../../../bin/outpost.js')
const DEMO_PORT = 8443

export const DEMO_HELP = `outpost demo — a hub on the embedded store and one local agent enrolled into it

  outpost demo [--dir DIR] [--port 8443]

State is kept in DIR (default ./.outpost-demo), so a second run continues the first.
Logs go to DIR/hub.log and DIR/agent.log. Stop with Ctrl-C.
`

/** `outpost demo`: runs until SIGINT/SIGTERM. */
export async function demoCommand (argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, options: { dir: { type: 'string' }, port: { type: 'string' }, help: { type: 'boolean', short: 'h' } } })
  if (values.help === true) {
    io.stdout.write(DEMO_HELP)
    return 0
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0] ?? ''}"`)
  const dir = path.resolve(values.dir ?? '.outpost-demo')
  const port = values.port === undefined ? DEMO_PORT : Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be a port number')
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const hubLog = pino({ level: 'info' }, createWriteStream(path.join(dir, 'hub.log'), { flags: 'a' }))
  const config = parseHubConfig({
    dataDir: path.join(dir, 'hub'),
    listen: { host: '127.0.0.1', port },
    adminPassword: io.env.OUTPOST_ADMIN_PASSWORD ?? null,
    consoleDir: bundledConsoleDir(),
    agentIntervalMs: 10_000
  })
  let hub: Hub = createHub(config, { logger: hubLog })
  let listening: { url: string, port: number }
  try {
    listening = await hub.listen()
  } catch (err) {
    if (!(typeof err === 'object' && err !== null && 'code' in err && err.code === 'EADDRINUSE')) throw err
    await hub.close()
    io.stderr.write(`port ${port} is taken; using a free port instead\n`)
    hub = createHub(parseHubConfig({ ...config, listen: { host: '127.0.0.1', port: 0 } }), { logger: hubLog })
    listening = await hub.listen()
  }
  const admin = await hub.ensureAdminUser(config.adminPassword)
  const apiToken = await hub.createApiToken({ name: `demo-${Date.now()}`, role: 'admin', createdBy: 'cli:demo' })
  const stateDir = path.join(dir, 'agent')
  const agentArgs = ['agent', '--state', stateDir, '--interval', '10s']
  if (!existsSync(stateDir) || !isEnrolled(stateDir)) agentArgs.push('--enroll', await hub.createEnrollToken({ ttlMs: 600_000, group: 'demo', createdBy: 'cli:demo' }))
  const agentLog = createWriteStream(path.join(dir, 'agent.log'), { flags: 'a' })
  const agent = spawn(process.execPath, [OUTPOST_BIN, ...agentArgs], { stdio: ['ignore', 'pipe', 'pipe'] })
  agent.stdout.pipe(agentLog)
  agent.stderr.pipe(agentLog)

  const ctl = `npx outpost ctl --hub ${listening.url} --fingerprint ${hub.fingerprint} --token ${apiToken}`
  const lines = [
    '',
    'Outpost demo is running.',
    `  hub            ${listening.url}  (self-signed; SHA-256 ${hub.fingerprint})`,
    `  admin user     admin / ${admin.password ?? io.env.OUTPOST_ADMIN_PASSWORD ?? '(set on an earlier run; see credentials.txt)'}`,
    `  API token      ${apiToken}`,
    `  agent          pid ${agent.pid ?? '?'}, state in ${stateDir}`,
    '',
    'Try:',
    `  ${ctl} hosts`,
    `  ${ctl} exec HOST_ID -- uname -a`,
    '',
    `Logs: ${path.join(dir, 'hub.log')}, ${path.join(dir, 'agent.log')}. Ctrl-C stops both.`,
    ''
  ]
  io.stdout.write(lines.join('\n'))
  if (admin.password !== undefined) {
    await writeFile(path.join(dir, 'credentials.txt'), `admin password: ${admin.password}\n`, { mode: 0o600 })
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => { resolve() })
    process.once('SIGTERM', () => { resolve() })
    agent.once('exit', (code) => {
      io.stderr.write(`the demo agent exited (${code ?? 'signal'}); see ${path.join(dir, 'agent.log')}\n`)
      resolve()
    })
  })
  if (agent.exitCode === null) {
    agent.kill('SIGTERM')
    await once(agent, 'exit')
  }
  await hub.close()
  return 0
}
