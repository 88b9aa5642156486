import { Link } from '../router/router.tsx'
import { useApp } from '../app/app-context.ts'
import { Icon } from './icon.tsx'

const ITEMS = [
  { href: '/', label: 'Hosts', icon: 'hosts', admin: false },
  { href: '/relays', label: 'Relays', icon: 'relays', admin: false },
  { href: '/alerts', label: 'Alerts', icon: 'alerts', admin: false },
  // Everyone sees the rules and maintenance windows; the page offers changes by role.
  { href: '/rules', label: 'Rules', icon: 'rules', admin: false },
  { href: '/jobs', label: 'Jobs', icon: 'jobs', admin: false },
  // The hub shows the audit log to administrators only.
  { href: '/audit', label: 'Audit', icon: 'audit', admin: true },
  { href: '/users', label: 'Users', icon: 'users', admin: true }
] as const

/** The main navigation: a bottom bar within thumb reach on phones, a top bar on wide screens. */
export function AppNav (props: { path: string }) {
  const { session } = useApp()
  const current = (href: string): boolean => href === '/' ? props.path === '/' || props.path.startsWith('/hosts') : props.path.startsWith(href)
  return (
    <nav class="app-nav" aria-label="Main">
      <ul>
        {ITEMS.filter(i => !i.admin || session.role === 'admin').map(i => (
          <li key={i.href}>
            <Link href={i.href} aria-current={current(i.href) ? 'page' : undefined}>
              <Icon name={i.icon} class="nav-icon" />
              <span>{i.label}</span>
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  )
}
