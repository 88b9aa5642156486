import { HELP } from './help-text.ts'

/** Runs the `outpost` command with `argv` (without node and script); resolves with the exit code. */
export async function runCli (argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv
  switch (command) {
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(HELP)
      return 0
    default:
      process.stderr.write(`outpost: unknown command "${command}"\n\n${HELP}`)
      return 2
  }
}
