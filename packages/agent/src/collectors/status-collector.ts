import type { Metric, StatusSnapshot } from '@outpost/protocol'
import { counterRates, type CounterPair } from './counter-rates.ts'
import { cpuMetrics, parseProcStat, type CpuTimes } from './cpu-metrics.ts'
import { parseDiskstats } from './disk-io.ts'
import { filesystemMetrics, parseMounts } from './filesystems.ts'
import { readListeningSockets } from './listening-ports.ts'
import { parseNetDev } from './net-io.ts'
import { DEFAULT_PROC_ROOT, readOptional, readRequired } from './proc-files.ts'
import { topProcesses, type ProcessReading } from './processes.ts'
import { SocketOwners } from './socket-owners.ts'
import { loadMetrics, memoryMetrics, parseMeminfo, uptimeMetrics } from './system-metrics.ts'
import { UserNames } from './user-names.ts'

/** Samples status metrics and the status snapshot; see docs/metrics.md for every name. */
export interface StatusCollector {
  /** Samples status; rates (bytes/s, CPU %) are computed against the previous call. */
  sample (): Promise<{ metrics: Metric[], snapshot: StatusSnapshot }>
}

interface Previous {
  readonly atS: number
  readonly cpu: CpuTimes | null
  readonly disks: Map<string, CounterPair>
  readonly nics: Map<string, CounterPair>
  readonly processes: ProcessReading
}

/**
 * Creates a status collector. It reads /proc only (no child process is ever spawned) and keeps
 * the previous counters to turn them into rates; the first sample has no rate metrics.
 */
export function createStatusCollector (options: { procRoot?: string } = {}): StatusCollector {
  const procRoot = options.procRoot ?? DEFAULT_PROC_ROOT
  const users = new UserNames()
  const owners = new SocketOwners(procRoot)
  let prev: Previous | null = null
  let running: Promise<{ metrics: Metric[], snapshot: StatusSnapshot }> | null = null

  async function sampleOnce (): Promise<{ metrics: Metric[], snapshot: StatusSnapshot }> {
    const atS = performance.now() / 1000
    const elapsedS = prev === null ? 0 : atS - prev.atS
    const metrics: Metric[] = []
    const uptimeText = readRequired(`${procRoot}/uptime`)
    metrics.push(...uptimeMetrics(uptimeText))
    metrics.push(...loadMetrics(readRequired(`${procRoot}/loadavg`)))
    const { cpu } = parseProcStat(readRequired(`${procRoot}/stat`))
    if (cpu !== null && prev !== null && prev.cpu !== null) metrics.push(...cpuMetrics(prev.cpu, cpu))
    metrics.push(...memoryMetrics(parseMeminfo(readRequired(`${procRoot}/meminfo`))))
    const disks = parseDiskstats(readOptional(`${procRoot}/diskstats`) ?? '')
    const nics = parseNetDev(readOptional(`${procRoot}/net/dev`) ?? '')
    if (prev !== null) {
      metrics.push(...counterRates(prev.disks, disks, elapsedS, ['disk.read_bps', 'disk.write_bps']))
      metrics.push(...counterRates(prev.nics, nics, elapsedS, ['net.rx_bps', 'net.tx_bps']))
    }
    const uptimeS = Number(uptimeText.trim().split(/\s+/)[0])
    users.refresh()
    const { top, reading } = topProcesses(procRoot, prev?.processes ?? null, elapsedS, uptimeS, users)
    const sockets = readListeningSockets(procRoot)
    const names = owners.resolve(sockets.map((s) => s.inode))
    const listeningPorts = sockets.map((s) => ({ protocol: s.protocol, address: s.address, port: s.port, process: names.get(s.inode) ?? '' }))
    prev = { atS, cpu, disks, nics, processes: reading }
    // statfs last: it is the only step that waits, and the rates above are already computed.
    metrics.push(...await filesystemMetrics(parseMounts(readOptional(`${procRoot}/mounts`) ?? '')))
    return { metrics, snapshot: { processes: top, listeningPorts } }
  }

  return {
    sample () {
      // Overlapping calls share one sample: two readings microseconds apart give no useful rate.
      running ??= sampleOnce().finally(() => { running = null })
      return running
    }
  }
}
