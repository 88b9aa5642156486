import type { InventoryPolicy } from '@outpost/protocol'
import { bytes } from '../model/format.ts'

/** The host's local policy as its agent reports it: read-only here, changed only on the host. */
export function PolicyPanel (props: { policy: InventoryPolicy | undefined }) {
  const p = props.policy
  if (p === undefined) return <p class="muted">The agent has not reported its local policy.</p>
  const exec = typeof p.exec === 'string' ? p.exec : `allow-list (${p.exec.allow.length} patterns)`
  return (
    <>
      <p class="muted">Set on the host in {p.file ?? 'no file (built-in defaults)'}; the hub can read it, never change it.</p>
      <ul class="kv">
        <li><span>Exec</span><strong>{exec}</strong></li>
        <li><span>Operations</span><strong class="wrap">{p.operations.join(', ') || 'none'}</strong></li>
        <li><span>Largest upload</span><strong>{bytes(p.maxUploadBytes)}</strong></li>
      </ul>
      {typeof p.exec === 'string' ? null : <details><summary>Allowed commands</summary><ul>{p.exec.allow.map(a => <li key={a}><code>{a}</code></li>)}</ul></details>}
      <details><summary>Protected paths ({p.protectedPaths.length})</summary><ul>{p.protectedPaths.map(g => <li key={g}><code>{g}</code></li>)}</ul></details>
    </>
  )
}
