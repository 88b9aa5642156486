import { Type, type Static } from '@sinclair/typebox'

/** Most downstream agents one relay report lists (the process file-descriptor limit is about this). */
export const MAX_RELAY_DOWNSTREAM = 20_000

/** Name of the agent event a relay sends when it refuses a CONNECT (the hub audits each one). */
export const RELAY_REFUSED_EVENT = 'relay.refused'

/** Most `relay.refused` events a relay sends per reporting interval; the rest are only counted. */
export const MAX_RELAY_REFUSAL_EVENTS = 20

/** How an agent's connections reach the hub now: straight, through an Outpost relay, or through an HTTP proxy. */
export const UpstreamKind = Type.Union([Type.Literal('direct'), Type.Literal('relay'), Type.Literal('proxy')])
export type UpstreamKind = Static<typeof UpstreamKind>

/** The upstream an agent uses, as the agent sees it (sent in every periodic report). */
export const LinkInfo = Type.Object({
  kind: UpstreamKind,
  /** The `--upstream` entry, e.g. `relay://10.0.0.5:7443` or `https://hub.example:8443` (no credentials). */
  label: Type.String({ maxLength: 300 }),
  /** Its place in the agent's ordered upstream list (0: the preferred one). */
  index: Type.Integer({ minimum: 0, maximum: 64 })
}, { additionalProperties: false })
export type LinkInfo = Static<typeof LinkInfo>

/** What an agent in relay mode carries, sent with its periodic report. Counters run since the relay started. */
export const RelayReport = Type.Object({
  /** The `ADDR:PORT` it listens on. */
  listen: Type.String({ maxLength: 64 }),
  /**
   * Agents whose connections come straight to this relay now (this relay is their first hop),
   * by agent id; agents still enrolling are not listed. The hub builds every host's path from these.
   */
  downstream: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: MAX_RELAY_DOWNSTREAM }),
  /** Connections open now (from any hop). */
  active: Type.Integer({ minimum: 0 }),
  /** Connections carried since start. */
  connections: Type.Integer({ minimum: 0 }),
  /** CONNECTs refused since start. */
  refused: Type.Integer({ minimum: 0 }),
  bytesUp: Type.Integer({ minimum: 0 }),
  bytesDown: Type.Integer({ minimum: 0 }),
  /** CPU used by the whole agent process over the last interval, in percent of one core. */
  cpuPercent: Type.Number({ minimum: 0, maximum: 100_000 })
}, { additionalProperties: false })
export type RelayReport = Static<typeof RelayReport>
