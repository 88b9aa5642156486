import { Type, type Static } from '@sinclair/typebox'
import { isValid, validate, OutpostError } from '@outpost/protocol'
import { AgentError, AgentErrorCode } from '../errors.ts'
import { parseRelayListen, parseUpstream } from '../transport/upstream-list.ts'
import { DEFAULT_UPSTREAM_RETRY_MS } from '../transport/upstream-selector.ts'

export const DEFAULT_INTERVAL_MS = 30_000
/** Each interval is stretched or shrunk at random by up to this fraction, so fleets never sync up. */
export const DEFAULT_JITTER = 0.2
export const DEFAULT_SPOOL_MAX_AGE_MS = 24 * 3600_000
export const DEFAULT_SPOOL_MAX_BYTES = 100 * 1024 * 1024
export const DEFAULT_POLL_WAIT_MS = 25_000
export const DEFAULT_BACKOFF_MIN_MS = 500
export const DEFAULT_BACKOFF_MAX_MS = 60_000
/**
 * How often threshold rules are checked between reports. A check reads two /proc files and
 * statfs's each mount (≈ 0.1 ms of CPU), so once a second costs nothing and keeps a crossing's
 * way to a person's inbox within the alerting target (≤ 2 s).
 */
export const DEFAULT_THRESHOLD_CHECK_MS = 1_000

/** A local threshold: crossing it sends an event at once instead of at the next interval. */
export const ThresholdRule = Type.Object({
  /** Metric name; `[*]` matches every instance, e.g. `fs.used_pct[*]`. */
  metric: Type.String({ minLength: 1, maxLength: 256 }),
  op: Type.Union([Type.Literal('>='), Type.Literal('>'), Type.Literal('<='), Type.Literal('<')]),
  value: Type.Number(),
  severity: Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('critical')])
}, { additionalProperties: false })
export type ThresholdRule = Static<typeof ThresholdRule>

export const DEFAULT_THRESHOLDS: readonly ThresholdRule[] = [
  { metric: 'fs.used_pct[*]', op: '>=', value: 75, severity: 'warning' },
  { metric: 'fs.used_pct[*]', op: '>=', value: 90, severity: 'critical' },
  { metric: 'mem.used_pct', op: '>=', value: 95, severity: 'critical' }
]

/** The agent's whole configuration: validated once in `main`, frozen, passed down. */
export const AgentConfigSchema = Type.Object({
  /** Directory with the key pair, pinned hub facts, spool and seen-instruction log (mode 0700). */
  stateDir: Type.String({ minLength: 1 }),
  /** Enrollment token; only needed on the first run. */
  enrollToken: Type.Union([Type.String({ minLength: 1 }), Type.Null()]),
  intervalMs: Type.Integer({ minimum: 1000, maximum: 24 * 3600_000 }),
  jitter: Type.Number({ minimum: 0, maximum: 0.5 }),
  /** HTTP CONNECT proxy URL (`http://host:port`), or null for a direct connection. */
  proxy: Type.Union([Type.String({ pattern: '^https?://' }), Type.Null()]),
  /**
   * Ordered ways to the hub, best first: `relay://host:port` (an Outpost relay) or the hub's
   * `https://` URL (direct). Empty: direct to the enrolled hub URL. Relay entries exclude `proxy`.
   */
  upstreams: Type.Array(Type.String({ pattern: '^(relay|https)://' }), { maxItems: 16 }),
  /** How long a failed upstream is tried last, and how often better ones are probed. */
  upstreamRetryMs: Type.Integer({ minimum: 50, maximum: 3600_000 }),
  /** `ADDR:PORT` where this agent relays for the agents of its site, or null (no relay). */
  relayListen: Type.Union([Type.String({ minLength: 3 }), Type.Null()]),
  /** Allows `relayListen` on a wildcard address (0.0.0.0, ::). */
  relayAny: Type.Boolean(),
  /** `auto`: WebSocket when it connects, else POST/long-poll. */
  transport: Type.Union([Type.Literal('auto'), Type.Literal('ws'), Type.Literal('http')]),
  pollWaitMs: Type.Integer({ minimum: 0, maximum: 60_000 }),
  backoff: Type.Object({ minMs: Type.Integer({ minimum: 1 }), maxMs: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
  spool: Type.Object({ maxAgeMs: Type.Integer({ minimum: 60_000 }), maxBytes: Type.Integer({ minimum: 64 * 1024 }) }, { additionalProperties: false }),
  thresholds: Type.Array(ThresholdRule, { maxItems: 256 }),
  thresholdCheckMs: Type.Integer({ minimum: 500 }),
  /**
   * The local policy file (see `loadPolicy`), or null for the built-in defaults. The CLI passes
   * `--policy FILE` (which must exist) or `/etc/outpost/policy.json` (used when it exists).
   */
  policyFile: Type.Union([Type.String({ minLength: 1 }), Type.Null()]),
  logLevel: Type.Union([Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'), Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent')])
}, { additionalProperties: false })
export type AgentConfig = Readonly<Static<typeof AgentConfigSchema>>
export type AgentConfigInput = { stateDir: string } & Partial<Omit<Static<typeof AgentConfigSchema>, 'stateDir'>>

/** Applies defaults, validates and freezes. Unknown keys fail. */
export function parseAgentConfig (input: AgentConfigInput): AgentConfig {
  const merged = {
    enrollToken: null,
    intervalMs: DEFAULT_INTERVAL_MS,
    jitter: DEFAULT_JITTER,
    proxy: null,
    upstreams: [],
    upstreamRetryMs: DEFAULT_UPSTREAM_RETRY_MS,
    relayListen: null,
    relayAny: false,
    transport: 'auto',
    pollWaitMs: DEFAULT_POLL_WAIT_MS,
    backoff: { minMs: DEFAULT_BACKOFF_MIN_MS, maxMs: DEFAULT_BACKOFF_MAX_MS },
    spool: { maxAgeMs: DEFAULT_SPOOL_MAX_AGE_MS, maxBytes: DEFAULT_SPOOL_MAX_BYTES },
    thresholds: DEFAULT_THRESHOLDS,
    thresholdCheckMs: DEFAULT_THRESHOLD_CHECK_MS,
    policyFile: null,
    logLevel: 'info',
    ...input
  }
  if (!isValid(AgentConfigSchema, merged)) {
    try {
      validate(AgentConfigSchema, merged, 'agent config')
    } catch (err) {
      const details = err instanceof OutpostError ? err.details : undefined
      throw new AgentError(AgentErrorCode.Config, 'invalid agent config: ' + JSON.stringify(details), { cause: err, details })
    }
  }
  const relays = merged.upstreams.map(parseUpstream).filter((u) => u.kind === 'relay')
  if (relays.length > 0 && merged.proxy !== null) {
    throw new AgentError(AgentErrorCode.Config, 'a proxy and relay upstreams cannot be combined: drop --proxy (or HTTPS_PROXY), or give only direct upstreams')
  }
  if (merged.relayListen !== null) parseRelayListen(merged.relayListen, merged.relayAny)
  if (merged.backoff.minMs > merged.backoff.maxMs) throw new AgentError(AgentErrorCode.Config, 'backoff.minMs must not exceed backoff.maxMs')
  return Object.freeze(structuredClone(merged)) as AgentConfig
}
