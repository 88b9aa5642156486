import type { Inventory, Metric, StatusSnapshot } from '@outpost/protocol'
import { createInventoryCollector, createStatusCollector, sampleThresholdMetrics } from '../collectors/index.ts'

/** The collectors the scheduler uses; injectable so a test or a relay can supply its own. */
export interface AgentCollectors {
  collectInventory (): Promise<Inventory>
  sampleStatus (): Promise<{ metrics: Metric[], snapshot: StatusSnapshot }>
  sampleThresholdMetrics (): Promise<Metric[]>
}

/** The real collectors of this host. */
export function createHostCollectors (): AgentCollectors {
  const inventory = createInventoryCollector()
  const status = createStatusCollector()
  return {
    collectInventory: () => inventory.collect(),
    sampleStatus: () => status.sample(),
    sampleThresholdMetrics: () => sampleThresholdMetrics()
  }
}
