import type { AlertRuleInput } from '@outpost/protocol'
import type { Store } from '../store/store.ts'

/** Set once the default rules were created, so that a rule an admin deleted stays deleted. */
export const DEFAULT_RULES_SETTING = 'alerts.defaultRules'

/** The rules every hub starts with (fixed ids: replicas starting together insert each once). */
export function defaultRules (adminEmail: string | null): ReadonlyArray<AlertRuleInput & { id: string }> {
  const notify = { emails: adminEmail === null ? [] : [adminEmail], webhooks: [] }
  const base = { enabled: true, scope: { type: 'all' as const }, notify, repeatIntervalMs: 4 * 3600_000 }
  return [
    { ...base, id: 'default-host-offline', name: 'Host offline', severity: 'critical', condition: { type: 'host-offline', missedIntervals: 3 } },
    { ...base, id: 'default-relay-unreachable', name: 'Hosts unreachable behind a relay', severity: 'critical', condition: { type: 'relay-unreachable', missedIntervals: 3 } },
    { ...base, id: 'default-filesystem-full', name: 'Filesystem at least 90 % full', severity: 'critical', condition: { type: 'metric-threshold', metric: 'fs.used_pct[*]', op: '>=', value: 90, forMs: 0 } },
    { ...base, id: 'default-memory-full', name: 'Memory at least 95 % used', severity: 'critical', condition: { type: 'metric-threshold', metric: 'mem.used_pct', op: '>=', value: 95, forMs: 0 } },
    { ...base, id: 'default-load-high', name: 'Load above twice the cores for 5 minutes', severity: 'warning', condition: { type: 'metric-threshold', metric: 'load.5m', op: '>', value: 2, perCore: true, forMs: 5 * 60_000 } }
  ]
}

/**
 * Creates the default rules on the first start of a hub (of a cluster of replicas sharing one
 * store). Rules go in first, by fixed id and only if absent, then the flag: a crash in between
 * just repeats the harmless inserts on the next start. Returns how many rules were created.
 */
export async function ensureDefaultRules (store: Store, adminEmail: string | null, now: number): Promise<number> {
  if (await store.getSetting(DEFAULT_RULES_SETTING) !== undefined) return 0
  let created = 0
  for (const r of defaultRules(adminEmail)) {
    if (await store.alerts.createRule({ ...r, createdAt: now, updatedAt: now }, true)) created++
  }
  await store.putSettingIfAbsent(DEFAULT_RULES_SETTING, new Date(now).toISOString())
  return created
}
