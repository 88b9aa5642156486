import { parseArgs } from 'node:util'
import path from 'node:path'
import { pino } from 'pino'
import { parseHubConfig, runHub, type HubConfig, type HubConfigInput } from '@outpost/hub'
import { UsageError, parseDuration, parseHostPort } from '../parse-duration.ts'
import type { CliIo } from '../cli-io.ts'

export const HUB_HELP = `outpost hub — run the hub (HTTPS on one port)

  outpost hub --data DIR [--listen HOST:PORT] [--public-url URL]
              [--db postgres://USER@HOST:PORT/DB] [--db-schema NAME]
              [--tls-cert FILE --tls-key FILE] [--agent-interval 30s] [--log-level info]

--data        directory for the SQLite store, TLS material and hub facts (created if missing)
--listen      address to listen on (default 0.0.0.0:8443)
--public-url  the URL agents and people use (default https://<listen host or localhost>:<port>)
--db          use PostgreSQL instead of the embedded SQLite file
--tls-cert/--tls-key  PEM files; by default a self-signed certificate is made in DIR/tls
OUTPOST_ADMIN_PASSWORD  password of the first "admin" user; otherwise one is generated and printed once
`

const HUB_OPTIONS = {
  data: { type: 'string' }, listen: { type: 'string' }, 'public-url': { type: 'string' }, db: { type: 'string' },
  'db-schema': { type: 'string' }, 'tls-cert': { type: 'string' }, 'tls-key': { type: 'string' },
  'agent-interval': { type: 'string' }, 'log-level': { type: 'string' }, help: { type: 'boolean', short: 'h' }
} as const

/** Turns `outpost hub` flags (and the admin password from the environment) into a validated config. */
export function hubConfigFromFlags (values: Record<string, string | boolean | undefined>, env: CliIo['env']): HubConfig {
  const str = (k: string): string | undefined => (typeof values[k] === 'string' ? values[k] : undefined)
  const data = str('data')
  if (data === undefined) throw new UsageError('--data DIR is required')
  const cert = str('tls-cert')
  const key = str('tls-key')
  if ((cert === undefined) !== (key === undefined)) throw new UsageError('--tls-cert and --tls-key go together')
  const db = str('db')
  if (db === undefined && str('db-schema') !== undefined) throw new UsageError('--db-schema needs --db')
  const input: HubConfigInput = {
    dataDir: path.resolve(data),
    ...(str('listen') === undefined ? {} : { listen: parseHostPort(str('listen') ?? '', '--listen') }),
    ...(str('public-url') === undefined ? {} : { publicUrl: str('public-url') ?? null }),
    ...(db === undefined ? {} : { store: { kind: 'postgres' as const, url: db, ...(str('db-schema') === undefined ? {} : { schema: str('db-schema') ?? '' }) } }),
    ...(cert === undefined || key === undefined ? {} : { tls: { certFile: path.resolve(cert), keyFile: path.resolve(key) } }),
    ...(str('agent-interval') === undefined ? {} : { agentIntervalMs: parseDuration(str('agent-interval') ?? '', '--agent-interval') }),
    ...(str('log-level') === undefined ? {} : { logLevel: str('log-level') as HubConfig['logLevel'] }),
    adminPassword: env.OUTPOST_ADMIN_PASSWORD ?? null
  }
  return parseHubConfig(input)
}

/** Parses the flags shared by `hub` and `admin` (`--data`, `--db`, …). */
export function parseHubFlags (argv: readonly string[], extra: Record<string, { type: 'string' | 'boolean' }> = {}): { values: Record<string, string | boolean | undefined>, positionals: string[] } {
  return parseArgs({ args: [...argv], options: { ...HUB_OPTIONS, ...extra }, allowPositionals: true })
}

/** `outpost hub …`: runs until SIGTERM/SIGINT; resolves with the exit code once the hub closed. */
export async function hubCommand (argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseHubFlags(argv)
  if (values.help === true) {
    io.stdout.write(HUB_HELP)
    return 0
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0] ?? ''}"`)
  const config = hubConfigFromFlags(values, io.env)
  const logger = pino({ level: config.logLevel })
  await runHub(config, logger)
  return 0
}
