import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { IP, ip, listNamespaces, pidAlive, requireNetns } from './ip-command.ts'
import { startOutpost, type CommandPrefix, type OutpostProcess } from '../outpost-process.ts'

/** One end of a link or one member of a segment: the interface and its IPv4 address. */
export interface Endpoint {
  readonly ns: string
  readonly ifname: string
  /** The address without its prefix length, e.g. `10.78.0.1`. */
  readonly address: string
}

/** A point-to-point veth pair on its own /30. */
export interface Link {
  readonly subnet: string
  readonly a: Endpoint
  readonly b: Endpoint
}

/** A shared LAN: a bridge in a namespace of its own, one /24, a veth from each member. */
export interface Segment {
  readonly subnet: string
  readonly members: readonly Endpoint[]
  /** Plugs one more namespace into this segment and gives it the next address. */
  join (ns: string): Endpoint
  /** The member endpoint of `ns`; throws if it is not on this segment. */
  of (ns: string): Endpoint
}

/** Output of a command run to completion inside a namespace. */
export interface RunResult { readonly code: number | null, readonly signal: NodeJS.Signals | null, readonly stdout: string, readonly stderr: string }

/** A set of network namespaces that belong to one test, all removed by `cleanup()`. */
export interface NetnsLab {
  /** `PREFIX-PID-RANDOM`: the start of every namespace name of this lab. */
  readonly id: string
  /** Creates namespace `ID-ROLE` with `lo` up; returns its name. */
  namespace (role: string): string
  /** The namespace made for `role`. */
  ns (role: string): string
  link (a: string, b: string): Link
  segment (role: string, members?: readonly string[]): Segment
  /** `ip route add DESTINATION via GATEWAY` in `ns`. */
  route (ns: string, destination: string, via: string): void
  /** Lets `ns` forward IPv4 between its interfaces (a router). */
  forward (ns: string): void
  /** `['ip', 'netns', 'exec', ns]`: put it before a command to run that command inside `ns`. */
  prefix (ns: string): CommandPrefix
  /** Runs ARGV inside `ns` to completion; killed after `timeoutMs` (default 15 s). */
  run (ns: string, argv: readonly string[], options?: { timeoutMs?: number, env?: Record<string, string | undefined> }): Promise<RunResult>
  /** `outpost ARGS…` inside `ns`; stopped by `cleanup()` if still running. */
  startOutpost (ns: string, args: readonly string[], options?: { env?: Record<string, string | undefined> }): OutpostProcess
  /** Stops what the lab started, kills what is left inside its namespaces, deletes them. */
  cleanup (): Promise<void>
}

const ROLE = /^[a-z][a-z0-9]{0,9}$/
const MAX_SEGMENTS = 250

/** Deletes namespaces named `PREFIX-PID-…` whose creating process is gone (a crashed run). */
export function removeLeftovers (prefix: string): string[] {
  const pattern = new RegExp(`^${prefix.replace(/[^a-z0-9]/gi, '\\$&')}-(\\d+)-[0-9a-f]+-`)
  const removed: string[] = []
  for (const name of listNamespaces()) {
    const pid = Number(pattern.exec(name)?.[1] ?? NaN)
    if (Number.isNaN(pid) || pid === process.pid || pidAlive(pid)) continue
    killInside(name)
    ip(['netns', 'del', name])
    removed.push(name)
  }
  return removed
}

/** SIGKILLs every process left in a namespace (a namespace outlives `ip netns del` while one runs). */
function killInside (ns: string): void {
  const pids = spawnSync(IP, ['netns', 'pids', ns], { encoding: 'utf8' }).stdout ?? ''
  for (const pid of pids.split('\n').map(Number).filter((p) => p > 0 && p !== process.pid)) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      continue // it ended between the listing and the kill
    }
  }
}

/**
 * Creates an empty lab after checking the privileges it needs and removing what a crashed earlier
 * run with the same prefix left. Every name carries this process's pid, so labs of test files
 * running in parallel never touch each other's namespaces.
 */
