import type { RelayHealth } from '@outpost/protocol'
import { Icon, type IconName } from '../../components/icon.tsx'
import { RELAY_HEALTH_TEXT } from '../../model/relay-view.ts'

// The host badge's colours: offline as an offline host, stale (listener gone) as a warning.
const LOOK: Readonly<Record<RelayHealth, { icon: IconName, cls: string }>> = {
  ok: { icon: 'ok', cls: 'ok' }, stale: { icon: 'warning', cls: 'warning' }, offline: { icon: 'offline', cls: 'offline' }
}

/** A relay's health in colour, icon and word. */
export function RelayBadge (props: { health: RelayHealth }) {
  const look = LOOK[props.health]
  return (
    <span class={`badge badge-${look.cls}`}>
      <Icon name={look.icon} class="badge-icon" />
      {RELAY_HEALTH_TEXT[props.health]}
    </span>
  )
}
