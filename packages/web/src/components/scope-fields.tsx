import type { AlertScope, HostSummary } from '@outpost/protocol'

/** The scope chosen in a form: its type, and the group or host id it names. */
export interface ScopeDraft {
  readonly scopeType: AlertScope['type']
  readonly scopeValue: string
}

/**
 * Scope inputs shared by the rule and maintenance forms: all hosts, one group or one host, with
 * the known groups and hosts offered as suggestions.
 */
export function ScopeFields (props: { idPrefix: string, value: ScopeDraft, hosts: readonly HostSummary[], onChange: (s: ScopeDraft) => void }) {
  const { idPrefix: p, value: v } = props
  const groups = [...new Set(props.hosts.map(h => h.group).filter(g => g !== ''))].sort()
  return (
    <>
      <label for={`${p}-scope`}>Scope</label>
      <select id={`${p}-scope`} value={v.scopeType} onChange={(e) => props.onChange({ scopeType: e.currentTarget.value as AlertScope['type'], scopeValue: '' })}>
        <option value="all">All hosts</option>
        <option value="group">One group</option>
        <option value="host">One host</option>
      </select>
      {v.scopeType === 'all' ? null : (
        <>
          <label for={`${p}-scope-value`}>{v.scopeType === 'group' ? 'Group' : 'Host id'}</label>
          <input id={`${p}-scope-value`} required list={`${p}-scope-list`} autocomplete="off" value={v.scopeValue}
            onInput={(e) => props.onChange({ ...v, scopeValue: e.currentTarget.value })} />
          <datalist id={`${p}-scope-list`}>
            {v.scopeType === 'group'
              ? groups.map(g => <option key={g} value={g} />)
              : props.hosts.map(h => <option key={h.id} value={h.id}>{h.name}</option>)}
          </datalist>
        </>
      )}
    </>
  )
}
