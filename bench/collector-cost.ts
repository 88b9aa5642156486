/**
 * What one status sample costs: samples status N times (default 20) back to back and prints the
 * mean CPU time and wall time per sample and the process RSS, so that the agent's budget
 * (<= 60 MB resident, <= 1 % of one core at a 30 s interval) can be checked on a real host.
 *
 *   node bench/collector-cost.ts [samples]
 */

// A relative import on purpose: the collectors are internal to @outpost/agent (not in its
// "exports"), and this script is repository tooling, not a package. Imported dynamically so that
// the RSS before loading them can be shown: most of a Node process's RSS is Node itself.
const rssBefore = process.memoryUsage().rss
const { createInventoryCollector, createStatusCollector, sampleThresholdMetrics } = await import('../packages/agent/src/collectors/index.ts')
const rssLoaded = process.memoryUsage().rss
const n = Math.max(1, Math.min(10_000, Number(process.argv[2] ?? 20) || 20))
const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1) + ' MB'

async function measure (label: string, fn: () => Promise<unknown>): Promise<number> {
  await fn() // warm-up: first call loads modules and fills caches (user names, socket owners)
  const cpu0 = process.cpuUsage()
  const wall0 = performance.now()
  for (let i = 0; i < n; i++) await fn()
  const cpu = process.cpuUsage(cpu0)
  const cpuMs = (cpu.user + cpu.system) / 1000 / n
  const wallMs = (performance.now() - wall0) / n
  process.stdout.write(`${label}: ${n} samples, mean CPU ${cpuMs.toFixed(2)} ms (user ${(cpu.user / 1000 / n).toFixed(2)}, system ${(cpu.system / 1000 / n).toFixed(2)}), mean wall ${wallMs.toFixed(2)} ms\n`)
  return cpuMs
}

const collector = createStatusCollector()
let last: Awaited<ReturnType<typeof collector.sample>> | null = null
const statusCpuMs = await measure('status sample', async () => { last = await collector.sample() })
const thresholdCpuMs = await measure('threshold sample', () => sampleThresholdMetrics())
const rss = process.memoryUsage().rss
const processes = (last as Awaited<ReturnType<typeof collector.sample>> | null)?.snapshot.processes.length ?? 0
process.stdout.write(`last sample: ${(last as { metrics: unknown[] } | null)?.metrics.length ?? 0} metrics, ${processes} processes\n`)
process.stdout.write(`RSS: ${mb(rssBefore)} before loading the collectors, ${mb(rssLoaded)} loaded, ${mb(rss)} after sampling (heap used ${mb(process.memoryUsage().heapUsed)} of ${mb(process.memoryUsage().heapTotal)}, external ${mb(process.memoryUsage().external)})\n`)
// Share of one core: a status sample every 30 s plus a threshold sample every 5 s.
const pct = ((statusCpuMs / 30_000) + (thresholdCpuMs / 5_000)) * 100
process.stdout.write(`budget at 30 s status + 5 s thresholds: ${pct.toFixed(3)} % of one core\n`)

// The inventory is rare (start-up and on change) and may spawn; measured once for the record.
const invCpu0 = process.cpuUsage()
const invWall0 = performance.now()
const inv = await createInventoryCollector().collect()
const invCpu = process.cpuUsage(invCpu0)
process.stdout.write(`inventory: ${inv.packages.items.length} packages, CPU ${((invCpu.user + invCpu.system) / 1000).toFixed(1)} ms in this process (children not counted), wall ${(performance.now() - invWall0).toFixed(1)} ms, RSS after ${mb(process.memoryUsage().rss)}\n`)
