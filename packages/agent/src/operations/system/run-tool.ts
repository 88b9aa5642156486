import { spawn } from 'node:child_process'
import { AgentError, AgentErrorCode } from '../../errors.ts'
import { CappedBuffer, signalProcessGroup } from '../../executor/child-output.ts'
import type { ExecOutcome } from '../../executor/exec-runner.ts'

/**
 * The environment every system tool runs with, on top of the agent's own: untranslated messages
 * (the parsers read them), no pager, no colour, and no question ever asked (apt, debconf).
 */
export const TOOL_ENV: Readonly<Record<string, string>> = Object.freeze({
  LC_ALL: 'C',
  LANG: 'C',
  DEBIAN_FRONTEND: 'noninteractive',
  SYSTEMD_PAGER: '',
  SYSTEMD_COLORS: '0',
  PAGER: 'cat'
})

/** Output kept per stream of one tool run; more is read and discarded (the result says truncated). */
export const TOOL_OUTPUT_BYTES = 1024 * 1024
/** A tool still running this long after SIGTERM (time-out or agent stop) gets SIGKILL. */
const KILL_GRACE_MS = 5000

/** One run of a system tool. */
export interface ToolRun {
  /** Program and arguments, never through a shell. */
  readonly argv: readonly [string, ...string[]]
  readonly timeoutMs: number
  readonly maxOutputBytes?: number
  readonly signal?: AbortSignal | undefined
  /** Called with each piece of output as it arrives (for streaming). */
  readonly onOutput?: (stream: 'stdout' | 'stderr', data: Buffer) => void
}

/** What a tool run produced: the same facts as an `exec`. */
export type ToolOutcome = ExecOutcome

/** True when `err` (from `runTool`) says the program is not installed. */
export function isMissingTool (err: unknown): boolean {
  return (err as { cause?: { code?: unknown } } | undefined)?.cause?.code === 'ENOENT'
}

/**
 * Runs a system tool the way `execFile` does (argv, no shell) but with a cap that truncates the
 * kept output instead of killing the tool: killing apt half-way through dpkg for being chatty
 * would do more harm than the output is worth. A time-out sends SIGTERM to the tool's process
 * group, then SIGKILL. Rejects with `AGENT_ERR_OPERATION_FAILED` when the tool cannot start
 * (`isMissingTool` tells a missing one).
 */
export function runTool (run: ToolRun): Promise<ToolOutcome> {
  const started = performance.now()
  const cap = run.maxOutputBytes ?? TOOL_OUTPUT_BYTES
  const [file, ...args] = run.argv
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: { ...process.env, ...TOOL_ENV }, shell: false, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    const kept = { stdout: new CappedBuffer(cap), stderr: new CappedBuffer(cap) }
    let timedOut = false
    let killTimer: NodeJS.Timeout | undefined
    const signalGroup = (sig: NodeJS.Signals): void => { signalProcessGroup(child.pid, sig) }
    const stop = (): void => {
      signalGroup('SIGTERM')
      killTimer ??= setTimeout(() => signalGroup('SIGKILL'), KILL_GRACE_MS)
    }
    const timer = setTimeout(() => { timedOut = true; stop() }, run.timeoutMs)
    run.signal?.addEventListener('abort', stop, { once: true })
    const done = (): void => {
      clearTimeout(timer)
      clearTimeout(killTimer)
      run.signal?.removeEventListener('abort', stop)
    }
    for (const name of ['stdout', 'stderr'] as const) {
      child[name].on('data', (c: Buffer) => {
        kept[name].push(c)
        run.onOutput?.(name, c)
      })
    }
    child.once('error', (cause) => {
      done()
      reject(new AgentError(AgentErrorCode.OperationFailed, `cannot run ${file}: ${cause.message}`, { cause }))
    })
    child.once('close', (code, sig) => {
      done()
      resolve({
        exitCode: code,
        signal: sig,
        stdout: kept.stdout.text(),
        stderr: kept.stderr.text(),
        truncated: kept.stdout.truncated || kept.stderr.truncated,
        timedOut,
        durationMs: Math.round(performance.now() - started)
      })
    })
  })
}
