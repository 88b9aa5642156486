import { useMemo, useState } from 'preact/hooks'
import { PackageList } from '@outpost/protocol'
import { createCommand, runJson } from '../../api/ops-commands.ts'
import { useApp } from '../../app/app-context.ts'
import { ConfirmAction, ViewerNote } from '../../components/confirm-action.tsx'
import { LiveOutput } from '../../components/live-output.tsx'
import { ErrorMessage, Loading } from '../../components/message.tsx'
import { useOpAsync } from '../../components/use-op-async.ts'
import { opErrorText } from '../../model/op-errors.ts'

type PkgAction = 'install' | 'remove' | 'upgrade'
const NAME = /^[A-Za-z0-9][A-Za-z0-9+._:~-]*$/

/** Installed packages with search; install, remove or upgrade with the package manager's live output. */
export function PackagesPage (props: { hostId: string, hostName: string }) {
  const { api, session } = useApp()
  const canOperate = session.role !== 'viewer'
  const list = useOpAsync(async (signal) => (canOperate ? runJson(api, props.hostId, { type: 'package', action: 'list', names: [] }, PackageList, signal) : undefined), [api, props.hostId, canOperate])
  const [search, setSearch] = useState('')
  const [names, setNames] = useState('')
  const [action, setAction] = useState<PkgAction>('install')
  const [running, setRunning] = useState<string | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  const shown = useMemo(() => (list.data ?? []).filter(p => p.name.toLowerCase().includes(search.trim().toLowerCase())).slice(0, 300), [list.data, search])
  if (!canOperate) return <><h2>Packages</h2><ViewerNote what="Managing packages" /></>
  const picked = names.split(/[\s,]+/).filter(n => n !== '')
  const bad = picked.find(n => !NAME.test(n))
  const start = (): void => {
    setError(undefined); setRunning(undefined)
    createCommand(api, props.hostId, { type: 'package', action, names: picked }).then(({ id }) => setRunning(id), (err: unknown) => setError(opErrorText(err)))
  }
  const what = picked.length === 0 ? 'every package' : picked.join(', ')
  return (
    <>
      <h2>Packages</h2>
      <form class="card" onSubmit={(e) => e.preventDefault()} aria-labelledby="pkg-h">
        <h3 id="pkg-h">Install, remove or upgrade</h3>
        <div class="field-row">
          <div><label for="pkg-action">Action</label>
            <select id="pkg-action" value={action} onChange={(e) => setAction(e.currentTarget.value as PkgAction)}>
              <option value="install">Install</option><option value="remove">Remove</option><option value="upgrade">Upgrade</option>
            </select></div>
          <div><label for="pkg-names">Packages <span class="muted">(separated by spaces{action === 'upgrade' ? '; none upgrades everything' : ''})</span></label>
            <input id="pkg-names" autocomplete="off" autocapitalize="off" spellcheck={false} value={names} onInput={(e) => setNames(e.currentTarget.value)} /></div>
        </div>
        {bad === undefined ? null : <p class="error">“{bad}” is not a package name.</p>}
        <div class="actions">
          <ConfirmAction label={action[0]?.toUpperCase() + action.slice(1)} danger={action === 'remove'} disabled={bad !== undefined || (picked.length === 0 && action !== 'upgrade')}
            question={`${action[0]?.toUpperCase()}${action.slice(1)} ${what} on ${props.hostName}?`} onConfirm={start} />
        </div>
        <ErrorMessage text={error} />
      </form>
      {running === undefined ? null : <LiveOutput key={running} commandId={running} onFinished={list.reload} />}
      <h3>Installed</h3>
      <form class="toolbar" role="search" onSubmit={(e) => e.preventDefault()}>
        <label for="pkg-search" class="sr-only">Search installed packages</label>
        <input id="pkg-search" type="search" placeholder="Search installed packages" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
      </form>
      <ErrorMessage text={list.error} />
      <Loading when={list.loading} />
      {list.data === undefined ? null : <p class="muted" role="status">{list.data.length} installed{shown.length < list.data.length ? `, ${shown.length} shown` : ''}</p>}
      <table class="table" tabIndex={0} aria-label="Installed packages" data-testid="package-table">
        <thead><tr><th scope="col">Name</th><th scope="col">Version</th><th scope="col">Arch</th></tr></thead>
        <tbody>{shown.map(p => <tr key={`${p.name}:${p.arch}`}><td>{p.name}</td><td class="wrap">{p.version}</td><td>{p.arch}</td></tr>)}</tbody>
      </table>
    </>
  )
}
