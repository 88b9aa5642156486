import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import path from 'node:path'

/** The `outpost` command as shipped: bin/outpost.js at the repo root. */
export const OUTPOST_BIN = path.resolve(import.meta.dirname, '../../../bin/outpost.js')

/** A running `outpost …` process whose JSON log lines are collected as they arrive. */
export interface OutpostProcess {
  readonly child: ChildProcess
  readonly pid: number
  /** Parsed JSON lines of stdout (pino logs), in order. */
  readonly logs: readonly Record<string, unknown>[]
  /** Raw stdout and stderr so far. */
  output (): { stdout: string, stderr: string }
  /** Resolves with the first log line (already seen or future) for which `match` is true. */
  waitForLog (match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (null if killed). */
  stop (graceMs?: number): Promise<number | null>
}

/**
 * A command that runs the next one in another context, e.g. `['ip', 'netns', 'exec', NS]`; it
 * must exec (not fork) so that the pid and signals are those of `outpost` itself.
 */
export type CommandPrefix = readonly string[]

/** argv of `outpost ARGS…` under `prefix`: [file, ...args] for `spawn`. */
function outpostArgv (args: readonly string[], prefix: CommandPrefix = []): [string, string[]] {
  const argv = [...prefix, process.execPath, OUTPOST_BIN, ...args]
  return [argv[0] ?? process.execPath, argv.slice(1)]
}

/** Starts `outpost ARGS…` with Node 24 (the test's own node), under `prefix` when given. */
export function startOutpost (args: readonly string[], options: { env?: Record<string, string | undefined>, cwd?: string, prefix?: CommandPrefix } = {}): OutpostProcess {
  const [file, argv] = outpostArgv(args, options.prefix)
  const child = spawn(file, argv, {
    cwd: options.cwd ?? process.cwd(),
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const logs: Record<string, unknown>[] = []
  const waiters = new Set<() => void>()
  let stdout = ''
  let stderr = ''
  let partial = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
    partial += chunk
    const lines = partial.split('\n')
    partial = lines.pop() ?? ''
    for (const line of lines) {
      if (!line.startsWith('{')) continue
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>)
      } catch {
        continue // a non-JSON line in the output (e.g. a banner) is not a log entry
      }
    }
    for (const w of [...waiters]) w()
  })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const exited = once(child, 'exit')
  if (child.pid === undefined) throw new Error(`could not start ${OUTPOST_BIN}`)
  const pid = child.pid
  return {
    child,
    pid,
    logs,
    output: () => ({ stdout, stderr }),
    waitForLog (match, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const hit = logs.find(match)
          if (hit !== undefined) {
            done()
            resolve(hit)
          } else if (child.exitCode !== null || child.signalCode !== null) {
            done()
            reject(new Error(`outpost ${args[0] ?? ''} exited (${child.exitCode ?? child.signalCode}) before the expected log line.\nstderr: ${stderr.slice(-2000)}\nstdout: ${stdout.slice(-2000)}`))
          }
        }
        const timer = setTimeout(() => {
          done()
          reject(new Error(`no matching log line from outpost ${args[0] ?? ''} within ${timeoutMs} ms.\nstderr: ${stderr.slice(-2000)}\nstdout: ${stdout.slice(-2000)}`))
        }, timeoutMs)
        const onExit = (): void => check()
        const done = (): void => {
          clearTimeout(timer)
          waiters.delete(check)
          child.off('exit', onExit)
        }
        waiters.add(check)
        child.on('exit', onExit)
        check()
      })
    },
    async stop (graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      const [code] = await exited as [number | null]
      clearTimeout(timer)
      return code
    }
  }
}

/** Runs `outpost ARGS…` to completion; for commands that end by themselves (admin, ctl). */
export async function runOutpost (args: readonly string[], options: { env?: Record<string, string | undefined>, input?: string, timeoutMs?: number, prefix?: CommandPrefix } = {}): Promise<{ code: number | null, stdout: string, stderr: string }> {
  const [file, argv] = outpostArgv(args, options.prefix)
  const child = spawn(file, argv, { env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (c: string) => { stdout += c })
  child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c })
  child.stdin.end(options.input ?? '')
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000)
  const [code] = await once(child, 'exit') as [number | null]
  clearTimeout(timer)
  return { code, stdout, stderr }
}
