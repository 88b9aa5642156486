import { parseArgs } from 'node:util'
import { readFileSync } from 'node:fs'
import { Agent as HttpsAgent } from 'node:https'
import { CommandStatus, CreatedCommand, HostDetail, HostList, ProcessList, ProcessSignalName, isValid, parseJson, type CreateCommandRequest } from '@outpost/protocol'
import { PinnedAgent } from '@outpost/agent'
import { OperatorClient } from '../ctl/operator-client.ts'
import { UsageError, parseDuration } from '../parse-duration.ts'
import type { CliIo } from '../cli-io.ts'
import { formatHostTable } from '../ctl/host-table.ts'
import { formatProcessTable } from '../ctl/process-table.ts'
import { filesCommand } from '../ctl/file-command.ts'
import { systemCtl } from '../ctl/system-ctl.ts'
import { jobCommand } from '../ctl/job-command.ts'

const TERMINAL = new Set(['completed', 'failed', 'rejected', 'expired'])
/** Longest one `GET /commands/:id?wait=` is held; the CLI asks again until the command ends. */
const WAIT_SLICE_MS = 25_000

export const CTL_HELP = `outpost ctl — a thin client of the hub's operator API

  outpost ctl [--hub URL] [--token T] [--fingerprint SHA256 | --ca FILE] [--json] hosts
  outpost ctl … host ID
  outpost ctl … exec ID [--timeout 60s] -- PROGRAM [ARG…]
  outpost ctl … ps ID
  outpost ctl … kill ID PID [--signal SIGTERM]
  outpost ctl … services ID
  outpost ctl … service ID NAME start|stop|restart|status|enable|disable|journal [--lines 20]
  outpost ctl … packages ID
  outpost ctl … package ID install|remove|upgrade NAME…
  outpost ctl … power ID reboot|shutdown|cancel [--in 1m] --reason TEXT
  outpost ctl … files ls|stat ID PATH
  outpost ctl … files get ID PATH > FILE
  outpost ctl … files put ID PATH [--mode 0644] [--no-backup] < FILE
  outpost ctl … job run --hosts ID,ID | --group G [--at TIME] [--expires 24h] [--name N] [--wait] -- PROGRAM [ARG…]
  outpost ctl … job put --hosts ID,ID | --group G [--mode 0644] [--at TIME] [--expires 24h] [--wait] PATH < FILE
  outpost ctl … job ls | job show ID [--wait] | job cancel ID

--hub, --token and --fingerprint default to OUTPOST_HUB, OUTPOST_TOKEN and OUTPOST_FINGERPRINT.
exec prints the remote stdout and stderr and exits with the remote exit code.
ps prints the host's processes (PID USER STATE %CPU MEM COMMAND; --json for the raw list).
kill sends SIGTERM (or --signal SIGKILL, SIGHUP, SIGINT, SIGUSR1, SIGUSR2) to one process.
Both need the "process" operation class in the agent's local policy; pid 1 and the agent are refused.
services lists the host's systemd services; service runs systemctl on one (status: a summary and
the last journal lines). packages lists installed packages; package runs apt or dnf and prints
its output live, exiting with its exit code. power schedules a reboot or power-off in whole
minutes (--in, default 1m) or cancels one; --reason is shown to logged-in users.
They need the "service", "package" and "power" operation classes of the agent's local policy.
files ls lists a directory (TYPE MODE SIZE MODIFIED NAME; --json for the raw listing), files stat
describes one path; both need "files.read". files get streams a file to stdout ("files.read");
files put streams stdin into a file, atomically, keeping the old one as PATH.outpost-bak unless
--no-backup ("files.write", at most the policy's maxUploadBytes). Protected paths are refused.
job run and job put send a command or a file (≤ 1 MiB) to many hosts (--hosts and/or --group, comma
lists), now or --at a time (ISO 8601, or +10m); hosts that are offline get it when they come back
until --expires (default 24h). job show prints each host's state and exit code; --wait holds until
the job ends and exits 1 unless every host completed with exit code 0. --json prints the raw job.
`

