import type { HostDetail } from '@outpost/protocol'
import { Icon } from '../components/icon.tsx'
import { bytes } from '../model/format.ts'
import { filesystems, MEM_HIGH_PCT, nicAbnormal } from '../model/hardware-checks.ts'

/** A flag for an abnormal component: icon and words, not colour alone. */
function Flag (props: { bad: boolean, text: string }) {
  return props.bad ? <span class="flag-bad"><Icon name="warning" /> {props.text}</span> : <span class="flag-ok">OK</span>
}

/** CPU, memory, disks, filesystems and NICs; abnormal ones flagged. */
export function HardwarePanel (props: { host: HostDetail }) {
  const inv = props.host.inventory
  const mem = props.host.metrics['mem.used_pct']
  const fss = filesystems(props.host.metrics)
  if (inv === null) return <p class="muted">No inventory yet: the agent sends it after enrolling.</p>
  return (
    <>
      <h2>Processor and memory</h2>
      <ul class="kv">
        <li><span>CPU</span><strong>{inv.cpu.model || 'unknown'} · {inv.cpu.cores} threads, {inv.cpu.physicalCores} cores</strong></li>
        <li><span>Memory</span><strong>{bytes(inv.memory.totalBytes)}{mem === undefined ? '' : ` · ${mem.toFixed(0)} % used `}</strong>
          {mem === undefined ? null : <Flag bad={mem >= MEM_HIGH_PCT} text="memory nearly full" />}</li>
        <li><span>Swap</span><strong>{bytes(inv.memory.swapTotalBytes)}</strong></li>
      </ul>
      <h2>File systems</h2>
      <table class="table" tabIndex={0}>
        <thead><tr><th scope="col">Mount</th><th scope="col">Used</th><th scope="col">Size</th><th scope="col">State</th></tr></thead>
        <tbody>{fss.map(f => (
          <tr key={f.mount} class={f.abnormal ? 'row-bad' : ''}>
            <td>{f.mount}</td><td>{f.usedPct.toFixed(1)} %</td><td>{f.sizeBytes === undefined ? '—' : bytes(f.sizeBytes)}</td>
            <td><Flag bad={f.abnormal} text="nearly full" /></td>
          </tr>))}
        </tbody>
      </table>
      <h2>Disks</h2>
      <table class="table" tabIndex={0}>
        <thead><tr><th scope="col">Device</th><th scope="col">Model</th><th scope="col">Type</th><th scope="col">Size</th></tr></thead>
        <tbody>{inv.disks.map(d => <tr key={d.device}><td>{d.device}</td><td>{d.model || '—'}</td><td>{d.type}</td><td>{bytes(d.sizeBytes)}</td></tr>)}</tbody>
      </table>
      <h2>Network interfaces</h2>
      <table class="table" tabIndex={0}>
        <thead><tr><th scope="col">Name</th><th scope="col">Addresses</th><th scope="col">Speed</th><th scope="col">State</th></tr></thead>
        <tbody>{inv.nics.map(n => (
          <tr key={n.name} class={nicAbnormal(n) ? 'row-bad' : ''}>
            <td>{n.name}{n.virtual ? <span class="muted"> (virtual)</span> : null}</td>
            <td class="wrap">{[...n.ipv4, ...n.ipv6].join(', ') || '—'}</td>
            <td>{n.speedMbps === null ? '—' : `${n.speedMbps} Mbit/s`}</td>
            <td>{nicAbnormal(n) ? <Flag bad text={`link ${n.state}`} /> : n.state}</td>
          </tr>))}
        </tbody>
      </table>
    </>
  )
}
