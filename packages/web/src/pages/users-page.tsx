import { useState } from 'preact/hooks'
import type { Role } from '@outpost/protocol'
import { errorText } from '../api/api-error.ts'
import { users } from '../api/endpoints.ts'
import { useApp } from '../app/app-context.ts'
import { ErrorMessage, Loading } from '../components/message.tsx'
import { useAsync } from '../components/use-async.ts'

const ROLES: readonly Role[] = ['viewer', 'operator', 'admin']

/** Users and roles (admins only): list, create, change role, disable or enable. */
export function UsersPage () {
  const { api, session } = useApp()
  const list = useAsync(() => (session.role === 'admin' ? users.list(api) : Promise.resolve([])), [api, session.role])
  const [error, setError] = useState<string | undefined>(undefined)
  const [draft, setDraft] = useState({ name: '', password: '', role: 'viewer' as Role })
  if (session.role !== 'admin') return <><h1>Users</h1><p>Only administrators manage users.</p></>
  const act = (f: () => Promise<unknown>): void => {
    setError(undefined)
    f().then(() => list.reload(), (err: unknown) => setError(errorText(err)))
  }
  return (
    <>
      <div class="page-head"><h1>Users</h1></div>
      <ErrorMessage text={list.error ?? error} />
      <Loading when={list.loading && list.data === undefined} />
      <table class="table" tabIndex={0}>
        <thead><tr><th scope="col">User</th><th scope="col">Role</th><th scope="col">TOTP</th><th scope="col">State</th></tr></thead>
        <tbody>{list.data?.map(u => (
          <tr key={u.name}>
            <td>{u.name}</td>
            <td>
              <label for={`role-${u.name}`} class="sr-only">Role of {u.name}</label>
              <select id={`role-${u.name}`} value={u.role} disabled={u.name === session.user} onChange={(e) => act(() => users.update(api, u.name, { role: e.currentTarget.value as Role }))}>
                {ROLES.map(r => <option key={r} value={r}>{r}</option>)}
              </select>
            </td>
            <td>{u.totpEnabled ? 'on' : 'off'}</td>
            <td>
              <button type="button" class="btn" disabled={u.name === session.user} onClick={() => act(() => users.update(api, u.name, { disabled: !u.disabled }))}>
                {u.disabled ? `Enable ${u.name}` : `Disable ${u.name}`}
              </button>
            </td>
          </tr>))}
        </tbody>
      </table>
      <form class="card" onSubmit={(e) => { e.preventDefault(); act(async () => { await users.create(api, draft); setDraft({ name: '', password: '', role: 'viewer' }) }) }} aria-labelledby="new-user">
        <h2 id="new-user">New user</h2>
        <label for="nu-name">User id</label>
        <input id="nu-name" required pattern="[A-Za-z0-9_.@\-]{1,64}" value={draft.name} onInput={(e) => setDraft({ ...draft, name: e.currentTarget.value })} />
        <label for="nu-pass">Password <span class="muted">(12 characters or more)</span></label>
        <input id="nu-pass" type="password" autocomplete="new-password" minLength={12} required value={draft.password} onInput={(e) => setDraft({ ...draft, password: e.currentTarget.value })} />
        <label for="nu-role">Role</label>
        <select id="nu-role" value={draft.role} onChange={(e) => setDraft({ ...draft, role: e.currentTarget.value as Role })}>
          {ROLES.map(r => <option key={r} value={r}>{r}</option>)}
        </select>
        <button type="submit" class="btn btn-primary">Create user</button>
      </form>
    </>
  )
}
