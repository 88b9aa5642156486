import { useMemo, useState } from 'preact/hooks'
import { ProcessList, type ProcessListEntry, type ProcessSignalName } from '@outpost/protocol'
import { runCommand, runJson } from '../../api/ops-commands.ts'
import { useApp } from '../../app/app-context.ts'
import { ViewerNote } from '../../components/confirm-action.tsx'
import { ErrorMessage, Loading } from '../../components/message.tsx'
import { useOpAsync } from '../../components/use-op-async.ts'
import { bytes } from '../../model/format.ts'
import { opErrorText } from '../../model/op-errors.ts'
import { visibleProcesses, type ProcessSort } from '../../model/process-table.ts'

const SIGNALS: readonly ProcessSignalName[] = ['SIGTERM', 'SIGKILL', 'SIGHUP', 'SIGINT', 'SIGUSR1', 'SIGUSR2']
const SORTS: ReadonlyArray<{ value: ProcessSort, label: string }> = [
  { value: 'cpu', label: 'CPU' }, { value: 'mem', label: 'Memory' }, { value: 'pid', label: 'PID' }, { value: 'name', label: 'Name' }
]

/** The host's processes, sortable and filterable; operators send signals after confirming. */
export function ProcessesPage (props: { hostId: string, hostName: string }) {
  const { api, session } = useApp()
  const canOperate = session.role !== 'viewer'
  const list = useOpAsync(async (signal) => (canOperate ? runJson(api, props.hostId, { type: 'process-list' }, ProcessList, signal) : undefined), [api, props.hostId, canOperate])
  const [filter, setFilter] = useState('')
  const [sort, setSort] = useState<ProcessSort>('cpu')
  const [target, setTarget] = useState<ProcessListEntry | undefined>(undefined)
  const shown = useMemo(() => visibleProcesses(list.data ?? [], filter, sort), [list.data, filter, sort])
  if (!canOperate) return <><h2>Processes</h2><ViewerNote what="Listing processes" /></>
  return (
    <>
      <div class="section-head"><h2>Processes</h2><button type="button" class="btn" onClick={list.reload}>Refresh</button></div>
      <form class="toolbar" role="search" onSubmit={(e) => e.preventDefault()}>
        <label for="proc-filter" class="sr-only">Filter processes</label>
        <input id="proc-filter" type="search" placeholder="Filter by name, command, user or PID" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
        <label for="proc-sort" class="sr-only">Sort by</label>
        <select id="proc-sort" value={sort} onChange={(e) => setSort(e.currentTarget.value as ProcessSort)}>
          {SORTS.map(s => <option key={s.value} value={s.value}>Sort: {s.label}</option>)}
        </select>
      </form>
      {target === undefined ? null : <SignalForm hostId={props.hostId} hostName={props.hostName} proc={target} onDone={() => { setTarget(undefined); list.reload() }} />}
      <ErrorMessage text={list.error} />
      <Loading when={list.loading} />
      <p class="muted" role="status">{shown.length} of {list.data?.length ?? 0} processes</p>
      <table class="table" tabIndex={0} aria-label="Processes" data-testid="process-table">
        <thead><tr>
          <th scope="col" aria-sort={sort === 'pid' ? 'ascending' : undefined}>PID</th><th scope="col">User</th>
          <th scope="col" aria-sort={sort === 'cpu' ? 'descending' : undefined}>CPU</th>
          <th scope="col" aria-sort={sort === 'mem' ? 'descending' : undefined}>Memory</th>
          <th scope="col" aria-sort={sort === 'name' ? 'ascending' : undefined}>Command</th><th scope="col"><span class="sr-only">Actions</span></th>
        </tr></thead>
        <tbody>{shown.slice(0, 500).map(p => (
          <tr key={p.pid}>
            <td>{p.pid}</td><td>{p.user}</td><td>{p.cpuPct === undefined ? '—' : `${p.cpuPct.toFixed(1)} %`}</td><td>{bytes(p.memBytes)}</td>
            <td class="wrap" title={p.command}>{p.name}<span class="muted"> {p.command.slice(0, 80)}</span></td>
            <td><button type="button" class="btn" onClick={() => setTarget(p)} aria-label={`Kill process ${p.pid} ${p.name}`}>Kill</button></td>
          </tr>))}
        </tbody>
      </table>
      {shown.length > 500 ? <p class="muted">The first 500 are shown; filter to find others.</p> : null}
    </>
  )
}

/** Choose the signal, then confirm by name: the question names the host and the process. */
function SignalForm (props: { hostId: string, hostName: string, proc: ProcessListEntry, onDone: () => void }) {
  const { api } = useApp()
  const [signal, setSignal] = useState<ProcessSignalName>('SIGTERM')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | undefined>(undefined)
  const send = (): void => {
    setBusy(true); setError(undefined)
    runCommand(api, props.hostId, { type: 'process-signal', pid: props.proc.pid, signal }).then(props.onDone, (err: unknown) => { setError(opErrorText(err)); setBusy(false) })
  }
  return (
    <section class="card" role="group" aria-labelledby="sig-h" data-testid="signal-form">
      <h3 id="sig-h">Send a signal to {props.proc.name} ({props.proc.pid})</h3>
      <label for="sig-name">Signal</label>
      <select id="sig-name" value={signal} onChange={(e) => setSignal(e.currentTarget.value as ProcessSignalName)}>
        {SIGNALS.map(s => <option key={s} value={s}>{s}</option>)}
      </select>
      <p class="confirm">Send {signal} to process {props.proc.pid} ({props.proc.name}) on {props.hostName}?</p>
      <div class="actions">
        <button type="button" class="btn btn-danger" disabled={busy} onClick={send}>{busy ? 'Sending…' : `Send ${signal}`}</button>
        <button type="button" class="btn" onClick={props.onDone}>Cancel</button>
      </div>
      <ErrorMessage text={error} />
    </section>
  )
}
