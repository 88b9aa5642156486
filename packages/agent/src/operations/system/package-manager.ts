import fs from 'node:fs'
import path from 'node:path'
import type { PackageBody, PackageList } from '@outpost/protocol'
import { parseRpmList } from '../../collectors/installed-packages.ts'

/** The package managers the agent drives. */
export type PackageManagerKind = 'apt' | 'dnf'

/** Where the programs a manager needs are looked up (the agent's own PATH by default). */
export function findPackageManager (pathEnv: string | undefined = process.env.PATH): PackageManagerKind | undefined {
  const dirs = (pathEnv ?? '').split(':').filter((d) => d !== '')
  const has = (name: string): boolean => dirs.some((d) => isExecutable(path.join(d, name)))
  if (has('apt-get') && has('dpkg-query')) return 'apt'
  if (has('dnf') && has('rpm')) return 'dnf'
  return undefined
}

function isExecutable (file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK)
    return fs.statSync(file).isFile()
  } catch {
    // Not there or not executable: simply not this manager.
    return false
  }
}

/** The dpkg-query format of `list`: status first, so that removed-but-configured packages drop out. */
export const DPKG_LIST_FORMAT = '${db:Status-Status}\\t${Package}\\t${Version}\\t${Architecture}\\n'
/** The rpm query format of `list` (the inventory collector's, parsed by its `parseRpmList`). */
export const RPM_LIST_FORMAT = '%{NAME}\\t%{EPOCH}:%{VERSION}-%{RELEASE}\\t%{ARCH}\\n'

/** The argv that lists installed packages. */
export function listArgv (kind: PackageManagerKind): [string, ...string[]] {
  return kind === 'apt' ? ['dpkg-query', '-W', `-f=${DPKG_LIST_FORMAT}`] : ['rpm', '-qa', '--qf', RPM_LIST_FORMAT]
}

/** Parses the `listArgv` output into the sorted `PackageList`. */
export function parseList (kind: PackageManagerKind, text: string): PackageList {
  if (kind === 'dnf') return parseRpmList(text)
  const out: PackageList = []
  for (const line of text.split('\n')) {
    const [status, name, version, arch] = line.split('\t')
    if (status !== 'installed' || name === undefined || name === '') continue
    out.push({ name, version: version ?? '', arch: arch ?? '' })
  }
  return out.sort((a, b) => a.name.localeCompare(b.name) || a.arch.localeCompare(b.arch))
}

/** Keeps a changed config file as the package ships it only when the admin never touched it; never asks. */
const APT_CONFFILE_OPTIONS = ['-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold']

/**
 * The commands one `install`/`remove`/`upgrade` runs, in order. apt first refreshes its package
 * lists (`apt-get update`) for install and upgrade, so that a package published since the last
 * refresh is found; dnf refreshes its metadata itself. Names always follow `--`.
 */
export function actionArgvs (kind: PackageManagerKind, action: Exclude<PackageBody['action'], 'list'>, names: readonly string[]): Array<[string, ...string[]]> {
  if (kind === 'dnf') {
    return [names.length === 0 ? ['dnf', '-y', action] : ['dnf', '-y', action, '--', ...names]]
  }
  const update: [string, ...string[]] = ['apt-get', 'update']
  switch (action) {
    case 'install': return [update, ['apt-get', 'install', '-y', ...APT_CONFFILE_OPTIONS, '--', ...names]]
    case 'remove': return [['apt-get', 'remove', '-y', '--', ...names]]
    case 'upgrade': return [update, names.length === 0
      ? ['apt-get', 'upgrade', '-y', ...APT_CONFFILE_OPTIONS]
      : ['apt-get', 'install', '-y', '--only-upgrade', ...APT_CONFFILE_OPTIONS, '--', ...names]]
  }
}
