import { parseArgs } from 'node:util'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { pino } from 'pino'
import { parseHubConfig, runHub, type HubConfig, type HubConfigInput } from '@outpost/hub'
import { UsageError, parseDuration, parseHostPort } from '../parse-duration.ts'
import type { CliIo } from '../cli-io.ts'
import { bundledConsoleDir } from './console-dir.ts'

export const HUB_HELP = `outpost hub — run the hub (HTTPS on one port)

  outpost hub --data DIR [--listen HOST:PORT] [--public-url URL]
              [--db postgres://USER@HOST:PORT/DB] [--db-schema NAME] [--bus nats://HOST:PORT [--bus-prefix NAME]]
              [--tls-cert FILE --tls-key FILE] [--agent-interval 30s] [--log-level info]
              [--smtp smtp://[USER:PASS@]HOST:PORT --mail-from ADDR [--smtp-tls-insecure]]
              [--webhook-secret-file FILE]

--data        directory for the SQLite store, TLS material and hub facts (created if missing)
--listen      address to listen on (default 0.0.0.0:8443)
--public-url  the URL agents and people use (default https://<listen host or localhost>:<port>)
--db          use PostgreSQL instead of the embedded SQLite file
--bus         NATS server joining hub replicas (needs --db; every replica gets the same --db, --bus,
              --tls-cert/--tls-key); credentials in the URL show in the process list, prefer OUTPOST_BUS_URL
--bus-prefix  prefix of this deployment's NATS subjects, when several share one NATS server
--tls-cert/--tls-key  PEM files; by default a self-signed certificate is made in DIR/tls
--smtp        mail relay for alert notifications: smtp:// (STARTTLS when offered) or smtps:// (implicit TLS);
              credentials in the URL show in the process list, prefer OUTPOST_SMTP_URL for them
--mail-from   From address of alert mails (required with --smtp)
--smtp-tls-insecure  accept the relay's self-signed or unverifiable certificate
--webhook-secret-file  file holding the key (16+ characters) that signs webhooks (x-outpost-signature)
OUTPOST_ADMIN_PASSWORD  password of the first "admin" user; otherwise one is generated and printed once
OUTPOST_ADMIN_EMAIL     mail address of the first "admin" user, notified by the default alert rules
OUTPOST_SMTP_URL        the --smtp URL, kept out of the process list
OUTPOST_BUS_URL         the --bus URL, kept out of the process list
`

const HUB_OPTIONS = {
  data: { type: 'string' }, listen: { type: 'string' }, 'public-url': { type: 'string' }, db: { type: 'string' },
  'db-schema': { type: 'string' }, bus: { type: 'string' }, 'bus-prefix': { type: 'string' }, 'tls-cert': { type: 'string' }, 'tls-key': { type: 'string' },
  'agent-interval': { type: 'string' }, 'log-level': { type: 'string' }, help: { type: 'boolean', short: 'h' },
  smtp: { type: 'string' }, 'mail-from': { type: 'string' }, 'smtp-tls-insecure': { type: 'boolean' }, 'webhook-secret-file': { type: 'string' }
} as const

/** `--smtp`/`--mail-from`/`--smtp-tls-insecure`/`--webhook-secret-file` into `config.notify`. */
function notifyFromFlags (values: Record<string, string | boolean | undefined>, env: CliIo['env']): NonNullable<HubConfigInput['notify']> {
  const str = (k: string): string | undefined => (typeof values[k] === 'string' ? values[k] : undefined)
  if (str('smtp') !== undefined && env.OUTPOST_SMTP_URL !== undefined) throw new UsageError('give the relay either as --smtp or as OUTPOST_SMTP_URL, not both')
  const url = str('smtp') ?? env.OUTPOST_SMTP_URL
  const from = str('mail-from')
  if (url === undefined && (from !== undefined || values['smtp-tls-insecure'] === true)) throw new UsageError('--mail-from and --smtp-tls-insecure need --smtp URL')
  if (url !== undefined && from === undefined) throw new UsageError('--smtp needs --mail-from ADDR (the From address of alert mails)')
  if (url !== undefined && !/^smtps?:\/\//.test(url)) throw new UsageError('--smtp: use smtp://[USER:PASS@]HOST:PORT or smtps://…')
  const secretFile = str('webhook-secret-file')
  let webhookSecret: string | null = null
  if (secretFile !== undefined) {
    try {
      webhookSecret = readFileSync(secretFile, 'utf8').trim()
    } catch (err) {
      throw new UsageError(`--webhook-secret-file: cannot read ${secretFile}: ${(err as Error).message}`)
    }
    if (webhookSecret.length < 16) throw new UsageError('--webhook-secret-file: the secret must be at least 16 characters')
  }
  return {
    smtp: url === undefined || from === undefined ? null : { url, from, tlsInsecure: values['smtp-tls-insecure'] === true },
    webhookSecret
  }
}

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
  if (str('bus') !== undefined && env.OUTPOST_BUS_URL !== undefined) throw new UsageError('give the bus either as --bus or as OUTPOST_BUS_URL, not both')
  const bus = str('bus') ?? (env.OUTPOST_BUS_URL === '' ? undefined : env.OUTPOST_BUS_URL)
  if (bus !== undefined && !/^nats:\/\/\S+$/.test(bus)) throw new UsageError('--bus: use nats://[USER:PASS@]HOST:PORT')
  if (bus === undefined && str('bus-prefix') !== undefined) throw new UsageError('--bus-prefix needs --bus')
  if (bus !== undefined && db === undefined) throw new UsageError('--bus joins hub replicas, which share one PostgreSQL store: give --db postgres://… too')
  const input: HubConfigInput = {
    dataDir: path.resolve(data),
    ...(str('listen') === undefined ? {} : { listen: parseHostPort(str('listen') ?? '', '--listen') }),
    ...(str('public-url') === undefined ? {} : { publicUrl: str('public-url') ?? null }),
    ...(db === undefined ? {} : { store: { kind: 'postgres' as const, url: db, ...(str('db-schema') === undefined ? {} : { schema: str('db-schema') ?? '' }) } }),
    ...(bus === undefined ? {} : { bus, busPrefix: str('bus-prefix') ?? null }),
    ...(cert === undefined || key === undefined ? {} : { tls: { certFile: path.resolve(cert), keyFile: path.resolve(key) } }),
    ...(str('agent-interval') === undefined ? {} : { agentIntervalMs: parseDuration(str('agent-interval') ?? '', '--agent-interval') }),
    ...(str('log-level') === undefined ? {} : { logLevel: str('log-level') as HubConfig['logLevel'] }),
    consoleDir: bundledConsoleDir(),
    adminPassword: env.OUTPOST_ADMIN_PASSWORD ?? null,
    adminEmail: env.OUTPOST_ADMIN_EMAIL === undefined || env.OUTPOST_ADMIN_EMAIL === '' ? null : env.OUTPOST_ADMIN_EMAIL,
    notify: notifyFromFlags(values, env)
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
