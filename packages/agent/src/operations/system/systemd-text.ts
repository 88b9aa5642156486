import type { ServiceInfo, ServiceStatus } from '@outpost/protocol'

/** One row of `systemctl list-units --type=service --all --no-legend --plain`. */
export type UnitRow = Omit<ServiceInfo, 'unitFileState'>

/** The `systemctl show` properties `status` asks for, in the order they are requested. */
export const SHOW_PROPERTIES = ['Id', 'Description', 'LoadState', 'ActiveState', 'SubState', 'UnitFileState', 'MainPID'] as const

/** Messages by which systemctl says there is no running systemd to talk to. */
const NO_SYSTEMD = /System has not been booted with systemd|Failed to connect to (the )?bus|Failed to get D-Bus connection|Running in chroot, ignoring/i

/** True when systemctl's output says systemd is not running here (not PID 1, no bus, a chroot). */
export function saysNoSystemd (output: string): boolean {
  return NO_SYSTEMD.test(output)
}

/**
 * Parses `list-units` rows: `UNIT LOAD ACTIVE SUB DESCRIPTION…`, columns separated by runs of
 * spaces, the description free text. A leading `●`/`*` (failed or not-found units on some
 * versions even with `--plain`) is dropped.
 */
export function parseListUnits (text: string): UnitRow[] {
  const rows: UnitRow[] = []
  for (const raw of text.split('\n')) {
    const line = raw.replace(/^\s*[●*]\s+/, '').trim()
    const m = /^(\S+)\s+(\S+)\s+(\S+)\s+(\S+)(?:\s+(.*))?$/.exec(line)
    if (m === null) continue
    rows.push({ name: m[1]!, loadState: m[2]!, activeState: m[3]!, subState: m[4]!, description: m[5] ?? '' })
  }
  return rows
}

/** Parses `list-unit-files` rows (`UNIT STATE [PRESET]`) into name → unit-file state. */
export function parseUnitFiles (text: string): Map<string, string> {
  const states = new Map<string, string>()
  for (const raw of text.split('\n')) {
    const m = /^(\S+)\s+(\S+)/.exec(raw.trim())
    if (m !== null) states.set(m[1]!, m[2]!)
  }
  return states
}

/** The unit-file state of a unit, looking through a template instance (`getty@tty1` → `getty@`). */
export function unitFileStateOf (states: ReadonlyMap<string, string>, name: string): string {
  const own = states.get(name)
  if (own !== undefined) return own
  const at = name.indexOf('@')
  const dot = name.lastIndexOf('.')
  if (at < 0 || dot < at) return ''
  return states.get(name.slice(0, at + 1) + name.slice(dot)) ?? ''
}

/**
 * The service list: loaded units with their unit-file state, plus installed unit files systemd
 * has not loaded (disabled, never started: inactive by definition). Templates (`foo@.service`)
 * and aliases are not services one can start by that name, so they are left out.
 */
export function mergeServiceList (units: readonly UnitRow[], files: ReadonlyMap<string, string>): ServiceInfo[] {
  const out = new Map<string, ServiceInfo>()
  for (const u of units) out.set(u.name, { ...u, unitFileState: unitFileStateOf(files, u.name) })
  for (const [name, state] of files) {
    if (out.has(name) || name.includes('@.') || state === 'alias') continue
    out.set(name, { name, description: '', loadState: 'not-loaded', activeState: 'inactive', subState: 'dead', unitFileState: state })
  }
  return [...out.values()].sort((a, b) => a.name.localeCompare(b.name))
}

/**
 * The list made from unit files alone, when systemd is not running: what is installed and
 * whether it is enabled is known, its state is not (`unknown`, never a guess).
 */
export function unitFilesOnly (files: ReadonlyMap<string, string>): ServiceInfo[] {
  return mergeServiceList([], files).map((s) => ({ ...s, loadState: 'unknown', activeState: 'unknown', subState: 'unknown' }))
}

/** Parses `systemctl show -p …` output (`Key=Value` lines; values may contain `=`). */
export function parseShow (text: string): Map<string, string> {
  const props = new Map<string, string>()
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=')
    if (eq > 0) props.set(line.slice(0, eq), line.slice(eq + 1))
  }
  return props
}

/** A `ServiceStatus` from `systemctl show` properties and journal lines. */
export function serviceStatus (props: ReadonlyMap<string, string>, fallbackName: string, journal: readonly string[]): ServiceStatus {
  const pid = Number(props.get('MainPID') ?? '0')
  return {
    name: props.get('Id') ?? fallbackName,
    description: props.get('Description') ?? '',
    loadState: props.get('LoadState') ?? '',
    activeState: props.get('ActiveState') ?? '',
    subState: props.get('SubState') ?? '',
    unitFileState: props.get('UnitFileState') ?? '',
    mainPid: Number.isSafeInteger(pid) && pid > 0 ? pid : null,
    journal: [...journal]
  }
}

/** Journal lines of `journalctl -o short-iso` output, without its `-- No entries --` marker. */
export function journalLines (text: string): string[] {
  return text.split('\n').filter((l) => l !== '' && l !== '-- No entries --')
}
