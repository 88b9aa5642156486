import { readdirSync, readFileSync, readlinkSync } from 'node:fs'

/** A socket a process has open, as the kernel lists it. */
export interface ProcessSocket {
  readonly family: 'tcp' | 'tcp6' | 'udp' | 'udp6' | 'unix' | 'raw' | 'raw6'
  readonly inode: string
  /** True for a listening TCP socket, a bound unconnected UDP/raw socket, or a unix socket accepting connections. */
  readonly listening: boolean
  /** Local address as the kernel prints it (hex `ADDR:PORT` for IP sockets, the path for unix). */
  readonly local: string
  /** Remote port of an IP socket (0 when unconnected). */
  readonly remotePort: number
}

const TCP_LISTEN = '0A'
const UDP_UNCONNECTED = '07'
const SO_ACCEPTCON = 0x00010000

/**
 * Every socket of process `pid`, read from /proc/PID/fd and /proc/PID/net/*. Used to prove the
 * agent listens on nothing: the kernel's own tables, not the program's word for it.
 */
export function processSockets (pid: number): ProcessSocket[] {
  const inodes = new Set<string>()
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let link: string
    try {
      link = readlinkSync(`/proc/${pid}/fd/${fd}`)
    } catch {
      continue // the descriptor closed between readdir and readlink
    }
    const m = /^socket:\[(\d+)\]$/.exec(link)
    if (m?.[1] !== undefined) inodes.add(m[1])
  }
  const found: ProcessSocket[] = []
  for (const family of ['tcp', 'tcp6', 'udp', 'udp6', 'raw', 'raw6'] as const) {
    for (const line of readLines(`/proc/${pid}/net/${family}`)) {
      const cols = line.trim().split(/\s+/)
      const [local, remote, state] = [cols[1] ?? '', cols[2] ?? '', cols[3] ?? '']
      const inode = cols[9] ?? ''
      if (!inodes.has(inode)) continue
      const listening = family.startsWith('tcp') ? state === TCP_LISTEN : state === UDP_UNCONNECTED
      found.push({ family, inode, listening, local, remotePort: parseInt(remote.split(':')[1] ?? '0', 16) })
    }
  }
  for (const line of readLines(`/proc/${pid}/net/unix`)) {
    const cols = line.trim().split(/\s+/)
    const inode = cols[6] ?? ''
    if (!inodes.has(inode)) continue
    const flags = parseInt(cols[3] ?? '0', 16)
    found.push({ family: 'unix', inode, listening: (flags & SO_ACCEPTCON) !== 0, local: cols[7] ?? '', remotePort: 0 })
  }
  return found
}

function readLines (file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(1).filter((l) => l.trim() !== '')
  } catch {
    return [] // the table does not exist on this kernel (e.g. no IPv6)
  }
}
