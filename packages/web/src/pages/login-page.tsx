import { useState } from 'preact/hooks'
import type { SessionInfo } from '@outpost/protocol'
import type { ApiClient } from '../api/api-client.ts'
import { ApiError, errorText } from '../api/api-error.ts'
import { login } from '../api/endpoints.ts'
import { ErrorMessage } from '../components/message.tsx'

/** User id, password and an optional six-digit TOTP code. */
export function LoginPage (props: { api: ApiClient, onLogin: (s: SessionInfo) => void }) {
  const [user, setUser] = useState('')
  const [password, setPassword] = useState('')
  const [totp, setTotp] = useState('')
  const [error, setError] = useState<string | undefined>(undefined)
  const [busy, setBusy] = useState(false)
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault()
    if (totp !== '' && !/^[0-9]{6}$/.test(totp)) { setError('The code has six digits.'); return }
    setBusy(true)
    setError(undefined)
    try {
      props.onLogin(await login(props.api, { user, password, ...(totp === '' ? {} : { totp }) }))
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? 'Wrong user, password or code.' : errorText(err))
    } finally {
      setBusy(false)
    }
  }
  return (
    <main class="login" id="main">
      <form class="card login-card" onSubmit={(e) => { void submit(e) }} aria-labelledby="login-title">
        <h1 id="login-title">Outpost</h1>
        <p class="muted">Log in to the console.</p>
        <label for="login-user">User</label>
        <input id="login-user" name="user" autocomplete="username" required value={user} onInput={(e) => setUser(e.currentTarget.value)} />
        <label for="login-password">Password</label>
        <input id="login-password" name="password" type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        <label for="login-totp">One-time code <span class="muted">(if enabled)</span></label>
        <input id="login-totp" name="totp" inputMode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxLength={6} value={totp} onInput={(e) => setTotp(e.currentTarget.value)} />
        <ErrorMessage text={error} />
        <button type="submit" class="btn btn-primary" disabled={busy}>{busy ? 'Logging in…' : 'Log in'}</button>
      </form>
    </main>
  )
}
