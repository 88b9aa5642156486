import type { RuleDraft } from '../model/rule-draft.ts'
import { conditionText } from '../model/rule-text.ts'

const OPS = [['>=', '≥ at least'], ['>', '> above'], ['<=', '≤ at most'], ['<', '< below']] as const

/**
 * The condition part of the rule form: a metric threshold, a host that stopped reporting, or
 * hosts cut off behind a silent relay (one alert on the relay in place of one per host).
 * Conditions the form does not edit (agent events, failed instructions) are shown read-only.
 */
export function ConditionFields (props: { draft: RuleDraft, onChange: (patch: Partial<RuleDraft>) => void }) {
  const d = props.draft
  const set = props.onChange
  const keptShown = d.kept !== null && d.condType === d.kept.type
  return (
    <fieldset class="fieldset">
      <legend>Condition</legend>
      <label for="rf-cond">Fires when</label>
      <select id="rf-cond" value={d.condType} onChange={(e) => set({ condType: e.currentTarget.value as RuleDraft['condType'] })}>
        <option value="metric-threshold">A metric crosses a threshold</option>
        <option value="host-offline">A host stops reporting</option>
        <option value="relay-unreachable">Hosts behind a relay become unreachable</option>
        {d.kept === null ? null : <option value={d.kept.type}>{d.kept.type} (as it is)</option>}
      </select>
      {keptShown && d.kept !== null ? <p class="muted">{conditionText(d.kept)} (edited through the API only)</p> : null}
      {d.condType === 'host-offline' || d.condType === 'relay-unreachable' ? (
        <>
          <label for="rf-missed">Missed intervals</label>
          <input id="rf-missed" type="number" inputMode="numeric" min={1} max={1000} step={1} required value={d.missedIntervals}
            onInput={(e) => set({ missedIntervals: e.currentTarget.value })} />
        </>
      ) : null}
      {d.condType === 'metric-threshold' ? (
        <>
          <label for="rf-metric">Metric <span class="muted">(e.g. fs.used_pct[*], mem.used_pct, load.5m)</span></label>
          <input id="rf-metric" required autocomplete="off" spellcheck={false} value={d.metric} onInput={(e) => set({ metric: e.currentTarget.value })} />
          <div class="field-row">
            <div>
              <label for="rf-op">Operator</label>
              <select id="rf-op" value={d.op} onChange={(e) => set({ op: e.currentTarget.value as RuleDraft['op'] })}>
                {OPS.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
              </select>
            </div>
            <div>
              <label for="rf-value">Threshold</label>
              <input id="rf-value" type="number" inputMode="decimal" step="any" required value={d.value} onInput={(e) => set({ value: e.currentTarget.value })} />
            </div>
          </div>
          <label for="rf-for">For (seconds) <span class="muted">(0: at once)</span></label>
          <input id="rf-for" type="number" inputMode="numeric" min={0} step={1} required value={d.forSeconds} onInput={(e) => set({ forSeconds: e.currentTarget.value })} />
          <label class="check" for="rf-percore">
            <input id="rf-percore" type="checkbox" checked={d.perCore} onChange={(e) => set({ perCore: e.currentTarget.checked })} />
            Per CPU core (threshold × the host's cores)
          </label>
        </>
      ) : null}
    </fieldset>
  )
}
