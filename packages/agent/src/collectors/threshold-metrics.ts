import type { Metric } from '@outpost/protocol'
import { filesystemMetrics, parseMounts } from './filesystems.ts'
import { DEFAULT_PROC_ROOT, readOptional, readRequired } from './proc-files.ts'
import { memoryMetrics, parseMeminfo } from './system-metrics.ts'

/**
 * Fast sample of just the metrics thresholds need: memory, swap and file system usage (the
 * same names as in the status sample). Reads two proc files and statfs's each mount; no rates,
 * no processes, so it is cheap enough to run every few seconds.
 */
export async function sampleThresholdMetrics (options: { procRoot?: string } = {}): Promise<Metric[]> {
  const procRoot = options.procRoot ?? DEFAULT_PROC_ROOT
  const metrics = memoryMetrics(parseMeminfo(readRequired(`${procRoot}/meminfo`)))
  metrics.push(...await filesystemMetrics(parseMounts(readOptional(`${procRoot}/mounts`) ?? '')))
  return metrics
}
