import { Type, type Static } from '@sinclair/typebox'
import { HopRef, HostState } from './operator-api.ts'

const IsoTime = Type.String({ format: 'date-time', description: 'ISO 8601 UTC time' })

/**
 * A relay's health: `ok` (it reports and its last relay report is fresh), `stale` (it reports
 * but sent no relay report for three intervals: its listener is gone), `offline` (no report for
 * three intervals).
 */
export const RelayHealth = Type.Union([Type.Literal('ok'), Type.Literal('stale'), Type.Literal('offline')])
export type RelayHealth = Static<typeof RelayHealth>

/** One row of `GET /api/v1/relays`: an agent in relay mode, its health and its load. */
export const RelaySummary = Type.Object({
  id: Type.String(),
  name: Type.String(),
  group: Type.String(),
  status: HostState,
  health: RelayHealth,
  listen: Type.String(),
  /** When its last relay report arrived (hub clock). */
  reportedAt: IsoTime,
  /** The relays between it and the hub (first hop first). */
  via: Type.Array(HopRef, { maxItems: 16 }),
  /** Agents that use it as their first hop now. */
  downstream: Type.Integer({ minimum: 0 }),
  /** Hosts whose path goes through it (at any depth). */
  behind: Type.Integer({ minimum: 0 }),
  /** Of those, how many are offline. */
  unreachable: Type.Integer({ minimum: 0 }),
  active: Type.Integer({ minimum: 0 }),
  connections: Type.Integer({ minimum: 0 }),
  refused: Type.Integer({ minimum: 0 }),
  bytesUp: Type.Integer({ minimum: 0 }),
  bytesDown: Type.Integer({ minimum: 0 }),
  cpuPercent: Type.Number({ minimum: 0 })
}, { additionalProperties: false })
export type RelaySummary = Static<typeof RelaySummary>

/** `GET /api/v1/relays`: the relays the caller may see, by name. */
export const RelayList = Type.Array(RelaySummary)
export type RelayList = Static<typeof RelayList>
