import { isAbsolute } from 'node:path'
import { Type, type Static } from '@sinclair/typebox'
import { isValid, validate, OutpostError } from '@outpost/protocol'
import { HubError, HubErrorCode } from '../errors.ts'

/** Defaults, named so that docs and code agree. */
export const DEFAULT_HUB_PORT = 8443
export const DEFAULT_LISTEN_HOST = '0.0.0.0'
export const DEFAULT_AGENT_INTERVAL_MS = 30_000
export const DEFAULT_AGENT_BODY_LIMIT = 8 * 1024 * 1024
export const DEFAULT_API_BODY_LIMIT = 1024 * 1024
/** Largest file upload through `PUT /api/v1/hosts/:id/files/upload` (1 GiB). */
export const DEFAULT_UPLOAD_LIMIT = 1024 * 1024 * 1024
export const DEFAULT_MAX_POLL_MS = 25_000
export const DEFAULT_INGEST_MAX_BATCH = 512
export const DEFAULT_INGEST_MAX_DELAY_MS = 2
/** Reports waiting for a commit beyond this are refused with 503 + Retry-After. */
export const DEFAULT_INGEST_MAX_PENDING = 20_000
export const DEFAULT_COMMAND_TTL_MS = 10 * 60_000
/** Warning and info notifications to one recipient are gathered this long into one mail. */
export const DEFAULT_NOTIFY_GROUP_WINDOW_MS = 30_000
/** A webhook receiver that has not answered by then counts as a failed attempt. */
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000

const Limits = Type.Object({
  /** Largest agent request body in bytes (413 above). */
  agentBodyBytes: Type.Integer({ minimum: 1024 }),
  /** Largest operator API request body in bytes (413 above). */
  apiBodyBytes: Type.Integer({ minimum: 1024 }),
  /** Largest file upload in bytes (413 above); the body is spooled to `dataDir/transfers`, never held in memory. */
  uploadBytes: Type.Integer({ minimum: 0 }),
  /** Longest a poll is held, whatever the agent asks. */
  maxPollMs: Type.Integer({ minimum: 0, maximum: 60_000 }),
  /** Group commit: most reports per transaction. */
  ingestMaxBatch: Type.Integer({ minimum: 1 }),
  /** Group commit: longest a report waits for companions before its transaction starts. */
  ingestMaxDelayMs: Type.Integer({ minimum: 0, maximum: 1000 }),
  /** Load shedding threshold: reports queued for commit. */
  ingestMaxPending: Type.Integer({ minimum: 1 })
}, { additionalProperties: false })

const Notify = Type.Object({
  /** Outgoing mail; null: no mail is sent (webhooks still are). */
  smtp: Type.Union([Type.Object({
    /** `smtp://[user:pass@]host[:port]` (STARTTLS when offered) or `smtps://…` (implicit TLS). */
    url: Type.String({ pattern: '^smtps?://[^\\s]+$', maxLength: 2048 }),
    /** The From address of every mail. */
    from: Type.String({ format: 'email', maxLength: 254 }),
    /** Accept a relay's self-signed or otherwise unverifiable certificate. */
    tlsInsecure: Type.Boolean()
  }, { additionalProperties: false }), Type.Null()]),
  /** Warning/info notifications per recipient are grouped this long (critical ones go at once). */
  groupWindowMs: Type.Integer({ minimum: 0, maximum: 3600_000 }),
  /** HMAC-SHA256 key for the `x-outpost-signature` header of webhooks; null: unsigned. */
  webhookSecret: Type.Union([Type.String({ minLength: 16, maxLength: 4096 }), Type.Null()]),
  webhookTimeoutMs: Type.Integer({ minimum: 100, maximum: 120_000 })
}, { additionalProperties: false })

