import type { CounterPair } from './counter-rates.ts'

/** At most this many interfaces are reported, so a host with thousands of veths stays cheap. */
export const MAX_INTERFACES = 256

/** Bytes received and sent per interface from /proc/net/dev, loopback left out. */
export function parseNetDev (text: string): Map<string, CounterPair> {
  const out = new Map<string, CounterPair>()
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':')
    if (colon < 0) continue
    const name = line.slice(0, colon).trim()
    if (name === '' || name === 'lo' || name.includes('|')) continue
    const f = line.slice(colon + 1).trim().split(/\s+/)
    const rx = Number(f[0])
    const tx = Number(f[8])
    if (!Number.isFinite(rx) || !Number.isFinite(tx)) continue
    out.set(name, [rx, tx])
    if (out.size >= MAX_INTERFACES) break
  }
  return out
}
