import {
  CommandStatus, CreatedCommand, PackageList, ServiceList, ServiceStatus, parseJson, type CommandOutputChunk, type CreateCommandRequest, type ServiceBody
} from '@outpost/protocol'
import { UsageError, parseDuration } from '../parse-duration.ts'
import type { CliIo } from '../cli-io.ts'
import type { OperatorClient } from './operator-client.ts'
import { readOutputEvents, type OutputEventsTarget } from './output-events.ts'
import { formatPackageTable, formatServiceStatus, formatServiceTable } from './system-tables.ts'

const SERVICE_ACTIONS = new Set<string>(['start', 'stop', 'restart', 'status', 'enable', 'disable', 'journal'])
const PACKAGE_ACTIONS = new Set<string>(['install', 'remove', 'upgrade'])
const POWER_ACTIONS = new Set<string>(['reboot', 'shutdown', 'cancel'])
const TERMINAL = new Set(['completed', 'failed', 'rejected', 'expired'])
const WAIT_SLICE_MS = 25_000

/** What `ctl-command.ts` hands over. */
export interface SystemCtlDeps {
  readonly client: OperatorClient
  readonly io: CliIo
  readonly target: OutputEventsTarget
  /** Queues a command and waits until it ends. */
  readonly run: (hostId: string, body: CreateCommandRequest) => Promise<CommandStatus>
  /** Writes why a command did not complete (stderr); true when it did. */
  readonly completed: (status: CommandStatus) => boolean
}

/** Flags these verbs read. */
export interface SystemCtlFlags {
  readonly json?: boolean | undefined
  readonly in?: string | undefined
  readonly reason?: string | undefined
  readonly lines?: string | undefined
}

/** `services`, `service`, `packages`, `package` and `power`: resolves with the exit code. */
export async function systemCtl (verb: string, args: readonly string[], flags: SystemCtlFlags, d: SystemCtlDeps): Promise<number> {
  const { io } = d
  const [id, ...rest] = args
  const json = flags.json === true
  switch (verb) {
    case 'services': {
      if (id === undefined || rest.length > 0) throw new UsageError('usage: outpost ctl services ID [--json]')
      const status = await d.run(id, { type: 'service', action: 'list' })
      if (!d.completed(status)) return 1
      const list = parseJson(ServiceList, status.stdout, 'service list')
      io.stdout.write(json ? JSON.stringify(list, null, 2) + '\n' : formatServiceTable(list))
      if (status.stderr !== '') io.stderr.write(status.stderr)
      return 0
    }
    case 'service': {
      const [name, action] = rest
      if (id === undefined || name === undefined || action === undefined || rest.length > 2 || !SERVICE_ACTIONS.has(action)) {
        throw new UsageError('usage: outpost ctl service ID NAME start|stop|restart|status|enable|disable|journal [--lines 20] [--json]')
      }
      const lines = flags.lines === undefined ? undefined : Number(flags.lines)
      if (lines !== undefined && (!Number.isInteger(lines) || lines < 1 || lines > 1000)) throw new UsageError(`--lines must be an integer from 1 to 1000, got "${flags.lines ?? ''}"`)
      const status = await d.run(id, { type: 'service', action: action as ServiceBody['action'], name, ...(lines === undefined ? {} : { lines }) })
      if (!d.completed(status)) return 1
      if (action === 'status') {
        const s = parseJson(ServiceStatus, status.stdout, 'service status')
        io.stdout.write(json ? JSON.stringify(s, null, 2) + '\n' : formatServiceStatus(s))
        return 0
      }
      return printed(status, io)
    }
    case 'packages': {
      if (id === undefined || rest.length > 0) throw new UsageError('usage: outpost ctl packages ID [--json]')
      const status = await d.run(id, { type: 'package', action: 'list', names: [] })
      if (!d.completed(status)) return 1
      const list = parseJson(PackageList, status.stdout, 'package list')
      io.stdout.write(json ? JSON.stringify(list, null, 2) + '\n' : formatPackageTable(list))
      return 0
    }
    case 'package': {
      const [action, ...names] = rest
      if (id === undefined || action === undefined || !PACKAGE_ACTIONS.has(action) || (names.length === 0 && action !== 'upgrade')) {
        throw new UsageError('usage: outpost ctl package ID install|remove|upgrade NAME…  (upgrade without names upgrades everything)')
      }
      return await streamed(d, id, { type: 'package', action: action as 'install' | 'remove' | 'upgrade', names })
    }
    case 'power': {
      const [action] = rest
      if (id === undefined || action === undefined || rest.length > 1 || !POWER_ACTIONS.has(action)) {
        throw new UsageError('usage: outpost ctl power ID reboot|shutdown|cancel [--in 5m] --reason TEXT')
      }
      const reason = flags.reason ?? (action === 'cancel' ? 'cancelled with outpost ctl' : undefined)
      if (reason === undefined || reason === '') throw new UsageError(`power ${action} needs --reason TEXT (it is shown to logged-in users and logged)`)
      const ms = parseDuration(flags.in ?? '1m', '--in')
      if (ms % 60_000 !== 0) throw new UsageError(`--in must be whole minutes (shutdown counts in minutes), got "${flags.in ?? ''}"`)
      const status = await d.run(id, { type: 'power', action: action as 'reboot' | 'shutdown' | 'cancel', delayMinutes: ms / 60_000, reason })
      if (!d.completed(status)) {
        if (status.stderr !== '') io.stderr.write(status.stderr)
        return 1
      }
      return printed(status, io)
    }
    default:
      throw new UsageError(`unknown ctl verb "${verb}"`)
  }
}

/** Prints a finished command's output and answers its exit code. */
function printed (status: CommandStatus, io: CliIo): number {
  io.stdout.write(status.stdout)
  io.stderr.write(status.stderr)
  if (status.truncated) io.stderr.write('outpost: output was truncated at the size limit\n')
  return status.exitCode ?? 1
}

/**
 * Queues the command, prints its output as the agent streams it, then exits with the remote exit
 * code. Chunks sent before the stream opened are missed: when the first one seen is not the
 * first sent (or one is skipped), the full output from the result is printed after a note.
 */
async function streamed (d: SystemCtlDeps, hostId: string, body: CreateCommandRequest): Promise<number> {
  const { io } = d
  const { id } = await d.client.post(`/api/v1/hosts/${encodeURIComponent(hostId)}/commands`, body, CreatedCommand)
  let next = 0
  let gap = false
  const seen = { stdout: 0, stderr: 0 }
  const onChunk = (c: CommandOutputChunk): void => {
    if (c.seq !== next) gap = true
    next = c.seq + 1
    seen[c.stream] += c.data.length
    ;(c.stream === 'stdout' ? io.stdout : io.stderr).write(c.data)
  }
  let status = await readOutputEvents(d.target, id, onChunk)
  while (status === undefined || !TERMINAL.has(status.status)) status = await d.client.get(`/api/v1/commands/${id}?wait=${WAIT_SLICE_MS}`, CommandStatus)
  // A lost last chunk leaves no gap in the numbers: the lengths tell (unless the result was cut).
  if (!status.truncated && (seen.stdout !== status.stdout.length || seen.stderr !== status.stderr.length)) gap = true
  if (next === 0 || gap) {
    if (next > 0) io.stderr.write('\noutpost: some live output was missed; the complete output follows\n')
    io.stdout.write(status.stdout)
    io.stderr.write(status.stderr)
  }
  if (!d.completed(status)) return 1
  if (status.truncated) io.stderr.write('outpost: output was truncated at the size limit\n')
  return status.exitCode ?? 1
}
