// `npm test`: checks that the services the integration tests use are up (and says how to start
// them if not), then runs every test file with node:test. Extra arguments are test file filters.
import { spawn } from 'node:child_process'
import { globSync } from 'node:fs'
import { connect } from 'node:net'

const SERVICES = [
  { name: 'PostgreSQL', port: 5432, start: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start' },
  { name: 'NATS', port: 4222, start: 'start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log' }
] as const

function reachable (port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port })
    s.setTimeout(2000)
    s.once('connect', () => { s.destroy(); resolve(true) })
    s.once('timeout', () => { s.destroy(); resolve(false) })
    s.once('error', () => resolve(false))
  })
}

const down = []
for (const svc of SERVICES) if (!(await reachable(svc.port))) down.push(svc)
if (down.length > 0) {
  for (const svc of down) process.stderr.write(`${svc.name} is not reachable on 127.0.0.1:${svc.port}. Start it with:\n  ${svc.start}\n`)
  process.exit(1)
}

const filters = process.argv.slice(2)
const files = globSync('packages/*/test/**/*.test.ts').sort().filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
if (files.length === 0) {
  process.stderr.write('no test files matched\n')
  process.exit(1)
}
const args = ['--test', '--test-reporter=spec', `--test-concurrency=${process.env.OUTPOST_TEST_CONCURRENCY ?? '2'}`, '--test-timeout=120000', ...files]
const child = spawn(process.execPath, args, { stdio: 'inherit' })
child.on('exit', (code, signal) => process.exit(code ?? (signal === null ? 1 : 1)))
