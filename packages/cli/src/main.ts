import { OutpostError } from '@outpost/protocol'
import { HELP } from './help-text.ts'
import { UsageError } from './parse-duration.ts'
import type { CliIo } from './cli-io.ts'

type Command = (argv: readonly string[], io: CliIo) => Promise<number>

/**
 * The subcommands, one module each, loaded on use: the agent process must not carry the hub
 * (its store, HTTP server and their dependencies cost it about 24 MB of resident memory).
 */
const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  hub: async () => (await import('./commands/hub-command.ts')).hubCommand,
  agent: async () => (await import('./commands/agent-command.ts')).agentCommand,
  admin: async () => (await import('./commands/admin-command.ts')).adminCommand,
  ctl: async () => (await import('./commands/ctl-command.ts')).ctlCommand,
  demo: async () => (await import('./commands/demo-command.ts')).demoCommand
}

/**
 * Runs the `outpost` command with `argv` (without node and script) and resolves with the exit
 * code: 0 success, 1 failure (the error's code and message on stderr), 2 wrong usage.
 */
export async function runCli (argv: readonly string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    io.stdout.write(HELP)
    return name === undefined ? 2 : 0
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined
  if (load === undefined) {
    io.stderr.write(`outpost: unknown command "${name}"\n\n${HELP}`)
    return 2
  }
  try {
    const command = await load()
    return await command(rest, io)
  } catch (err) {
    if (err instanceof UsageError || (err instanceof TypeError && 'code' in err && typeof err.code === 'string' && err.code.startsWith('ERR_PARSE_ARGS'))) {
      io.stderr.write(`outpost ${name}: ${err.message}\nRun "outpost ${name} --help" for the options.\n`)
      return 2
    }
    if (err instanceof OutpostError) {
      io.stderr.write(`outpost ${name}: ${err.code}: ${err.message}\n`)
      return 1
    }
    throw err
  }
}
