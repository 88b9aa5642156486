import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'

/** What the network-namespace tests need, said when it is missing (they never skip silently). */
const NEEDS = 'network namespace tests need root (CAP_NET_ADMIN and CAP_SYS_ADMIN) and iproute2 (`ip netns`); run them as root on Linux'

/** The `ip` binary: the first of the usual places, else whatever PATH finds. */
export const IP = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].find((p) => fs.existsSync(p)) ?? 'ip'

/** Runs `ip ARGS…` and returns stdout; a failure throws with the command and its stderr. */
export function ip (args: readonly string[]): string {
  const r = spawnSync(IP, args, { encoding: 'utf8', timeout: 10_000 })
  if (r.error !== undefined) throw new Error(`ip ${args.join(' ')}: ${r.error.message} (${NEEDS})`, { cause: r.error })
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr.trim()}`)
  return r.stdout
}

/** Names of the network namespaces that `ip netns` knows. */
export function listNamespaces (): string[] {
  return ip(['netns', 'list']).split('\n').map((l) => l.trim().split(/\s+/)[0] ?? '').filter((n) => n !== '')
}

/** Throws a message that says what is needed unless this process may create namespaces. */
export function requireNetns (): void {
  if (process.platform !== 'linux') throw new Error(`${NEEDS}; this is ${process.platform}`)
  if (process.getuid?.() !== 0) throw new Error(`${NEEDS}; this process runs as uid ${process.getuid?.() ?? '?'}`)
  try {
    execFileSync(IP, ['netns', 'list'], { stdio: 'pipe', timeout: 10_000 })
  } catch (cause) {
    throw new Error(`${NEEDS}; \`${IP} netns list\` failed: ${(cause as Error).message}`, { cause })
  }
}

/** Whether a process with this pid exists (a zombie or another user's process counts). */
export function pidAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
