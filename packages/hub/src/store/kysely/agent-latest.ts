import type { Inventory } from '@outpost/protocol'
import type { IngestReport } from '../store.ts'

/**
 * What a batch changes on one agent's row: the newest of each item among the batch's fresh
 * reports. Each backend applies it with one conditional UPDATE that keeps whatever the row
 * already holds when it is newer (a replayed old report never overwrites a newer snapshot).
 */
export interface AgentLatest {
  readonly id: string
  /** Largest hub receive time. */
  readonly lastSeen: number
  /** Metric values merged oldest report first, so the newest value of each name wins. */
  readonly metrics: Record<string, number> | null
  readonly metricsAt: number | null
  readonly inventory: string | null
  readonly inventoryAt: number | null
  /** `osLabel` of `inventory`, stored beside it (null with it). */
  readonly os: string | null
  readonly snapshot: string | null
  readonly snapshotAt: number | null
}

/** Folds fresh (not yet stored) reports into one update per agent, sorted by agent id. */
export function latestPerAgent (fresh: readonly IngestReport[]): AgentLatest[] {
  const byAgent = new Map<string, IngestReport[]>()
  for (const r of fresh) {
    const list = byAgent.get(r.agentId)
    if (list === undefined) byAgent.set(r.agentId, [r])
    else list.push(r)
  }
  const out: AgentLatest[] = []
  for (const [id, list] of byAgent) {
    list.sort((a, b) => a.time - b.time || a.seq - b.seq)
    let lastSeen = -Infinity
    let metrics: Record<string, number> | null = null
    let metricsAt: number | null = null
    let inventory: IngestReport | undefined
    let snapshot: IngestReport | undefined
    for (const r of list) {
      lastSeen = Math.max(lastSeen, r.receivedAt)
      if (r.metrics.length > 0) {
        metrics ??= {}
        for (const m of r.metrics) metrics[m.name] = m.value
        metricsAt = r.time
      }
      if (r.inventory !== undefined) inventory = r
      if (r.status !== undefined) snapshot = r
    }
    out.push({
      id,
      lastSeen,
      metrics,
      metricsAt,
      inventory: inventory === undefined ? null : JSON.stringify(inventory.inventory),
      inventoryAt: inventory?.time ?? null,
      os: inventory?.inventory === undefined ? null : osLabel(inventory.inventory),
      snapshot: snapshot === undefined ? null : JSON.stringify(snapshot.status),
      snapshotAt: snapshot?.time ?? null
    })
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}

/**
 * The OS a host list shows for an inventory. Migration 0005 computes the same in SQL for rows
 * stored before the `os` column existed.
 */
export function osLabel (inventory: Inventory): string {
  return `${inventory.os.distribution} ${inventory.os.release}`.trim()
}

/** The key of a report in the receipts table. */
export function receiptKey (agentId: string, seq: number): string {
  return `${agentId}\u0000${seq}`
}
