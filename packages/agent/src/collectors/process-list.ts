import type { ProcessListEntry } from '@outpost/protocol'
import { clip, round2 } from './metric-name.ts'
import { listPids, readOptional } from './proc-files.ts'
import { CLOCK_TICKS_PER_S, parsePidStat, parsePidStatus } from './processes.ts'
import type { UserNames } from './user-names.ts'

/**
 * Every process under `procRoot`, ordered by pid, for a `process-list` instruction. Same /proc
 * reading as the status snapshot's top list, but complete and with ppid and state; `cpuPct` is
 * the lifetime average (there is no previous reading to take a rate from), left out when the
 * uptime is unreadable. A process that ends while it is read is skipped.
 */
export function listProcesses (procRoot: string, users: UserNames): ProcessListEntry[] {
  users.refresh()
  const uptimeS = Number((readOptional(`${procRoot}/uptime`) ?? '').trim().split(/\s+/)[0])
  const out: ProcessListEntry[] = []
  for (const pid of listPids(procRoot).sort((a, b) => a - b)) {
    const statText = readOptional(`${procRoot}/${pid}/stat`)
    const st = statText === null ? null : parsePidStat(statText)
    const status = st === null ? null : readOptional(`${procRoot}/${pid}/status`)
    if (st === null || status === null) continue
    const { uid, rssBytes } = parsePidStatus(status)
    const cmdline = (readOptional(`${procRoot}/${pid}/cmdline`) ?? '').replace(/\0+$/, '').replaceAll('\0', ' ')
    const lifeS = uptimeS - st.startTicks / CLOCK_TICKS_PER_S
    const cpuPct = Number.isFinite(lifeS) && lifeS > 0 ? round2(Math.max(0, (st.cpuTicks / CLOCK_TICKS_PER_S / lifeS) * 100)) : undefined
    out.push({
      pid,
      ppid: st.ppid,
      user: clip(uid >= 0 ? users.name(uid) : '', 128),
      name: clip(st.comm, 256),
      state: clip(st.state, 8),
      ...(cpuPct === undefined ? {} : { cpuPct }),
      memBytes: rssBytes,
      command: clip(cmdline === '' ? `[${st.comm}]` : cmdline, 1024)
    })
  }
  return out
}
