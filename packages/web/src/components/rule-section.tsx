import { useState } from 'preact/hooks'
import type { AlertRule, AlertRuleInput, HostSummary } from '@outpost/protocol'
import { errorText } from '../api/api-error.ts'
import { rules } from '../api/rule-endpoints.ts'
import { useApp } from '../app/app-context.ts'
import { draftOf, EMPTY_DRAFT } from '../model/rule-draft.ts'
import { ErrorMessage, Loading } from './message.tsx'
import { RuleCard } from './rule-card.tsx'
import { RuleForm } from './rule-form.tsx'
import type { Async } from './use-async.ts'

/** The input that stores `r` unchanged but for `patch`. */
function inputOf (r: AlertRule, patch: Partial<AlertRuleInput>): AlertRuleInput {
  const { id: _id, createdAt: _c, updatedAt: _u, ...input } = r
  return { ...input, ...patch }
}

/** The rules, and for admins (the only role the hub lets change them) create, edit, toggle, delete. */
export function RuleSection (props: { list: Async<AlertRule[]>, hosts: readonly HostSummary[] }) {
  const { api, session } = useApp()
  const [editing, setEditing] = useState<string | null>(null)
  const [error, setError] = useState<string | undefined>(undefined)
  const [note, setNote] = useState<string | undefined>(undefined)
  const isAdmin = session.role === 'admin'
  const hostName = (id: string): string | undefined => props.hosts.find(h => h.id === id)?.name
  // The hub's answer goes into the list at once, so the note and the list agree; a reload follows.
  const apply = (changed: AlertRule | null, goneId: string | null, done: string): void => {
    props.list.set(old => {
      const rest = (old ?? []).filter(r => r.id !== goneId && r.id !== changed?.id)
      const at = (old ?? []).findIndex(r => r.id === changed?.id)
      if (changed === null) return rest
      return at < 0 ? [...rest, changed] : [...rest.slice(0, at), changed, ...rest.slice(at)]
    })
    setNote(done); setEditing(null); props.list.reload()
  }
  const act = (f: () => Promise<AlertRule | null>, goneId: string | null, done: string): void => {
    setError(undefined); setNote(undefined)
    f().then(r => apply(r, goneId, done), (err: unknown) => setError(errorText(err)))
  }
  // The form shows a refusal itself, so its submit rejects instead of setting the section's error.
  const save = async (f: () => Promise<AlertRule>, done: string): Promise<void> => {
    setError(undefined); setNote(undefined)
    apply(await f(), null, done)
  }
  const form = (title: string, r: AlertRule | null) => (
    <RuleForm title={title} initial={r === null ? EMPTY_DRAFT : draftOf(r)} hosts={props.hosts} submitLabel={r === null ? 'Create rule' : 'Save rule'}
      onCancel={() => setEditing(null)}
      onSubmit={(input) => save(() => (r === null ? rules.create(api, input) : rules.update(api, r.id, input)), r === null ? `Rule ${input.name} created.` : `Rule ${input.name} saved.`)} />
  )
  return (
    <section aria-labelledby="rules-h">
      <div class="page-head">
        <h2 id="rules-h">Alert rules</h2>
        {isAdmin && editing !== 'new' ? <button type="button" class="btn" onClick={() => { setNote(undefined); setEditing('new') }}>New rule</button> : null}
      </div>
      {isAdmin ? null : <p class="muted">Only administrators change rules.</p>}
      <ErrorMessage text={props.list.error ?? error} />
      {note === undefined ? null : <p role="status" class="ok">{note}</p>}
      <Loading when={props.list.loading && props.list.data === undefined} />
      {editing === 'new' ? <div class="card">{form('New rule', null)}</div> : null}
      {props.list.data?.length === 0 ? <p class="muted">No rules.</p> : null}
      <ul class="cards rule-cards" aria-label="Alert rules">
        {props.list.data?.map(r => editing === r.id
          ? <li key={r.id} class="card">{form(`Edit ${r.name}`, r)}</li>
          : <RuleCard key={r.id} rule={r} hostName={hostName} {...(isAdmin ? {
            actions: {
              onToggle: () => act(() => rules.update(api, r.id, inputOf(r, { enabled: !r.enabled })), null, `Rule ${r.name} ${r.enabled ? 'disabled' : 'enabled'}.`),
              onEdit: () => { setNote(undefined); setEditing(r.id) },
              onDelete: () => act(async () => { await rules.remove(api, r.id); return null }, r.id, `Rule ${r.name} deleted.`)
            }
          } : {})} />)}
      </ul>
    </section>
  )
}
