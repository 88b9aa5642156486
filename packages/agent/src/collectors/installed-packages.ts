import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import type { Inventory } from '@outpost/protocol'
import { AgentError, AgentErrorCode } from '../errors.ts'
import { clip } from './metric-name.ts'

/** Where dpkg keeps its database of packages. */
export const DPKG_STATUS_PATH = '/var/lib/dpkg/status'
/** The `Inventory` limit on packages. */
export const MAX_PACKAGES = 50_000
const RPM_TIMEOUT_MS = 120_000
const RPM_MAX_BUFFER = 64 * 1024 * 1024

/** The installed packages part of the inventory. */
export type InstalledPackages = Inventory['packages']
type Package = InstalledPackages['items'][number]

function finish (items: Package[]): Package[] {
  items.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.arch < b.arch ? -1 : a.arch > b.arch ? 1 : a.version < b.version ? -1 : 1))
  return items.slice(0, MAX_PACKAGES)
}

/** Parses dpkg's status file, keeping packages whose status says they are installed. */
export function parseDpkgStatus (text: string): Package[] {
  const items: Package[] = []
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>()
    for (const line of stanza.split('\n')) {
      const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line)
      if (m !== null) fields.set(m[1] as string, (m[2] as string).trim())
    }
    const name = fields.get('Package')
    const status = fields.get('Status') ?? ''
    if (name === undefined || name === '' || !status.endsWith(' installed')) continue
    items.push({ name: clip(name, 256), version: clip(fields.get('Version') ?? '', 256), arch: clip(fields.get('Architecture') ?? '', 32) })
  }
  return finish(items)
}

/** Parses `rpm -qa --qf '%{NAME}\t%{EPOCH}:%{VERSION}-%{RELEASE}\t%{ARCH}\n'` output. */
export function parseRpmList (text: string): Package[] {
  const items: Package[] = []
  for (const line of text.split('\n')) {
    const [name, version, arch] = line.split('\t')
    if (name === undefined || name === '' || version === undefined) continue
    // rpm prints "(none)" for packages without an epoch; the usual form then omits it.
    items.push({ name: clip(name, 256), version: clip(version.replace(/^\(none\):/, ''), 256), arch: clip(arch ?? '', 32) })
  }
  return finish(items)
}

function runRpm (): Promise<string | null> {
  return new Promise((resolve, reject) => {
    execFile('rpm', ['-qa', '--qf', '%{NAME}\\t%{EPOCH}:%{VERSION}-%{RELEASE}\\t%{ARCH}\\n'],
      { timeout: RPM_TIMEOUT_MS, maxBuffer: RPM_MAX_BUFFER, encoding: 'utf8' }, (err, stdout) => {
        // No rpm binary: this host simply has no rpm database.
        if (err !== null && (err as NodeJS.ErrnoException).code === 'ENOENT') resolve(null)
        else if (err !== null) reject(new AgentError(AgentErrorCode.Collect, 'rpm -qa failed', { cause: err }))
        else resolve(stdout)
      })
  })
}

/**
 * The installed packages: dpkg's status file when it exists (read directly, no process),
 * else `rpm -qa` when rpm is installed, else manager `none`.
 */
export async function collectPackages (dpkgStatusPath: string = DPKG_STATUS_PATH): Promise<InstalledPackages> {
  let dpkg: string | null = null
  try {
    dpkg = await readFile(dpkgStatusPath, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new AgentError(AgentErrorCode.Collect, `cannot read ${dpkgStatusPath}`, { cause: err })
  }
  if (dpkg !== null) return { manager: 'dpkg', items: parseDpkgStatus(dpkg) }
  const rpm = await runRpm()
  if (rpm !== null) return { manager: 'rpm', items: parseRpmList(rpm) }
  return { manager: 'none', items: [] }
}
