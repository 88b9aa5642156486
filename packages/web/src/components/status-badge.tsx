import type { Health } from '../model/host-health.ts'
import { Icon, type IconName } from './icon.tsx'

const LOOK: Record<Health, { icon: IconName, text: string }> = {
  critical: { icon: 'critical', text: 'Critical' },
  offline: { icon: 'offline', text: 'Offline' },
  warning: { icon: 'warning', text: 'Warning' },
  unknown: { icon: 'unknown', text: 'No data' },
  ok: { icon: 'ok', text: 'OK' }
}

/** Health shown three ways: colour (class), icon and a word, so it never depends on colour alone. */
export function StatusBadge (props: { health: Health }) {
  const look = LOOK[props.health]
  return (
    <span class={`badge badge-${props.health}`}>
      <Icon name={look.icon} class="badge-icon" />
      {look.text}
    </span>
  )
}