/** The hub's whole configuration: validated once in `main`, frozen, passed down. */
export const HubConfigSchema = Type.Object({
  /** Directory holding the SQLite file, TLS material and hub facts. */
  dataDir: Type.String({ minLength: 1 }),
  listen: Type.Object({ host: Type.String({ minLength: 1 }), port: Type.Integer({ minimum: 0, maximum: 65535 }) }, { additionalProperties: false }),
  /** The URL agents and mails use; default `https://<listen host or localhost>:<port>`. */
  publicUrl: Type.Union([Type.String({ pattern: '^https://' }), Type.Null()]),
  store: Type.Union([
    Type.Object({ kind: Type.Literal('sqlite') }, { additionalProperties: false }),
    Type.Object({ kind: Type.Literal('postgres'), url: Type.String({ pattern: '^postgres(ql)?://' }), schema: Type.Optional(Type.String({ pattern: '^[a-z_][a-z0-9_]{0,62}$' })) }, { additionalProperties: false })
  ]),
  /**
   * The bus between replicas: `memory` (one hub) or `nats://[user:pass@]host:port`. Replicas share
   * one PostgreSQL store and one NATS server (and one TLS certificate, see `tls`).
   */
  bus: Type.Union([Type.Literal('memory'), Type.String({ pattern: '^nats://[^\\s]+$', maxLength: 2048 })]),
  /** Prepended to every NATS subject: deployments (or tests) sharing one NATS server stay apart. */
  busPrefix: Type.Union([Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }), Type.Null()]),
  /** PEM files; when null a self-signed certificate is made in `dataDir/tls` on first start. */
  tls: Type.Union([Type.Object({ certFile: Type.String(), keyFile: Type.String() }, { additionalProperties: false }), Type.Null()]),
  /** Password for the first `admin` user; when null one is generated and printed once. */
  adminPassword: Type.Union([Type.String({ minLength: 8 }), Type.Null()]),
  /** Mail address of the first `admin` user (`OUTPOST_ADMIN_EMAIL`), notified by the default alert rules. */
  adminEmail: Type.Union([Type.String({ format: 'email', maxLength: 254 }), Type.Null()]),
  notify: Notify,
  /** Absolute path of the built web console (`packages/web/dist`); null: `/` says it is not built. */
  consoleDir: Type.Union([Type.String({ minLength: 1 }), Type.Null()]),
  /** Agents' reporting interval, used to tell online from offline (offline after 3 missed). */
  agentIntervalMs: Type.Integer({ minimum: 1000 }),
  commandTtlMs: Type.Integer({ minimum: 1000 }),
  limits: Limits,
  logLevel: Type.Union([Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'), Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent')])
}, { additionalProperties: false })
export type HubConfig = Readonly<Static<typeof HubConfigSchema>>

/** What a caller may leave out: everything but `dataDir`. */
export type HubConfigInput = { dataDir: string } & Partial<Omit<Static<typeof HubConfigSchema>, 'dataDir' | 'limits' | 'notify'>> & { limits?: Partial<Static<typeof Limits>>, notify?: Partial<Static<typeof Notify>> }

const RENAMED: Readonly<Record<string, string>> = { db: 'store', data: 'dataDir', port: 'listen.port', host: 'listen.host', cert: 'tls.certFile', key: 'tls.keyFile' }

/** Applies defaults, validates (unknown keys fail with a hint) and freezes. */
export function parseHubConfig (input: HubConfigInput): HubConfig {
  for (const key of Object.keys(input)) {
    if (key in RENAMED && !(key in HubConfigSchema.properties)) {
      throw new HubError(HubErrorCode.Config, `unknown hub config key "${key}": use "${RENAMED[key]}"`)
    }
  }
  const merged = {
    listen: { host: DEFAULT_LISTEN_HOST, port: DEFAULT_HUB_PORT },
    publicUrl: null,
    store: { kind: 'sqlite' },
    bus: 'memory',
    busPrefix: null,
    tls: null,
    adminPassword: null,
    adminEmail: null,
    consoleDir: null,
    agentIntervalMs: DEFAULT_AGENT_INTERVAL_MS,
    commandTtlMs: DEFAULT_COMMAND_TTL_MS,
    logLevel: 'info',
    ...input,
    limits: {
      agentBodyBytes: DEFAULT_AGENT_BODY_LIMIT,
      apiBodyBytes: DEFAULT_API_BODY_LIMIT,
      uploadBytes: DEFAULT_UPLOAD_LIMIT,
      maxPollMs: DEFAULT_MAX_POLL_MS,
      ingestMaxBatch: DEFAULT_INGEST_MAX_BATCH,
      ingestMaxDelayMs: DEFAULT_INGEST_MAX_DELAY_MS,
      ingestMaxPending: DEFAULT_INGEST_MAX_PENDING,
      ...input.limits
    },
    notify: {
      smtp: null,
      groupWindowMs: DEFAULT_NOTIFY_GROUP_WINDOW_MS,
      webhookSecret: null,
      webhookTimeoutMs: DEFAULT_WEBHOOK_TIMEOUT_MS,
      ...input.notify
    }
  }
  if (!isValid(HubConfigSchema, merged)) {
    try {
      validate(HubConfigSchema, merged, 'hub config')
    } catch (err) {
      const details = err instanceof OutpostError ? err.details : undefined
      throw new HubError(HubErrorCode.Config, 'invalid hub config: ' + JSON.stringify(details), { cause: err, details })
    }
  }
  if (typeof merged.consoleDir === 'string' && !isAbsolute(merged.consoleDir)) {
    throw new HubError(HubErrorCode.Config, `consoleDir must be an absolute path, not ${JSON.stringify(merged.consoleDir)}`)
  }
  if (merged.bus !== 'memory' && merged.store.kind !== 'postgres') {
    throw new HubError(HubErrorCode.Config, 'a NATS bus joins hub replicas, which must share one PostgreSQL store: give --db postgres://… too (or leave out --bus)')
  }
  return deepFreeze(merged as HubConfig)
}

function deepFreeze<T> (o: T): T {
  if (o !== null && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v)
    Object.freeze(o)
  }
  return o
}
