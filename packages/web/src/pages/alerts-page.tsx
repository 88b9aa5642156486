import { useEffect, useState } from 'preact/hooks'
import type { Alert } from '@outpost/protocol'
import { alerts } from '../api/alert-endpoints.ts'
import { errorText } from '../api/api-error.ts'
import { useApp } from '../app/app-context.ts'
import { ErrorMessage, Loading } from '../components/message.tsx'
import { useAsync } from '../components/use-async.ts'
import { when } from '../model/format.ts'
import { Link } from '../router/router.tsx'

const SILENCE_CHOICES = [{ m: 60, label: '1 hour' }, { m: 240, label: '4 hours' }, { m: 1440, label: '1 day' }] as const

/** Open and recent alerts; acknowledge one, or silence its host for a while. */
export function AlertsPage () {
  const { api, live, session } = useApp()
  const [view, setView] = useState<'open' | 'all'>('open')
  const list = useAsync(() => alerts.list(api, view), [api, view])
  const [error, setError] = useState<string | undefined>(undefined)
  const [note, setNote] = useState<string | undefined>(undefined)
  useEffect(() => live.subscribe(e => {
    if (e.type !== 'alert') return
    list.set(old => {
      const rest = (old ?? []).filter(a => a.id !== e.alert.id)
      return view === 'open' && e.alert.state === 'resolved' ? rest : [e.alert, ...rest]
    })
  }), [live, view])
  const act = (f: () => Promise<unknown>, done: string): void => {
    setError(undefined); setNote(undefined)
    f().then(() => { setNote(done); list.reload() }, (err: unknown) => setError(errorText(err)))
  }
  const canAct = session.role !== 'viewer'
  return (
    <>
      <div class="page-head"><h1>Alerts</h1></div>
      <div class="toolbar" role="group" aria-label="Which alerts">
        <button type="button" class="btn" aria-pressed={view === 'open'} onClick={() => setView('open')}>Open</button>
        <button type="button" class="btn" aria-pressed={view === 'all'} onClick={() => setView('all')}>Recent</button>
      </div>
      <ErrorMessage text={list.error ?? error} />
      {note === undefined ? null : <p role="status" class="ok">{note}</p>}
      <Loading when={list.loading && list.data === undefined} />
      {list.data?.length === 0 ? <p class="muted">No {view === 'open' ? 'open ' : ''}alerts.</p> : null}
      <ul class="cards">
        {list.data?.map(a => <AlertCard key={a.id} alert={a} canAct={canAct}
          onAck={() => act(() => alerts.ack(api, a.id), 'Acknowledged.')}
          onSilence={(m) => act(() => alerts.silenceHost(api, a.hostId, m, `silenced from the console by ${session.user}`), `Host ${a.hostName} silenced.`)} />)}
      </ul>
    </>
  )
}

/** One alert with its actions. */
function AlertCard (props: { alert: Alert, canAct: boolean, onAck: () => void, onSilence: (minutes: number) => void }) {
  const a = props.alert
  const [minutes, setMinutes] = useState(60)
  return (
    <li class={`card alert-card sev-${a.severity}`}>
      <p><span class={`badge badge-${a.severity === 'info' ? 'unknown' : a.severity}`}><span aria-hidden="true">{a.severity === 'critical' ? '⛔' : a.severity === 'warning' ? '▲' : 'ℹ'}</span>{a.severity}</span>
        {' '}<strong>{a.state}</strong>{a.silenced ? <span class="tag">silenced</span> : null}</p>
      <p><Link href={`/hosts/${encodeURIComponent(a.hostId)}`}>{a.hostName}</Link> · {a.ruleName}</p>
      <p>{a.summary}</p>
      <p class="muted">since {when(a.startedAt)}{a.acknowledgedBy === null ? '' : ` · acknowledged by ${a.acknowledgedBy}`}</p>
      {props.canAct && a.state !== 'resolved' ? (
        <div class="actions">
          {a.state === 'firing' ? <button type="button" class="btn btn-primary" onClick={props.onAck}>Acknowledge</button> : null}
          <label for={`sil-${a.id}`} class="sr-only">Silence host for</label>
          <select id={`sil-${a.id}`} value={minutes} onChange={(e) => setMinutes(Number(e.currentTarget.value))}>
            {SILENCE_CHOICES.map(c => <option key={c.m} value={c.m}>{c.label}</option>)}
          </select>
          <button type="button" class="btn" onClick={() => props.onSilence(minutes)}>Silence host</button>
        </div>
      ) : null}
    </li>
  )
}
