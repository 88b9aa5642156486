import { Link } from '../router/router.tsx'
import { PresenceBar } from './presence-bar.tsx'

/** Brand, who is logged in (and who else), and log out. */
export function AppHeader (props: { onLogout: () => void }) {
  return (
    <header class="app-header">
      <Link href="/" class="brand" aria-label="Outpost, host list">Outpost</Link>
      <PresenceBar />
      <button type="button" class="btn btn-quiet" onClick={props.onLogout}>Log out</button>
    </header>
  )
}
