import { Link } from '../router/router.tsx'

/** The operations menu: groups of sections; `ready: false` marks what a later release brings. */
export const HOST_MENU = [
  { group: 'Monitoring', items: [{ id: 'monitoring', label: 'Charts', ready: true }] },
  { group: 'Inventory', items: [{ id: 'hardware', label: 'Hardware', ready: true }, { id: 'software', label: 'Software', ready: true }, { id: 'system', label: 'System', ready: true }] },
  { group: 'Operations', items: [{ id: 'command', label: 'Remote command', ready: true }, { id: 'terminal', label: 'Terminal', ready: true }, { id: 'files', label: 'Files', ready: true }] },
  { group: 'System', items: [{ id: 'processes', label: 'Processes', ready: true }, { id: 'services', label: 'Services', ready: true }, { id: 'packages', label: 'Packages', ready: true }, { id: 'power', label: 'Power', ready: true }] }
] as const

/** The label of a section id. */
export function sectionLabel (id: string): string {
  for (const g of HOST_MENU) for (const i of g.items) if (i.id === id) return i.label
  return 'Unknown section'
}

/** The hierarchical menu of a host page; every item is a deep link. */
export function HostMenu (props: { hostId: string, section: string }) {
  const base = `/hosts/${encodeURIComponent(props.hostId)}`
  return (
    <nav class="host-menu" aria-label="Host operations">
      {HOST_MENU.map(g => (
        <div key={g.group} class="menu-group">
          <h2 class="menu-title" id={`menu-${g.group}`}>{g.group}</h2>
          <ul aria-labelledby={`menu-${g.group}`}>
            {g.items.map(i => (
              <li key={i.id}>
                <Link href={`${base}/${i.id}`} aria-current={props.section === i.id ? 'page' : undefined}>
                  {i.label}{i.ready ? null : <span class="tag">not yet available</span>}
                </Link>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </nav>
  )
}
