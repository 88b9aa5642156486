import { ErrorEnvelope, RelayList, Role } from '@outpost/protocol'
import type { HubServices } from '../hub-services.ts'
import { canSeeHost } from '../auth/host-scope.ts'
import { loadPaths } from '../topology/host-paths.ts'
import { relaySummaries } from '../topology/relay-views.ts'
import { defineRoute } from './route-spec.ts'
import type { AnyOperatorRoute } from './operator-routes.ts'

const errors = { 400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope }

/** The relay topology API: each relay's health and load, within the caller's host groups. */
export function topologyRoutes (s: HubServices): readonly AnyOperatorRoute[] {
  return [
    defineRoute({
      method: 'GET', url: '/api/v1/relays', summary: 'List relays with their health, load and the hosts behind them', auth: Role.Viewer,
      responses: { 200: RelayList, ...errors },
      handler: async ({ identity }) => {
        const [hosts, relays] = await Promise.all([s.store.listHostSummaries(), s.store.topology.listRelays()])
        const paths = await loadPaths(s.store, hosts)
        return relaySummaries(relays, hosts.filter((h) => canSeeHost(identity, h)), paths, s.now(), s.config.agentIntervalMs)
      }
    })
  ]
}
