import { useState } from 'preact/hooks'
import type { AlertRule } from '@outpost/protocol'
import { conditionText, notifyText, repeatText, scopeText } from '../model/rule-text.ts'
import { Icon } from './icon.tsx'

/** What an admin can do to a rule from its card. */
export interface RuleActions {
  readonly onToggle: () => void
  readonly onEdit: () => void
  readonly onDelete: () => void
}

/** One rule in words; with `actions` (admins), enable/disable, edit and delete after confirming. */
export function RuleCard (props: { rule: AlertRule, hostName: (id: string) => string | undefined, actions?: RuleActions }) {
  const r = props.rule
  const a = props.actions
  const [confirming, setConfirming] = useState(false)
  const head = `rule-${r.id}`
  return (
    <li class={`card rule-card sev-${r.severity}`} aria-labelledby={head} data-testid={`rule-${r.id}`}>
      <h3 id={head}>{r.name}</h3>
      <p>
        <span class={`badge badge-${r.severity === 'info' ? 'unknown' : r.severity}`}><Icon name={r.severity} class="badge-icon" />{r.severity}</span>
        {' '}<span class={r.enabled ? 'tag tag-on' : 'tag'}>{r.enabled ? 'enabled' : 'disabled'}</span>
      </p>
      <dl class="facts">
        <dt>Scope</dt><dd>{scopeText(r.scope, props.hostName)}</dd>
        <dt>Condition</dt><dd class="wrap" data-testid="condition">{conditionText(r.condition)}</dd>
        <dt>Notify</dt><dd class="wrap">{notifyText(r)}</dd>
        <dt>Repeat</dt><dd>{repeatText(r.repeatIntervalMs)}</dd>
      </dl>
      {a === undefined ? null : confirming ? (
        <div class="actions" role="group" aria-label={`Confirm deleting ${r.name}`}>
          <p class="confirm">Delete “{r.name}”? Its open alerts resolve without a notice.</p>
          <button type="button" class="btn btn-danger" onClick={() => { setConfirming(false); a.onDelete() }}>Yes, delete</button>
          <button type="button" class="btn" onClick={() => setConfirming(false)}>Keep it</button>
        </div>
      ) : (
        <div class="actions">
          <button type="button" class="btn" onClick={a.onToggle} aria-label={`${r.enabled ? 'Disable' : 'Enable'} ${r.name}`}>{r.enabled ? 'Disable' : 'Enable'}</button>
          <button type="button" class="btn" onClick={a.onEdit} aria-label={`Edit ${r.name}`}>Edit</button>
          <button type="button" class="btn" onClick={() => setConfirming(true)} aria-label={`Delete ${r.name}`}>Delete</button>
        </div>
      )}
    </li>
  )
}
