import { useEffect, useMemo, useState } from 'preact/hooks'
import type { SessionInfo } from '@outpost/protocol'
import { createApiClient } from '../api/api-client.ts'
import { ApiError, errorText } from '../api/api-error.ts'
import { currentSession, logout } from '../api/endpoints.ts'
import { createLiveFeed } from '../api/live-feed.ts'
import { AppHeader } from '../components/app-header.tsx'
import { AppNav } from '../components/app-nav.tsx'
import { ErrorMessage, Loading } from '../components/message.tsx'
import { LoginPage } from '../pages/login-page.tsx'
import { safeNext } from '../model/next-path.ts'
import { navigate, useLocation } from '../router/router.tsx'
import { AppContext } from './app-context.ts'
import { pageFor } from './routes.tsx'

/** Where a 401 sends the user: the login page, remembering where they were. */
function toLogin (): void {
  const here = window.location.pathname + window.location.search
  navigate(here.startsWith('/login') ? here : `/login?next=${encodeURIComponent(here)}`, { replace: true })
}

/** The console: finds the session, gates every page behind login, and renders the route. */
export function App () {
  const loc = useLocation()
  const [session, setSession] = useState<SessionInfo | null | undefined>(undefined)
  const [bootError, setBootError] = useState<string | undefined>(undefined)
  const api = useMemo(() => createApiClient({ onUnauthorized: () => { setSession(null); toLogin() } }), [])
  const live = useMemo(() => createLiveFeed(), [])
  useEffect(() => {
    currentSession(api).then(setSession, (err: unknown) => {
      if (err instanceof ApiError && err.status === 401) { setSession(null); return }
      setBootError(errorText(err))
      setSession(null)
    })
  }, [api])
  useEffect(() => { if (session === null && !loc.path.startsWith('/login')) toLogin() }, [session, loc.path])
  useEffect(() => {
    if (session !== null && session !== undefined && loc.path === '/login') navigate(safeNext(loc.search.get('next')), { replace: true })
  }, [session, loc.path])
  const services = useMemo(() => (session === null || session === undefined ? null : { api, live, session }), [api, live, session])

  if (session === undefined) return <main id="main" class="page"><Loading when /></main>
  if (services === null || loc.path === '/login') {
    return (
      <>
        <ErrorMessage text={bootError} />
        <LoginPage api={api} onLogin={(s) => { setBootError(undefined); setSession(s) }} />
      </>
    )
  }
  const onLogout = (): void => {
    live.close()
    logout(api).then(() => { setSession(null); navigate('/login', { replace: true }) }, (err: unknown) => setBootError(errorText(err)))
  }
  const page = pageFor(loc.path)
  return (
    <AppContext.Provider value={services}>
      <a class="skip" href="#main">Skip to content</a>
      <AppHeader onLogout={onLogout} />
      <AppNav path={loc.path} />
      <main id="main" class="page">
        <ErrorMessage text={bootError} />
        {page ?? <><h1>Not found</h1><p>No page at {loc.path}.</p></>}
      </main>
    </AppContext.Provider>
  )
}
