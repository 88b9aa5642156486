import { useMemo, useState } from 'preact/hooks'
import type { HostDetail } from '@outpost/protocol'
import { bytes } from '../model/format.ts'

const MAX_PACKAGES_SHOWN = 300

/** Top processes from the latest snapshot and installed packages with a filter. */
export function SoftwarePanel (props: { host: HostDetail }) {
  const [q, setQ] = useState('')
  const items = props.host.inventory?.packages.items ?? []
  const matching = useMemo(() => { const t = q.trim().toLowerCase(); return t === '' ? items : items.filter(p => p.name.toLowerCase().includes(t)) }, [items, q])
  const procs = props.host.snapshot?.processes ?? []
  return (
    <>
      <h2>Top processes</h2>
      {procs.length === 0 ? <p class="muted">No snapshot yet.</p> : (
        <table class="table" tabIndex={0}>
          <thead><tr><th scope="col">PID</th><th scope="col">Name</th><th scope="col">User</th><th scope="col">CPU</th><th scope="col">Memory</th></tr></thead>
          <tbody>{procs.slice(0, 20).map(p => (
            <tr key={p.pid}><td>{p.pid}</td><td title={p.command}>{p.name}</td><td>{p.user}</td><td>{p.cpuPct.toFixed(1)} %</td><td>{bytes(p.memBytes)}</td></tr>))}
          </tbody>
        </table>
      )}
      <h2>Installed packages <span class="muted">({items.length}, {props.host.inventory?.packages.manager ?? 'unknown'})</span></h2>
      <label for="pkg-filter">Filter packages</label>
      <input id="pkg-filter" type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
      <p class="muted" role="status">{matching.length} match{matching.length > MAX_PACKAGES_SHOWN ? `, first ${MAX_PACKAGES_SHOWN} shown` : ''}</p>
      <table class="table" tabIndex={0}>
        <thead><tr><th scope="col">Package</th><th scope="col">Version</th><th scope="col">Arch</th></tr></thead>
        <tbody>{matching.slice(0, MAX_PACKAGES_SHOWN).map(p => <tr key={`${p.name}:${p.arch}`}><td>{p.name}</td><td class="wrap">{p.version}</td><td>{p.arch}</td></tr>)}</tbody>
      </table>
    </>
  )
}
