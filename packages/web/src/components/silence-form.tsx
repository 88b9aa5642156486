import { useState } from 'preact/hooks'
import type { AlertRule, HostSummary, SilenceInput } from '@outpost/protocol'
import { errorText } from '../api/api-error.ts'
import { emptySilenceDraft, localInputValue, silenceInputOf, type SilenceDraft } from '../model/silence-draft.ts'
import { ErrorMessage } from './message.tsx'
import { ScopeFields } from './scope-fields.tsx'

/** Schedules a maintenance window: scope, optionally one rule, start and end (local time), reason. */
export function SilenceForm (props: { rules: readonly AlertRule[], hosts: readonly HostSummary[], onSubmit: (input: SilenceInput) => Promise<unknown> }) {
  const [d, setD] = useState<SilenceDraft>(() => emptySilenceDraft())
  const [error, setError] = useState<string | undefined>(undefined)
  const [busy, setBusy] = useState(false)
  const set = (patch: Partial<SilenceDraft>): void => setD(old => ({ ...old, ...patch }))
  const submit = (e: Event): void => {
    e.preventDefault()
    const checked = silenceInputOf(d)
    if (!checked.ok) { setError(checked.error); return }
    setError(undefined); setBusy(true)
    props.onSubmit(checked.input).then(
      () => { setBusy(false); setD(emptySilenceDraft()) },
      (err: unknown) => { setBusy(false); setError(errorText(err)) }
    )
  }
  const min = localInputValue(Date.now())
  return (
    <form class="card" noValidate onSubmit={submit} aria-labelledby="sf-title">
      <h3 id="sf-title">Schedule a maintenance window</h3>
      <p class="muted">No notifications in scope while it lasts; alerts still show here.</p>
      <ScopeFields idPrefix="sf" value={d} hosts={props.hosts} onChange={set} />
      <label for="sf-rule">Rules</label>
      <select id="sf-rule" value={d.ruleId} onChange={(e) => set({ ruleId: e.currentTarget.value })}>
        <option value="">All rules</option>
        {props.rules.map(r => <option key={r.id} value={r.id}>{r.name}</option>)}
      </select>
      <div class="field-row">
        <div>
          <label for="sf-start">Start <span class="muted">(local time)</span></label>
          <input id="sf-start" type="datetime-local" required min={min} value={d.startsAt} onInput={(e) => set({ startsAt: e.currentTarget.value })} />
        </div>
        <div>
          <label for="sf-end">End <span class="muted">(local time)</span></label>
          <input id="sf-end" type="datetime-local" required min={d.startsAt} value={d.endsAt} onInput={(e) => set({ endsAt: e.currentTarget.value })} />
        </div>
      </div>
      <label for="sf-reason">Reason</label>
      <input id="sf-reason" required maxLength={500} value={d.reason} onInput={(e) => set({ reason: e.currentTarget.value })} />
      <ErrorMessage text={error} />
      <div class="actions">
        <button type="submit" class="btn btn-primary" disabled={busy}>Schedule</button>
      </div>
    </form>
  )
}
