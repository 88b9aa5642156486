// Reads a process's memory and CPU use from /proc (Linux), for the footprint benchmark.
import { readFileSync } from 'node:fs'

/** Kernel clock ticks a second (USER_HZ): 100 on every Linux port Node runs on. */
const CLOCK_TICKS = 100

/** Resident set size of `pid` in bytes (`VmRSS`), or NaN once the process is gone. */
export function rssBytes (pid: number): number {
  return statusField(pid, 'VmRSS')
}

/** Peak resident set size of `pid` in bytes (`VmHWM`), or NaN once the process is gone. */
export function peakRssBytes (pid: number): number {
  return statusField(pid, 'VmHWM')
}

/** CPU seconds (user + system) `pid` has used so far. */
export function cpuSeconds (pid: number): number {
  // Field 2 (comm) may hold spaces; everything after its closing parenthesis is space-separated.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS
}

function statusField (pid: number, name: string): number {
  let text: string
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8')
  } catch {
    return Number.NaN // the process ended: the caller sees NaN and stops sampling
  }
  const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)
  return m === null ? Number.NaN : Number(m[1]) * 1024
}
