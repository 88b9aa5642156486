import { Link } from '../router/router.tsx'
import { useApp } from '../app/app-context.ts'

const ITEMS = [
  { href: '/', label: 'Hosts', icon: '▦', admin: false },
  { href: '/alerts', label: 'Alerts', icon: '🔔', admin: false },
  { href: '/audit', label: 'Audit', icon: '☰', admin: false },
  { href: '/users', label: 'Users', icon: '👤', admin: true }
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
              <span class="nav-icon" aria-hidden="true">{i.icon}</span>
              <span>{i.label}</span>
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  )
}
