/**
 * What a managed server reports: the inventory, the status sampled every interval, and threshold
 * events between intervals. Every metric name and unit is listed in docs/metrics.md.
 */
export { createInventoryCollector, type InventoryCollector } from './inventory-collector.ts'
export { createStatusCollector, type StatusCollector } from './status-collector.ts'
export { inventoryDigest } from './inventory-digest.ts'
export { ThresholdWatcher } from './threshold-watcher.ts'
export { sampleThresholdMetrics } from './threshold-metrics.ts'
export { encodeInstance, metricName } from './metric-name.ts'