export function createNetnsLab (options: { prefix?: string } = {}): NetnsLab {
  requireNetns()
  const prefix = options.prefix ?? 'opn'
  if (!/^[a-z][a-z0-9]{0,7}$/.test(prefix)) throw new Error(`netns prefix "${prefix}": use 1-8 lowercase letters and digits`)
  removeLeftovers(prefix)
  const id = `${prefix}-${process.pid}-${randomBytes(3).toString('hex')}`
  const created: string[] = []
  const roles = new Map<string, string>()
  const processes = new Set<OutpostProcess>()
  let links = 0
  let segments = 0

  const nsOf = (role: string): string => {
    const name = roles.get(role)
    if (name === undefined) throw new Error(`no namespace for role "${role}" in lab ${id}`)
    return name
  }
  const owned = (ns: string): string => {
    if (!created.includes(ns)) throw new Error(`namespace ${ns} does not belong to lab ${id}`)
    return ns
  }
  const namespace = (role: string): string => {
    if (!ROLE.test(role)) throw new Error(`namespace role "${role}": use 1-10 lowercase letters and digits, starting with a letter`)
    if (roles.has(role)) throw new Error(`namespace role "${role}" exists already in lab ${id}`)
    const name = `${id}-${role}`
    ip(['netns', 'add', name])
    created.push(name)
    roles.set(role, name)
    ip(['-n', name, 'link', 'set', 'lo', 'up'])
    return name
  }
  const plug = (ns: string, ifname: string, address: string, prefixLength: number): Endpoint => {
    ip(['-n', ns, 'addr', 'add', `${address}/${prefixLength}`, 'dev', ifname])
    ip(['-n', ns, 'link', 'set', ifname, 'up'])
    return { ns, ifname, address }
  }
  const syncCleanup = (): void => {
    for (const p of processes) p.child.kill('SIGKILL')
    for (const ns of created) killInside(ns)
    for (const ns of created) spawnSync(IP, ['netns', 'del', ns])
  }
  // A test process that dies without running cleanup() still leaves no namespace behind.
  process.once('exit', syncCleanup)

  return {
    id,
    namespace,
    ns: nsOf,
    link (a, b) {
      owned(a)
      owned(b)
      const n = links++
      const base = `10.78.${n >> 6}.${(n & 63) * 4}`
      const octets = base.split('.')
      const host = (i: number): string => [...octets.slice(0, 3), String(Number(octets[3]) + i)].join('.')
      // Both ends are created straight in their namespaces: the names never meet in the root one.
      ip(['-n', a, 'link', 'add', `veth${n}`, 'type', 'veth', 'peer', 'name', `veth${n}`, 'netns', b])
      return { subnet: `${base}/30`, a: plug(a, `veth${n}`, host(1), 30), b: plug(b, `veth${n}`, host(2), 30) }
    },
    segment (role, members = []) {
      if (!/^[a-z][a-z0-9]{0,7}$/.test(role)) throw new Error(`segment role "${role}": use 1-8 lowercase letters and digits`)
      if (segments >= MAX_SEGMENTS) throw new Error(`lab ${id} has no more /24 for segment "${role}"`)
      const n = ++segments
      const sw = namespace(`sw${role}`)
      ip(['-n', sw, 'link', 'add', 'br0', 'type', 'bridge'])
      ip(['-n', sw, 'link', 'set', 'br0', 'up'])
      const joined: Endpoint[] = []
      const seg: Segment = {
        subnet: `10.77.${n}.0/24`,
        members: joined,
        join (ns) {
          owned(ns)
          if (joined.some((m) => m.ns === ns)) throw new Error(`${ns} is on segment ${role} already`)
          if (joined.length >= 253) throw new Error(`segment ${role} is full`)
          const port = `p${joined.length}`
          const ifname = `lan${n}`
          ip(['-n', ns, 'link', 'add', ifname, 'type', 'veth', 'peer', 'name', port, 'netns', sw])
          ip(['-n', sw, 'link', 'set', port, 'master', 'br0'])
          ip(['-n', sw, 'link', 'set', port, 'up'])
          const member = plug(ns, ifname, `10.77.${n}.${joined.length + 1}`, 24)
          joined.push(member)
          return member
        },
        of (ns) {
          const m = joined.find((e) => e.ns === ns)
          if (m === undefined) throw new Error(`${ns} is not on segment ${role}`)
          return m
        }
      }
      for (const m of members) seg.join(m)
      return seg
    },
    route (ns, destination, via) {
      ip(['-n', owned(ns), 'route', 'add', destination, 'via', via])
    },
    forward (ns) {
      ip(['netns', 'exec', owned(ns), 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1'])
    },
    prefix: (ns) => [IP, 'netns', 'exec', owned(ns)],
    async run (ns, argv, options = {}) {
      const child = spawn(IP, ['netns', 'exec', owned(ns), ...argv], { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] })
      let stdout = ''
      let stderr = ''
      child.stdout.setEncoding('utf8').on('data', (c: string) => { stdout += c })
      child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c })
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 15_000)
      const [code, signal] = await once(child, 'exit') as [number | null, NodeJS.Signals | null]
      clearTimeout(timer)
      return { code, signal, stdout, stderr }
    },
    startOutpost (ns, args, options = {}) {
      const proc = startOutpost(args, { env: options.env, prefix: [IP, 'netns', 'exec', owned(ns)] })
      processes.add(proc)
      return proc
    },
    async cleanup () {
      process.off('exit', syncCleanup)
      await Promise.all([...processes].map((p) => p.stop(3_000)))
      processes.clear()
      for (const ns of created) killInside(ns)
      const failures: string[] = []
      for (const ns of created.splice(0)) {
        const r = spawnSync(IP, ['netns', 'del', ns], { encoding: 'utf8' })
        if (r.status !== 0) failures.push(`${ns}: ${r.stderr.trim()}`)
      }
      if (failures.length > 0) throw new Error(`could not delete namespaces: ${failures.join('; ')}`)
    }
  }
}
