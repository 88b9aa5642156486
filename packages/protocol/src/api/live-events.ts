import { Type, type Static } from '@sinclair/typebox'
import { HostSummary } from './operator-api.ts'
import { Alert } from './alerts-api.ts'
import { PresenceList } from './console-api.ts'
import { JobHost, JobSummary } from './operations-api.ts'

/**
 * What `GET /api/v1/events` streams (Server-Sent Events, one JSON `data:` line per event), so
 * the console updates without reloading. The SSE `event:` field repeats `type`.
 */
export const LiveEvent = Type.Union([
  /** A host changed: reported, went offline, or its open alerts changed. */
  Type.Object({ type: Type.Literal('host'), host: HostSummary }, { additionalProperties: false }),
  /** An alert fired, was acknowledged or resolved. */
  Type.Object({ type: Type.Literal('alert'), alert: Alert }, { additionalProperties: false }),
  /** Who is logged in, and which host each operator has open. */
  Type.Object({ type: Type.Literal('presence'), presence: PresenceList }, { additionalProperties: false }),
  /**
   * A job progressed: its summary (state, counts) and the hosts that changed since its last event
   * (empty when the job as a whole changed: started, cancelled, expired). Sent at most about once
   * a second per job; only to those who may see every host of the job.
   */
  Type.Object({ type: Type.Literal('job'), job: JobSummary, hosts: Type.Array(JobHost) }, { additionalProperties: false })
])
export type LiveEvent = Static<typeof LiveEvent>
