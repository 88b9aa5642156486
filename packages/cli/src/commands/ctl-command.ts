import { parseArgs } from 'node:util'
import { readFileSync } from 'node:fs'
import { Agent as HttpsAgent } from 'node:https'
import { CommandStatus, CreatedCommand, HostDetail, HostList, type CreateCommandRequest } from '@outpost/protocol'
import { PinnedAgent } from '@outpost/agent'
import { OperatorClient } from '../ctl/operator-client.ts'
import { UsageError, parseDuration } from '../parse-duration.ts'
import type { CliIo } from '../cli-io.ts'
import { formatHostTable } from '../ctl/host-table.ts'

const TERMINAL = new Set(['completed', 'failed', 'rejected', 'expired'])
/** Longest one `GET /commands/:id?wait=` is held; the CLI asks again until the command ends. */
const WAIT_SLICE_MS = 25_000

export const CTL_HELP = `outpost ctl — a thin client of the hub's operator API

  outpost ctl [--hub URL] [--token T] [--fingerprint SHA256 | --ca FILE] [--json] hosts
  outpost ctl … host ID
  outpost ctl … exec ID [--timeout 60s] -- PROGRAM [ARG…]

--hub, --token and --fingerprint default to OUTPOST_HUB, OUTPOST_TOKEN and OUTPOST_FINGERPRINT.
exec prints the remote stdout and stderr and exits with the remote exit code.
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
      json: { type: 'boolean', default: false }, timeout: { type: 'string' }, help: { type: 'boolean', short: 'h' }
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
    const [verb, id] = positionals
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
        const body: CreateCommandRequest = { type: 'exec', argv: remoteArgv, timeoutMs }
        const { id: commandId } = await client.post(`/api/v1/hosts/${encodeURIComponent(id)}/commands`, body, CreatedCommand)
        let status = await client.get(`/api/v1/commands/${commandId}?wait=${WAIT_SLICE_MS}`, CommandStatus)
        while (!TERMINAL.has(status.status)) status = await client.get(`/api/v1/commands/${commandId}?wait=${WAIT_SLICE_MS}`, CommandStatus)
        io.stdout.write(status.stdout)
        io.stderr.write(status.stderr)
        if (status.truncated) io.stderr.write('outpost: output was truncated at the size limit\n')
        if (status.status !== 'completed') {
          io.stderr.write(`outpost: command ${status.status}${status.error === null ? '' : `: ${status.error.code}: ${status.error.message}`}\n`)
          return 1
        }
        if (status.exitCode !== null) return status.exitCode
        io.stderr.write(`outpost: remote process ended by ${status.signal ?? 'a signal'}\n`)
        return 128 + (status.signal === 'SIGKILL' ? 9 : status.signal === 'SIGTERM' ? 15 : 1)
      }
      default:
        throw new UsageError(verb === undefined ? 'ctl needs a verb: hosts, host or exec' : `unknown ctl verb "${verb}"`)
    }
  } finally {
    agent.destroy()
  }
}
