import type { AlertRule, Silence } from '@outpost/protocol'
import { when } from '../model/format.ts'
import { scopeText, silenceState, SILENCE_STATE_TEXT } from '../model/rule-text.ts'

/** Silences and maintenance windows, with a delete button for those allowed to remove them. */
export function SilenceTable (props: { list: readonly Silence[], rules: readonly AlertRule[], hostName: (id: string) => string | undefined, onDelete?: (s: Silence) => void, now?: number }) {
  const now = props.now ?? Date.now()
  const ruleName = (id: string | null): string => (id === null ? 'all rules' : props.rules.find(r => r.id === id)?.name ?? id)
  const del = props.onDelete
  return (
    <table class="table" tabIndex={0} aria-label="Maintenance windows">
      <thead>
        <tr>
          <th scope="col">State</th><th scope="col">Scope</th><th scope="col">Rule</th><th scope="col">Start</th>
          <th scope="col">End</th><th scope="col">Reason</th>{del === undefined ? null : <th scope="col"><span class="sr-only">Actions</span></th>}
        </tr>
      </thead>
      <tbody>
        {props.list.map(s => {
          const state = silenceState(s, now)
          return (
            <tr key={s.id} data-testid={`silence-${s.id}`}>
              <td><span class={`tag tag-${state}`}>{SILENCE_STATE_TEXT[state]}</span></td>
              <td>{scopeText(s.scope, props.hostName)}</td>
              <td>{ruleName(s.ruleId)}</td>
              <td>{when(s.startsAt)}</td>
              <td>{when(s.endsAt)}</td>
              <td class="wrap">{s.reason} <span class="muted">({s.createdBy})</span></td>
              {del === undefined ? null : (
                <td><button type="button" class="btn" onClick={() => del(s)} aria-label={`Delete maintenance window: ${s.reason}`}>Delete</button></td>
              )}
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}
