import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { AgentError, AgentErrorCode } from '../errors.ts'

/** Where systemd-era distributions describe themselves; the second is the fallback. */
export const OS_RELEASE_PATHS = ['/etc/os-release', '/usr/lib/os-release'] as const
const HOSTNAME_TIMEOUT_MS = 5000

/** Distribution facts from os-release(5). */
export interface OsRelease { readonly distribution: string, readonly release: string, readonly codename: string }

/** Parses os-release(5): `KEY=value` lines, values optionally quoted. */
export function parseOsRelease (text: string): OsRelease {
  const kv = new Map<string, string>()
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim())
    if (m === null) continue
    let v = (m[2] as string).trim()
    if (/^(["']).*\1$/.test(v)) v = v.slice(1, -1).replace(/\\(["'$`\\])/g, '$1')
    kv.set(m[1] as string, v)
  }
  const codename = kv.get('VERSION_CODENAME') ?? /\(([^)]+)\)/.exec(kv.get('VERSION') ?? '')?.[1] ?? ''
  return { distribution: kv.get('NAME') ?? '', release: kv.get('VERSION_ID') ?? '', codename }
}

/**
 * Reads the distribution from os-release directly: systeminformation's `osInfo()` also runs
 * `hostname -f` synchronously, which would freeze the agent's event loop while DNS answers.
 */
export async function readOsRelease (): Promise<OsRelease> {
  for (const path of OS_RELEASE_PATHS) {
    try {
      return parseOsRelease(await readFile(path, 'utf8'))
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new AgentError(AgentErrorCode.Collect, `cannot read ${path}`, { cause: err })
    }
  }
  return { distribution: '', release: '', codename: '' }
}

/**
 * The fully qualified host name as `hostname -f` resolves it, run without blocking and bounded
 * in time; the plain host name when it cannot say (no such command, no DNS, timeout), which
 * the inventory reports as "no domain".
 */
export function fullyQualifiedName (): Promise<string> {
  return new Promise((resolve) => {
    execFile('hostname', ['-f'], { timeout: HOSTNAME_TIMEOUT_MS, encoding: 'utf8' }, (err, stdout) => {
      const fqdn = stdout.split('\n')[0]?.trim() ?? ''
      resolve(err === null && fqdn !== '' ? fqdn : hostname())
    })
  })
}
