const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** Parses `500ms`, `30s`, `10m`, `1h`, `7d` (or a bare number of milliseconds) into milliseconds. */
export function parseDuration (text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim())
  if (m === null) throw new UsageError(`${flag}: "${text}" is not a duration (examples: 500ms, 30s, 10m, 1h)`)
  return Math.round(Number(m[1]) * (UNITS[m[2] ?? 'ms'] ?? 1))
}

/** A mistake in how the command was called: printed with the usage, exit code 2. */
export class UsageError extends Error {
  readonly code = 'CLI_ERR_USAGE'
  constructor (message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

/** Splits `HOST:PORT` (IPv6 in brackets) into its parts. */
export function parseHostPort (text: string, flag: string): { host: string, port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text)
  const port = m === null ? NaN : Number(m[3])
  if (m === null || port > 65535) throw new UsageError(`${flag}: "${text}" is not HOST:PORT`)
  return { host: m[1] ?? m[2] ?? '', port }
}
