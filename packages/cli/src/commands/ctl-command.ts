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

const TERMINAL = new Set(['completed', 'failed', 'rejected', 'expired'])
/** Longest one `GET /commands/:id?wait=` is held; the CLI asks again until the command ends. */
const WAIT_SLICE_MS = 25_000

export const CTL_HELP = `outpost ctl — a thin client of the hub's operator API

  outpost ctl [--hub URL] [--token T] [--fingerprint SHA256 | --ca FILE] [--json] hosts
  outpost ctl … host ID
  outpost ctl … exec ID [--timeout 60s] -- PROGRAM [ARG…]
  outpost ctl … ps ID
  outpost ctl … kill ID PID [--signal SIGTERM]

--hub, --token and --fingerprint default to OUTPOST_HUB, OUTPOST_TOKEN and OUTPOST_FINGERPRINT.
exec prints the remote stdout and stderr and exits with the remote exit code.
ps prints the host's processes (PID USER STATE %CPU MEM COMMAND; --json for the raw list).
kill sends SIGTERM (or --signal SIGKILL, SIGHUP, SIGINT, SIGUSR1, SIGUSR2) to one process.
Both need the "process" operation class in the agent's local policy; pid 1 and the agent are refused.
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
      json: { type: 'boolean', default: false }, timeout: { type: 'string' }, signal: { type: 'string' }, help: { type: 'boolean', short: 'h' }
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
      default:
        throw new UsageError(verb === undefined ? 'ctl needs a verb: hosts, host, exec, ps or kill' : `unknown ctl verb "${verb}"`)
    }
  } finally {
    agent.destroy()
  }
}
