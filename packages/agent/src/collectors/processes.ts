import type { StatusSnapshot } from '@outpost/protocol'
import { clip, round2 } from './metric-name.ts'
import { listPids, readOptional } from './proc-files.ts'
import type { UserNames } from './user-names.ts'

/** At most this many processes are reported (the `StatusSnapshot` limit). */
export const MAX_PROCESSES = 50
/** USER_HZ: the unit of /proc CPU times; 100 on every Linux architecture Node runs on. */
export const CLOCK_TICKS_PER_S = 100

/** One process as reported in the snapshot. */
export type ProcessInfo = StatusSnapshot['processes'][number]

/** Fields of /proc/<pid>/stat the collector needs. */
export interface ProcStat { readonly comm: string, readonly state: string, readonly ppid: number, readonly cpuTicks: number, readonly startTicks: number, readonly rssPages: number }

/** Parses /proc/<pid>/stat; the command name is in parentheses and may itself contain them. */
export function parsePidStat (text: string): ProcStat | null {
  const open = text.indexOf('(')
  const close = text.lastIndexOf(')')
  if (open < 0 || close < open) return null
  const f = text.slice(close + 2).split(' ')
  // After the name, field 3 of proc(5) is index 0: utime is 14 → 11, stime 15 → 12, starttime 22 → 19, rss 24 → 21.
  const utime = Number(f[11])
  const stime = Number(f[12])
  const start = Number(f[19])
  const rss = Number(f[21])
  const ppid = Number(f[1])
  if (![utime, stime, start, rss, ppid].every(Number.isFinite)) return null
  return { comm: text.slice(open + 1, close), state: f[0] ?? '', ppid, cpuTicks: utime + stime, startTicks: start, rssPages: rss }
}

/** The real uid and resident memory (bytes) from /proc/<pid>/status. */
export function parsePidStatus (text: string): { uid: number, rssBytes: number } {
  const uid = Number(/^Uid:\s+(\d+)/m.exec(text)?.[1] ?? NaN)
  const rssKb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(text)?.[1] ?? 0)
  return { uid: Number.isInteger(uid) ? uid : -1, rssBytes: rssKb * 1024 }
}

/** A reading of every process, kept to compute CPU % at the next sample. */
export type ProcessReading = Map<number, { cpuTicks: number, startTicks: number }>

/**
 * The top processes by CPU (% of one core, so a busy multi-threaded process can exceed 100).
 * Processes seen at the previous reading get the rate since then; others (and all of them at
 * the first reading) get their lifetime average, as `ps` shows. Only /proc/<pid>/stat is read
 * for every process; status and cmdline only for the ones reported.
 */
export function topProcesses (
  procRoot: string, prev: ProcessReading | null, elapsedS: number, uptimeS: number, users: UserNames
): { top: ProcessInfo[], reading: ProcessReading } {
  const reading: ProcessReading = new Map()
  const rows: { pid: number, comm: string, cpuPct: number, rssPages: number }[] = []
  for (const pid of listPids(procRoot)) {
    const text = readOptional(`${procRoot}/${pid}/stat`)
    const st = text === null ? null : parsePidStat(text)
    if (st === null) continue
    reading.set(pid, { cpuTicks: st.cpuTicks, startTicks: st.startTicks })
    const before = prev?.get(pid)
    let cpuPct: number
    if (before !== undefined && before.startTicks === st.startTicks && elapsedS > 0) {
      cpuPct = ((st.cpuTicks - before.cpuTicks) / CLOCK_TICKS_PER_S / elapsedS) * 100
    } else {
      const lifeS = uptimeS - st.startTicks / CLOCK_TICKS_PER_S
      cpuPct = lifeS > 0 ? (st.cpuTicks / CLOCK_TICKS_PER_S / lifeS) * 100 : 0
    }
    rows.push({ pid, comm: st.comm, cpuPct: Math.max(0, cpuPct), rssPages: st.rssPages })
  }
  rows.sort((a, b) => b.cpuPct - a.cpuPct || b.rssPages - a.rssPages || a.pid - b.pid)
  const top: ProcessInfo[] = []
  for (const r of rows) {
    if (top.length >= MAX_PROCESSES) break
    const status = readOptional(`${procRoot}/${r.pid}/status`)
    if (status === null) continue
    const { uid, rssBytes } = parsePidStatus(status)
    const cmdline = (readOptional(`${procRoot}/${r.pid}/cmdline`) ?? '').replace(/\0+$/, '').replaceAll('\0', ' ')
    top.push({
      pid: r.pid,
      name: clip(r.comm, 256),
      user: clip(uid >= 0 ? users.name(uid) : '', 128),
      cpuPct: round2(r.cpuPct),
      memBytes: rssBytes,
      command: clip(cmdline === '' ? `[${r.comm}]` : cmdline, 1024)
    })
  }
  return { top, reading }
}
