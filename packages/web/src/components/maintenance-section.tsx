import { useState } from 'preact/hooks'
import type { AlertRule, HostSummary, Silence } from '@outpost/protocol'
import { errorText } from '../api/api-error.ts'
import { silences } from '../api/rule-endpoints.ts'
import { useApp } from '../app/app-context.ts'
import { ErrorMessage, Loading } from './message.tsx'
import { SilenceForm } from './silence-form.tsx'
import { SilenceTable } from './silence-table.tsx'
import { useAsync } from './use-async.ts'

/** Newest end first, so current and coming windows lead and ended ones trail. */
const byEnd = (a: Silence, b: Silence): number => Date.parse(b.endsAt) - Date.parse(a.endsAt)

/** Silences and maintenance windows: everyone sees them; operators and admins schedule and delete. */
export function MaintenanceSection (props: { rules: readonly AlertRule[], hosts: readonly HostSummary[] }) {
  const { api, session } = useApp()
  const list = useAsync(() => silences.list(api).then(l => l.sort(byEnd)), [api])
  const [error, setError] = useState<string | undefined>(undefined)
  const [note, setNote] = useState<string | undefined>(undefined)
  const canAct = session.role !== 'viewer'
  const hostName = (id: string): string | undefined => props.hosts.find(h => h.id === id)?.name
  const onDelete = (s: Silence): void => {
    setError(undefined); setNote(undefined)
    silences.remove(api, s.id).then(() => { list.set(old => old?.filter(x => x.id !== s.id)); setNote('Maintenance window deleted.'); list.reload() }, (err: unknown) => setError(errorText(err)))
  }
  return (
    <section aria-labelledby="maint-h">
      <h2 id="maint-h">Maintenance windows</h2>
      <ErrorMessage text={list.error ?? error} />
      {note === undefined ? null : <p role="status" class="ok">{note}</p>}
      <Loading when={list.loading && list.data === undefined} />
      {list.data?.length === 0 ? <p class="muted">No silences or maintenance windows.</p> : null}
      {list.data === undefined || list.data.length === 0 ? null : (
        <SilenceTable list={list.data} rules={props.rules} hostName={hostName} {...(canAct ? { onDelete } : {})} />
      )}
      {canAct ? (
        <SilenceForm rules={props.rules} hosts={props.hosts}
          onSubmit={async (input) => {
            setNote(undefined)
            const created = await silences.create(api, input)
            list.set(old => [...(old ?? []), created].sort(byEnd))
            setNote('Maintenance window scheduled.'); list.reload()
          }} />
      ) : <p class="muted">Operators and administrators schedule maintenance windows.</p>}
    </section>
  )
}
