import { useEffect, useState } from 'preact/hooks'
import { alerts } from '../api/alert-endpoints.ts'
import { errorText } from '../api/api-error.ts'
import { useApp } from '../app/app-context.ts'
import { ErrorMessage, Loading } from './message.tsx'
import { useAsync } from './use-async.ts'
import { AlertCard } from './alert-card.tsx'

/**
 * Alerts (open, or recent of any state; of one host or all), kept current by live events, with
 * acknowledge and silence for operators. A resolved alert stays in view, marked resolved, so the
 * person who acted sees the outcome.
 */
export function AlertList (props: { view: 'open' | 'all', hostId?: string, emptyText: string }) {
  const { api, live, session } = useApp()
  const list = useAsync(() => alerts.list(api, props.view, props.hostId), [api, props.view, props.hostId])
  const [error, setError] = useState<string | undefined>(undefined)
  const [note, setNote] = useState<string | undefined>(undefined)
  useEffect(() => live.subscribe(e => {
    if (e.type !== 'alert' || (props.hostId !== undefined && e.alert.hostId !== props.hostId)) return
    list.set(old => [e.alert, ...(old ?? []).filter(a => a.id !== e.alert.id)])
  }), [live, props.hostId])
  const act = (f: () => Promise<unknown>, done: string): void => {
    setError(undefined); setNote(undefined)
    f().then(() => { setNote(done); list.reload() }, (err: unknown) => setError(errorText(err)))
  }
  const canAct = session.role !== 'viewer'
  return (
    <>
      <ErrorMessage text={list.error ?? error} />
      {note === undefined ? null : <p role="status" class="ok">{note}</p>}
      <Loading when={list.loading && list.data === undefined} />
      {list.data?.length === 0 ? <p class="muted">{props.emptyText}</p> : null}
      <ul class="cards">
        {list.data?.map(a => <AlertCard key={a.id} alert={a} canAct={canAct}
          onAck={() => act(() => alerts.ack(api, a.id), 'Acknowledged.')}
          onSilence={(m) => act(() => alerts.silenceHost(api, a.hostId, m, `silenced from the console by ${session.user}`), `Host ${a.hostName} silenced.`)} />)}
      </ul>
    </>
  )
}
