import type { HostDetail } from '@outpost/protocol'
import { duration, when } from '../model/format.ts'
import { PolicyPanel } from '../components/policy-panel.tsx'

/** OS, kernel, uptime, logged-in users, listening ports and the agent's local policy. */
export function SystemPanel (props: { host: HostDetail }) {
  const inv = props.host.inventory
  const up = props.host.metrics['system.uptime_s']
  const ports = props.host.snapshot?.listeningPorts ?? []
  return (
    <>
      <h2>System</h2>
      <ul class="kv">
        <li><span>OS</span><strong>{inv === null ? '—' : `${inv.os.distribution} ${inv.os.release} ${inv.os.codename}`.trim()}</strong></li>
        <li><span>Kernel</span><strong>{inv?.kernel ?? '—'} {inv?.os.arch ?? ''}</strong></li>
        <li><span>Host name</span><strong>{inv === null ? '—' : inv.domain === '' ? inv.hostname : `${inv.hostname}.${inv.domain}`}</strong></li>
        <li><span>Uptime</span><strong>{up === undefined ? '—' : duration(up)}</strong></li>
        <li><span>Booted</span><strong>{inv === null ? '—' : when(new Date(inv.bootTime).toISOString())}</strong></li>
        <li><span>Addresses</span><strong class="wrap">{inv?.ipAddresses.join(', ') || '—'}</strong></li>
      </ul>
      <h2>Users logged in</h2>
      {(inv?.users.length ?? 0) === 0 ? <p class="muted">Nobody.</p> : (
        <ul class="kv">{inv?.users.map(u => <li key={`${u.name}${u.tty}`}><span>{u.name} on {u.tty}</span><strong>{u.from || 'local'}</strong></li>)}</ul>
      )}
      <h2>Listening ports</h2>
      <table class="table" tabIndex={0}>
        <thead><tr><th scope="col">Proto</th><th scope="col">Address</th><th scope="col">Port</th><th scope="col">Process</th></tr></thead>
        <tbody>{ports.map(p => <tr key={`${p.protocol}${p.address}${p.port}`}><td>{p.protocol}</td><td>{p.address}</td><td>{p.port}</td><td>{p.process || '—'}</td></tr>)}</tbody>
      </table>
      <h2>Local policy</h2>
      <PolicyPanel policy={inv?.policy} />
    </>
  )
}
