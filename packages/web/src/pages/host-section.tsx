import type { HostDetail } from '@outpost/protocol'
import { NotAvailable } from '../components/not-available.tsx'
import { CommandPanel } from './host-command.tsx'
import { HardwarePanel } from './host-hardware.tsx'
import { MonitoringPanel } from './host-monitoring.tsx'
import { SoftwarePanel } from './host-software.tsx'
import { SystemPanel } from './host-system.tsx'

/** The body of one host section. */
export function HostSection (props: { host: HostDetail, section: string, onReload: () => void }) {
  switch (props.section) {
    case 'monitoring': return <MonitoringPanel host={props.host} />
    case 'hardware': return <HardwarePanel host={props.host} />
    case 'software': return <SoftwarePanel host={props.host} />
    case 'system': return <SystemPanel host={props.host} />
    case 'command': return <CommandPanel hostId={props.host.id} />
    case 'files': return <NotAvailable what="Files" detail="Browsing, uploading and downloading files arrives with the remote-operations release. Nothing is shown here until the agent can really do it." />
    default: return <p>No such section.</p>
  }
}
