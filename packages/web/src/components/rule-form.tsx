import { useState } from 'preact/hooks'
import type { AlertRuleInput, HostSummary, Severity } from '@outpost/protocol'
import { errorText } from '../api/api-error.ts'
import { ruleInputOf, type RuleDraft } from '../model/rule-draft.ts'
import { ConditionFields } from './condition-fields.tsx'
import { ErrorMessage } from './message.tsx'
import { ScopeFields } from './scope-fields.tsx'

const SEVERITIES: readonly Severity[] = ['info', 'warning', 'critical']

/**
 * Creates or edits one rule. The input is checked against the protocol schema before it is sent
 * (the form has `novalidate` so that one check, with messages naming the field, applies), and the
 * hub's own refusal is shown as it says it.
 */
export function RuleForm (props: { title: string, initial: RuleDraft, hosts: readonly HostSummary[], submitLabel: string, onSubmit: (input: AlertRuleInput) => Promise<unknown>, onCancel: () => void }) {
  const [d, setD] = useState(props.initial)
  const [error, setError] = useState<string | undefined>(undefined)
  const [busy, setBusy] = useState(false)
  const set = (patch: Partial<RuleDraft>): void => setD(old => ({ ...old, ...patch }))
  const submit = (e: Event): void => {
    e.preventDefault()
    const checked = ruleInputOf(d)
    if (!checked.ok) { setError(checked.error); return }
    setError(undefined); setBusy(true)
    props.onSubmit(checked.input).then(() => setBusy(false), (err: unknown) => { setBusy(false); setError(errorText(err)) })
  }
  return (
    <form class="rule-form" noValidate onSubmit={submit} aria-labelledby="rf-title">
      <h3 id="rf-title">{props.title}</h3>
      <label for="rf-name">Name</label>
      <input id="rf-name" required maxLength={200} value={d.name} onInput={(e) => set({ name: e.currentTarget.value })} />
      <label class="check" for="rf-enabled">
        <input id="rf-enabled" type="checkbox" checked={d.enabled} onChange={(e) => set({ enabled: e.currentTarget.checked })} />
        Enabled
      </label>
      <label for="rf-severity">Severity</label>
      <select id="rf-severity" value={d.severity} onChange={(e) => set({ severity: e.currentTarget.value as Severity })}>
        {SEVERITIES.map(s => <option key={s} value={s}>{s}</option>)}
      </select>
      <ScopeFields idPrefix="rf" value={d} hosts={props.hosts} onChange={set} />
      <ConditionFields draft={d} onChange={set} />
      <label for="rf-emails">Notify e-mails <span class="muted">(comma-separated)</span></label>
      <input id="rf-emails" type="text" inputMode="email" autocomplete="off" value={d.emails} onInput={(e) => set({ emails: e.currentTarget.value })} />
      <label for="rf-webhooks">Notify webhooks <span class="muted">(comma-separated https:// addresses)</span></label>
      <input id="rf-webhooks" type="text" inputMode="url" autocomplete="off" value={d.webhooks} onInput={(e) => set({ webhooks: e.currentTarget.value })} />
      <label for="rf-repeat">Repeat every (minutes) <span class="muted">(0: never)</span></label>
      <input id="rf-repeat" type="number" inputMode="numeric" min={0} step={1} required value={d.repeatMinutes} onInput={(e) => set({ repeatMinutes: e.currentTarget.value })} />
      <ErrorMessage text={error} />
      <div class="actions">
        <button type="submit" class="btn btn-primary" disabled={busy}>{props.submitLabel}</button>
        <button type="button" class="btn" onClick={props.onCancel}>Cancel</button>
      </div>
    </form>
  )
}
