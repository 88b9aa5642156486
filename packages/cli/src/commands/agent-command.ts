import { parseArgs } from 'node:util'
import path from 'node:path'
import { pino } from 'pino'
import { DEFAULT_POLICY_FILE, parseAgentConfig, runAgent, type AgentConfig, type AgentConfigInput } from '@outpost/agent'
import { UsageError, parseDuration } from '../parse-duration.ts'
import type { CliIo } from '../cli-io.ts'

export const AGENT_HELP = `outpost agent — run the agent on a managed server (it opens no port unless --relay-listen)

  outpost agent --enroll TOKEN --state DIR [options]   first run: enroll, then keep running
  outpost agent --state DIR [options]                  later runs

--state DIR        key pair, pinned hub facts and the spool (created with mode 0700)
--interval 30s     reporting interval (each one jittered by ±20 %)
--proxy URL        HTTP CONNECT proxy (default: HTTPS_PROXY / https_proxy)
--upstream LIST    ordered ways to the hub, best first, comma-separated: relay://host:port
                   (an Outpost relay of this site) or the hub's https:// URL (direct); the
                   agent fails over down the list and returns up when a better one answers.
                   Enrollment tunnels through it too. Relay entries exclude --proxy.
--relay-listen ADDR:PORT   relay for the agents of this site (they authenticate with their own
                   keys; only CONNECTs to this agent's hub are forwarded). A wildcard address
                   (0.0.0.0, ::) is refused unless --relay-any is given too.
--transport MODE   auto (WebSocket, falling back to POST), ws, or http (POST/long-poll only)
--policy FILE      local policy (protected paths, exec mode, operations, upload size); must
                   exist. Without it /etc/outpost/policy.json is used when present, else the
                   defaults (exec any; shadow files, SSH and TLS private keys and the state dir
                   protected). The file must not be writable by group/others (root-owned when
                   the agent runs as root); unknown keys stop the agent.
--log-level LEVEL  fatal, error, warn, info, debug, trace or silent
`

/** Turns `outpost agent` flags (and HTTPS_PROXY) into a validated config. */
export function agentConfigFromFlags (argv: readonly string[], env: CliIo['env']): AgentConfig | 'help' {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      enroll: { type: 'string' }, state: { type: 'string' }, interval: { type: 'string' }, proxy: { type: 'string' },
      transport: { type: 'string' }, upstream: { type: 'string', multiple: true }, 'relay-listen': { type: 'string' }, 'relay-any': { type: 'boolean' }, policy: { type: 'string' }, 'log-level': { type: 'string' }, help: { type: 'boolean', short: 'h' }
    }
  })
  if (values.help === true) return 'help'
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0] ?? ''}"`)
  if (values.state === undefined) throw new UsageError('--state DIR is required')
  // An explicit upstream list replaces the environment's proxy (the two cannot be combined).
  const proxy = values.proxy ?? (values.upstream === undefined ? env.HTTPS_PROXY ?? env.https_proxy : undefined)
  const input: AgentConfigInput = {
    stateDir: path.resolve(values.state),
    enrollToken: values.enroll ?? null,
    ...(values.interval === undefined ? {} : { intervalMs: parseDuration(values.interval, '--interval') }),
    ...(proxy === undefined || proxy === '' ? {} : { proxy }),
    ...(values.upstream === undefined ? {} : { upstreams: values.upstream.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '') }),
    ...(values['relay-listen'] === undefined ? {} : { relayListen: values['relay-listen'] }),
    ...(values['relay-any'] === true ? { relayAny: true } : {}),
    policyFile: values.policy === undefined ? DEFAULT_POLICY_FILE : path.resolve(values.policy),
    ...(values.transport === undefined ? {} : { transport: values.transport as AgentConfig['transport'] }),
    ...(values['log-level'] === undefined ? {} : { logLevel: values['log-level'] as AgentConfig['logLevel'] })
  }
  return parseAgentConfig(input)
}

/** `outpost agent …`: runs until SIGTERM/SIGINT; resolves with the exit code. */
export async function agentCommand (argv: readonly string[], io: CliIo): Promise<number> {
  const config = agentConfigFromFlags(argv, io.env)
  if (config === 'help') {
    io.stdout.write(AGENT_HELP)
    return 0
  }
  await runAgent(config, pino({ level: config.logLevel }))
  return 0
}
