import { useMemo, useState } from 'preact/hooks'
import { ServiceList, ServiceStatus } from '@outpost/protocol'
import { parseStdout, runCommand, runJson } from '../../api/ops-commands.ts'
import { useApp } from '../../app/app-context.ts'
import { ConfirmAction, ViewerNote } from '../../components/confirm-action.tsx'
import { ErrorMessage, Loading } from '../../components/message.tsx'
import { useOpAsync } from '../../components/use-op-async.ts'
import { opErrorText } from '../../model/op-errors.ts'

const ACTIONS = ['start', 'stop', 'restart', 'enable', 'disable'] as const

/** systemd services: list with state; one service's status and journal; actions after confirmation. */
export function ServicesPage (props: { hostId: string, hostName: string }) {
  const { api, session } = useApp()
  const canOperate = session.role !== 'viewer'
  const list = useOpAsync(async (signal) => {
    if (!canOperate) return undefined
    const s = await runCommand(api, props.hostId, { type: 'service', action: 'list' }, signal)
    // The agent explains on stderr when states are unknown (e.g. no systemd running).
    return { services: parseStdout(ServiceList, s), note: s.stderr.trim() }
  }, [api, props.hostId, canOperate])
  const [filter, setFilter] = useState('')
  const [open, setOpen] = useState<string | undefined>(undefined)
  const shown = useMemo(() => (list.data?.services ?? []).filter(s => s.name.toLowerCase().includes(filter.trim().toLowerCase())), [list.data, filter])
  if (!canOperate) return <><h2>Services</h2><ViewerNote what="Managing services" /></>
  return (
    <>
      <div class="section-head"><h2>Services</h2><button type="button" class="btn" onClick={list.reload}>Refresh</button></div>
      <ErrorMessage text={list.error} />
      <Loading when={list.loading} />
      {open === undefined ? null : <ServiceDetail key={open} hostId={props.hostId} hostName={props.hostName} name={open} onClose={() => setOpen(undefined)} onChanged={list.reload} />}
      {list.data === undefined || list.data.note === '' ? null : <p class="muted" data-testid="service-note">{list.data.note}</p>}
      {list.data === undefined ? null : (
        <>
          <form class="toolbar" role="search" onSubmit={(e) => e.preventDefault()}>
            <label for="svc-filter" class="sr-only">Filter services</label>
            <input id="svc-filter" type="search" placeholder="Filter by name" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
          </form>
          <table class="table" tabIndex={0} aria-label="Services" data-testid="service-table">
            <thead><tr><th scope="col">Service</th><th scope="col">State</th><th scope="col">At boot</th><th scope="col">Description</th></tr></thead>
            <tbody>{shown.map(s => (
              <tr key={s.name} class={s.activeState === 'failed' ? 'row-bad' : ''}>
                <td><button type="button" class="btn btn-link" onClick={() => setOpen(s.name)}>{s.name}</button></td>
                <td>{s.activeState} ({s.subState})</td><td>{s.unitFileState}</td><td class="wrap">{s.description}</td>
              </tr>))}
            </tbody>
          </table>
        </>
      )}
    </>
  )
}

/** One service: status, the last journal lines, and the actions. */
function ServiceDetail (props: { hostId: string, hostName: string, name: string, onClose: () => void, onChanged: () => void }) {
  const { api } = useApp()
  const status = useOpAsync((signal) => runJson(api, props.hostId, { type: 'service', action: 'status', name: props.name, lines: 50 }, ServiceStatus, signal), [api, props.hostId, props.name])
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | undefined>(undefined)
  const [output, setOutput] = useState<string | undefined>(undefined)
  const act = (action: typeof ACTIONS[number]): void => {
    setBusy(true); setError(undefined); setOutput(undefined)
    runCommand(api, props.hostId, { type: 'service', action, name: props.name }).then(
      (s) => { setOutput(`${action}: done${s.stdout.trim() === '' ? '' : `\n${s.stdout.trim()}`}`); status.reload(); props.onChanged() },
      (err: unknown) => setError(opErrorText(err))
    ).finally(() => setBusy(false))
  }
  const s = status.data
  return (
    <section class="card" aria-labelledby="svc-h" data-testid="service-detail">
      <div class="section-head"><h3 id="svc-h">{props.name}</h3><button type="button" class="btn btn-quiet" onClick={props.onClose}>Close</button></div>
      <ErrorMessage text={status.error ?? error} />
      <Loading when={status.loading && s === undefined} />
      {s === undefined ? null : (
        <dl class="facts">
          <dt>State</dt><dd>{s.activeState} ({s.subState})</dd><dt>At boot</dt><dd>{s.unitFileState}</dd>
          <dt>Main PID</dt><dd>{s.mainPid ?? '—'}</dd><dt>Description</dt><dd>{s.description}</dd>
        </dl>
      )}
      <div class="actions">
        {ACTIONS.map(a => <ConfirmAction key={a} label={a[0]?.toUpperCase() + a.slice(1)} disabled={busy} danger={a === 'stop' || a === 'disable'}
          question={`${a[0]?.toUpperCase()}${a.slice(1)} ${props.name} on ${props.hostName}?`} onConfirm={() => act(a)} />)}
      </div>
      {output === undefined ? null : <pre role="status">{output}</pre>}
      {s === undefined ? null : <><h4>Journal</h4><pre tabIndex={0} aria-label="Journal">{s.journal.join('\n') || '(empty)'}</pre></>}
    </section>
  )
}
