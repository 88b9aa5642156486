import type { Health } from '../model/host-health.ts'

const LOOK: Record<Health, { icon: string, text: string }> = {
  critical: { icon: '⛔', text: 'Critical' },
  offline: { icon: '⚠', text: 'Offline' },
  warning: { icon: '▲', text: 'Warning' },
  unknown: { icon: '?', text: 'No data' },
  ok: { icon: '✓', text: 'OK' }
}

/** Health shown three ways: colour (class), icon and a word, so it never depends on colour alone. */
export function StatusBadge (props: { health: Health }) {
  const look = LOOK[props.health]
  return (
    <span class={`badge badge-${props.health}`}>
      <span class="badge-icon" aria-hidden="true">{look.icon}</span>
      {look.text}
    </span>
  )
}
