import type { HostDetail } from '@outpost/protocol'
import { linkText, onBackup } from '../model/relay-view.ts'
import { HopPath } from './hop-path.tsx'

/**
 * How a host reaches the hub: its path (each relay a link) and the upstream it says it uses,
 * flagged when that is a backup. Nothing for a host that never said (an older agent).
 */
export function HostLinkLine (props: { host: HostDetail }) {
  const h = props.host
  if (h.via.length === 0 && h.link === null) return null
  const backup = onBackup(h.link)
  return (
    <p class="host-link" data-testid="host-link">
      <span>Path: <HopPath via={h.via} self="this host" /></span>
      {h.link === null ? null : (
        <span class={backup ? 'flag-warn' : 'muted'} data-testid="host-upstream">
          {backup ? <span class="tag tag-backup">on a backup</span> : null} {linkText(h.link)}
        </span>
      )}
    </p>
  )
}
