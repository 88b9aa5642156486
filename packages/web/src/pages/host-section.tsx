import type { HostDetail } from '@outpost/protocol'
import { FilesPage } from './ops/files-page.tsx'
import { PackagesPage } from './ops/packages-page.tsx'
import { PowerPage } from './ops/power-page.tsx'
import { ProcessesPage } from './ops/processes-page.tsx'
import { ServicesPage } from './ops/services-page.tsx'
import { TerminalPage } from './ops/terminal-page.tsx'
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
    case 'terminal': return <TerminalPage hostId={props.host.id} />
    case 'files': return <FilesPage hostId={props.host.id} />
    case 'processes': return <ProcessesPage hostId={props.host.id} hostName={props.host.name} />
    case 'services': return <ServicesPage hostId={props.host.id} hostName={props.host.name} />
    case 'packages': return <PackagesPage hostId={props.host.id} hostName={props.host.name} />
    case 'power': return <PowerPage hostId={props.host.id} hostName={props.host.name} />
    default: return <p>No such section.</p>
  }
}
