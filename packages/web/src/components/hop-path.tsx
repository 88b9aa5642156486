import type { HopRef } from '@outpost/protocol'
import { hubwardHops } from '../model/relay-view.ts'
import { Link } from '../router/router.tsx'

/**
 * A path as the hub sees it: `Hub ← gw-1 ← relay-2 ← this host`, each relay a link to its host
 * page. `via` is the protocol's order (from the host towards the hub).
 */
export function HopPath (props: { via: readonly HopRef[], self: string }) {
  return (
    <span class="hop-path" data-testid="hop-path">
      Hub
      {hubwardHops(props.via).map(h => (
        <span key={h.id}> ← <Link href={`/hosts/${encodeURIComponent(h.id)}`}>{h.name}</Link></span>
      ))}
      {' ← '}{props.self}
    </span>
  )
}