/** `outpost ctl …`: resolves with the exit code. */
export async function ctlCommand (argv: readonly string[], io: CliIo): Promise<number> {
  const dash = argv.indexOf('--')
  const head = dash === -1 ? argv : argv.slice(0, dash)
  const remoteArgv = dash === -1 ? [] : argv.slice(dash + 1)
  const { values, positionals } = parseArgs({
    args: [...head],
    allowPositionals: true,
    options: {
      hub: { type: 'string' }, token: { type: 'string' }, fingerprint: { type: 'string' }, ca: { type: 'string' },
      json: { type: 'boolean', default: false }, timeout: { type: 'string' }, signal: { type: 'string' }, in: { type: 'string' }, reason: { type: 'string' }, lines: { type: 'string' }, mode: { type: 'string' }, 'no-backup': { type: 'boolean', default: false },
      hosts: { type: 'string' }, group: { type: 'string' }, at: { type: 'string' }, expires: { type: 'string' }, name: { type: 'string' }, wait: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' }
    }
  })
  if (values.help === true) {
    io.stdout.write(CTL_HELP)
    return 0
  }
  const hubUrl = values.hub ?? io.env.OUTPOST_HUB
  const token = values.token ?? io.env.OUTPOST_TOKEN
  const fingerprint = values.fingerprint ?? io.env.OUTPOST_FINGERPRINT
  if (hubUrl === undefined || token === undefined) throw new UsageError('ctl needs --hub URL and --token T (or OUTPOST_HUB and OUTPOST_TOKEN)')
  if (fingerprint !== undefined && values.ca !== undefined) throw new UsageError('--fingerprint and --ca exclude each other: pin the certificate or trust a CA, not both')
  const agent = fingerprint !== undefined
    ? new PinnedAgent({ fingerprint })
    : new HttpsAgent({ keepAlive: true, ...(values.ca === undefined ? {} : { ca: readFileSync(values.ca, 'utf8') }) })
  const client = new OperatorClient({ hubUrl, token, agent })
  try {
    const [verb, id, arg] = positionals
    /** Queues a command on host `id` and waits until it ends. */
    const run = async (hostId: string, body: CreateCommandRequest): Promise<CommandStatus> => {
      const { id: commandId } = await client.post(`/api/v1/hosts/${encodeURIComponent(hostId)}/commands`, body, CreatedCommand)
      let status = await client.get(`/api/v1/commands/${commandId}?wait=${WAIT_SLICE_MS}`, CommandStatus)
      while (!TERMINAL.has(status.status)) status = await client.get(`/api/v1/commands/${commandId}?wait=${WAIT_SLICE_MS}`, CommandStatus)
      return status
    }
    /** Writes why a command did not complete; true when it did. */
    const completed = (status: CommandStatus): boolean => {
      if (status.status === 'completed') return true
      io.stderr.write(`outpost: command ${status.status}${status.error === null ? '' : `: ${status.error.code}: ${status.error.message}`}\n`)
      return false
    }
    switch (verb) {
      case 'hosts': {
        const hosts = await client.get('/api/v1/hosts', HostList)
        io.stdout.write(values.json === true ? JSON.stringify(hosts, null, 2) + '\n' : formatHostTable(hosts))
        return 0
      }
      case 'host': {
        if (id === undefined) throw new UsageError('ctl host needs a host ID')
        const host = await client.get(`/api/v1/hosts/${encodeURIComponent(id)}`, HostDetail)
        io.stdout.write(JSON.stringify(host, null, 2) + '\n')
        return 0
      }
      case 'exec': {
        if (id === undefined || remoteArgv.length === 0) throw new UsageError('usage: outpost ctl exec ID [--timeout 60s] -- PROGRAM [ARG…]')
        const timeoutMs = values.timeout === undefined ? 60_000 : parseDuration(values.timeout, '--timeout')
        const status = await run(id, { type: 'exec', argv: remoteArgv, timeoutMs })
        io.stdout.write(status.stdout)
        io.stderr.write(status.stderr)
        if (status.truncated) io.stderr.write('outpost: output was truncated at the size limit\n')
        if (!completed(status)) return 1
        if (status.exitCode !== null) return status.exitCode
        io.stderr.write(`outpost: remote process ended by ${status.signal ?? 'a signal'}\n`)
        return 128 + (status.signal === 'SIGKILL' ? 9 : status.signal === 'SIGTERM' ? 15 : 1)
      }
      case 'ps': {
        if (id === undefined || arg !== undefined) throw new UsageError('usage: outpost ctl ps ID')
        const status = await run(id, { type: 'process-list' })
        if (!completed(status)) return 1
        const list = parseJson(ProcessList, status.stdout, 'process list')
        io.stdout.write(values.json === true ? JSON.stringify(list, null, 2) + '\n' : formatProcessTable(list))
        if (status.truncated) io.stderr.write('outpost: the process list was truncated at the size limit\n')
        return 0
      }
      case 'kill': {
        if (id === undefined || arg === undefined || positionals.length > 3) throw new UsageError('usage: outpost ctl kill ID PID [--signal SIGTERM]')
        const pid = /^[0-9]{1,10}$/.test(arg) ? Number(arg) : NaN
        if (!Number.isSafeInteger(pid) || pid < 2) throw new UsageError(`PID must be an integer ≥ 2, got "${arg}"`)
        const sig = values.signal ?? 'SIGTERM'
        if (!isValid(ProcessSignalName, sig)) throw new UsageError(`--signal must be one of SIGTERM, SIGKILL, SIGHUP, SIGINT, SIGUSR1, SIGUSR2, got "${sig}"`)
        return completed(await run(id, { type: 'process-signal', pid, signal: sig })) ? 0 : 1
      }
      case 'files':
        return await filesCommand(positionals.slice(1), { json: values.json === true, mode: values.mode, noBackup: values['no-backup'] === true }, { hubUrl, token, agent, run, completed }, io)
      case 'job':
        return await jobCommand(positionals.slice(1), remoteArgv, { ...values, json: values.json === true, wait: values.wait === true }, client, io)
      case 'services': case 'service': case 'packages': case 'package': case 'power':
        return await systemCtl(verb, positionals.slice(1), values, { client, io, target: { hubUrl, token, agent }, run, completed })
      default:
        throw new UsageError(verb === undefined ? 'ctl needs a verb: hosts, host, exec, ps or kill' : `unknown ctl verb "${verb}"`)
    }
  } finally {
    agent.destroy()
  }
}
