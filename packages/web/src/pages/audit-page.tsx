import { useState } from 'preact/hooks'
import { auditLog } from '../api/endpoints.ts'
import { useApp } from '../app/app-context.ts'
import { ErrorMessage, Loading } from '../components/message.tsx'
import { useAsync } from '../components/use-async.ts'
import { when } from '../model/format.ts'

/** The audit log, newest first, filtered by actor, action and target. */
export function AuditPage () {
  const { api } = useApp()
  const [draft, setDraft] = useState({ actor: '', action: '', target: '' })
  const [filter, setFilter] = useState(draft)
  const list = useAsync(() => auditLog(api, filter), [api, filter])
  const field = (k: keyof typeof draft, label: string) => (
    <div class="field">
      <label for={`audit-${k}`}>{label}</label>
      <input id={`audit-${k}`} value={draft[k]} onInput={(e) => setDraft({ ...draft, [k]: e.currentTarget.value })} />
    </div>
  )
  return (
    <>
      <div class="page-head"><h1>Audit log</h1></div>
      <form class="toolbar filters" onSubmit={(e) => { e.preventDefault(); setFilter(draft) }} aria-label="Filter the audit log">
        {field('actor', 'Actor')}{field('action', 'Action')}{field('target', 'Target')}
        <button type="submit" class="btn btn-primary">Filter</button>
      </form>
      <ErrorMessage text={list.error} />
      <Loading when={list.loading && list.data === undefined} />
      <table class="table" tabIndex={0}>
        <thead><tr><th scope="col">Time</th><th scope="col">Actor</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Result</th></tr></thead>
        <tbody>{list.data?.map(e => (
          <tr key={e.id} class={e.result === 'ok' ? '' : 'row-bad'}><td>{when(e.time)}</td><td>{e.actor}</td><td>{e.action}</td><td class="wrap">{e.target}</td><td>{e.result}</td></tr>))}
        </tbody>
      </table>
    </>
  )
}
