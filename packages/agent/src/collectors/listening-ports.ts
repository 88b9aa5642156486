import type { StatusSnapshot } from '@outpost/protocol'
import { readOptional } from './proc-files.ts'

/** The `StatusSnapshot` limit on listening sockets. */
export const MAX_LISTENING = 4096

/** One listening socket as reported in the snapshot. */
export type ListeningPort = StatusSnapshot['listeningPorts'][number]

/** A listening socket with the inode that ties it to its owner. */
export interface ListeningSocket { readonly protocol: 'tcp' | 'tcp6' | 'udp' | 'udp6', readonly address: string, readonly port: number, readonly inode: number }

const TCP_LISTEN = '0A'
/** A bound UDP socket with no peer: what `ss -lu` shows as listening. */
const UDP_UNCONNECTED = '07'

/** Decodes the kernel's hex IPv4 address (one 32-bit word in host byte order, little-endian here). */
export function decodeIpv4 (hex: string): string {
  const n = Number.parseInt(hex, 16)
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff].join('.')
}

/** Decodes the kernel's hex IPv6 address (four 32-bit words, each little-endian) to RFC 5952 text. */
export function decodeIpv6 (hex: string): string {
  const bytes: number[] = []
  for (let w = 0; w < 4; w++) {
    const word = hex.slice(w * 8, w * 8 + 8)
    for (let b = 3; b >= 0; b--) bytes.push(Number.parseInt(word.slice(b * 2, b * 2 + 2), 16))
  }
  const groups: number[] = []
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0))
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return '::ffff:' + bytes.slice(12).join('.')
  // Longest run of two or more zero groups becomes "::" (the first one on a tie).
  let bestStart = -1
  let bestLen = 1
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLen) { bestStart = i; bestLen = j - i }
    i = j
  }
  const hexes = groups.map((g) => g.toString(16))
  if (bestStart < 0) return hexes.join(':')
  return hexes.slice(0, bestStart).join(':') + '::' + hexes.slice(bestStart + bestLen).join(':')
}

/** Parses one of /proc/net/{tcp,tcp6,udp,udp6}, keeping listening sockets only. */
export function parseNetSockets (text: string, protocol: ListeningSocket['protocol']): ListeningSocket[] {
  const out: ListeningSocket[] = []
  const wanted = protocol.startsWith('tcp') ? TCP_LISTEN : UDP_UNCONNECTED
  const v6 = protocol.endsWith('6')
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/)
    if (f.length < 10 || f[3] !== wanted) continue
    const [localHex, portHex] = (f[1] as string).split(':')
    const remotePort = (f[2] as string).split(':')[1]
    if (localHex === undefined || portHex === undefined) continue
    if (!protocol.startsWith('tcp') && remotePort !== '0000') continue
    const inode = Number(f[9])
    out.push({ protocol, address: v6 ? decodeIpv6(localHex) : decodeIpv4(localHex), port: Number.parseInt(portHex, 16), inode })
  }
  return out
}

/** Every listening socket of the host's network namespace, TCP and UDP, v4 and v6. */
export function readListeningSockets (procRoot: string): ListeningSocket[] {
  const out: ListeningSocket[] = []
  for (const protocol of ['tcp', 'tcp6', 'udp', 'udp6'] as const) {
    // A kernel without IPv6 has no tcp6/udp6 file: nothing listens there.
    const text = readOptional(`${procRoot}/net/${protocol}`)
    if (text !== null) out.push(...parseNetSockets(text, protocol))
  }
  out.sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol) || a.address.localeCompare(b.address))
  return out.slice(0, MAX_LISTENING)
}
