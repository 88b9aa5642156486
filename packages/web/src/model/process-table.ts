import type { ProcessListEntry } from '@outpost/protocol'

/** Columns the process table sorts by. */
export type ProcessSort = 'cpu' | 'mem' | 'pid' | 'name'

/** The processes matching `filter` (name, command, user or pid), sorted; biggest first for cpu and mem. */
export function visibleProcesses (all: readonly ProcessListEntry[], filter: string, sort: ProcessSort): ProcessListEntry[] {
  const f = filter.trim().toLowerCase()
  const shown = f === '' ? [...all] : all.filter(p => String(p.pid) === f || p.name.toLowerCase().includes(f) || p.command.toLowerCase().includes(f) || p.user.toLowerCase().includes(f))
  const by: Record<ProcessSort, (a: ProcessListEntry, b: ProcessListEntry) => number> = {
    cpu: (a, b) => (b.cpuPct ?? 0) - (a.cpuPct ?? 0) || a.pid - b.pid,
    mem: (a, b) => b.memBytes - a.memBytes || a.pid - b.pid,
    pid: (a, b) => a.pid - b.pid,
    name: (a, b) => a.name.localeCompare(b.name) || a.pid - b.pid
  }
  return shown.sort(by[sort])
}
