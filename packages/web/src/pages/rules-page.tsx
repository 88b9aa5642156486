import { hosts } from '../api/endpoints.ts'
import { rules } from '../api/rule-endpoints.ts'
import { useApp } from '../app/app-context.ts'
import { MaintenanceSection } from '../components/maintenance-section.tsx'
import { RuleSection } from '../components/rule-section.tsx'
import { useAsync } from '../components/use-async.ts'

/** Alert rules (changed by admins) and maintenance windows (scheduled by operators and admins). */
export function RulesPage () {
  const { api } = useApp()
  const ruleList = useAsync(() => rules.list(api), [api])
  // Hosts only name scopes and suggest values; the page works without them.
  const hostList = useAsync(() => hosts.list(api), [api])
  const known = hostList.data ?? []
  return (
    <>
      <div class="page-head"><h1>Rules</h1></div>
      <RuleSection list={ruleList} hosts={known} />
      <MaintenanceSection rules={ruleList.data ?? []} hosts={known} />
    </>
  )
}
