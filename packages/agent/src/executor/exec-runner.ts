import { spawn } from 'node:child_process'
import { DEFAULT_EXEC_OUTPUT_BYTES, DEFAULT_EXEC_TIMEOUT_MS, type ExecBody } from '@outpost/protocol'
import { AgentError, AgentErrorCode } from '../errors.ts'
import { CappedBuffer, signalProcessGroup } from './child-output.ts'

/** What one `exec` produced. */
export interface ExecOutcome {
  readonly exitCode: number | null
  /** `SIGKILL` after a time-out, or whatever signal ended the process. */
  readonly signal: string | null
  readonly stdout: string
  readonly stderr: string
  readonly truncated: boolean
  readonly timedOut: boolean
  readonly durationMs: number
}

/**
 * Runs `argv` without a shell, in its own process group so a time-out kills the whole tree
 * (SIGKILL to the group). Output past the cap is read and discarded, never buffered, so a chatty
 * program cannot exhaust memory. Rejects with `AGENT_ERR_EXEC_FAILED` when it cannot start.
 */
export function runExec (body: ExecBody, opts: { signal?: AbortSignal, onOutput?: (stream: 'stdout' | 'stderr', data: Buffer) => void } = {}): Promise<ExecOutcome> {
  const started = performance.now()
  const cap = body.maxOutputBytes ?? DEFAULT_EXEC_OUTPUT_BYTES
  const timeoutMs = body.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS
  const [file, ...args] = body.argv
  return new Promise((resolve, reject) => {
    const child = spawn(file!, args, {
      cwd: body.cwd,
      env: { ...process.env, ...body.env },
      shell: false,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true
    })
    const out = new CappedBuffer(cap)
    const err = new CappedBuffer(cap)
    let timedOut = false
    const killGroup = (): void => { signalProcessGroup(child.pid, 'SIGKILL') }
    const timer = setTimeout(() => { timedOut = true; killGroup() }, timeoutMs)
    const onAbort = (): void => killGroup()
    opts.signal?.addEventListener('abort', onAbort, { once: true })
    child.stdout.on('data', (c: Buffer) => { out.push(c); opts.onOutput?.('stdout', c) })
    child.stderr.on('data', (c: Buffer) => { err.push(c); opts.onOutput?.('stderr', c) })
    child.once('error', (cause) => {
      clearTimeout(timer)
      opts.signal?.removeEventListener('abort', onAbort)
      reject(new AgentError(AgentErrorCode.ExecFailed, `cannot run ${file}: ${cause.message}`, { cause }))
    })
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      opts.signal?.removeEventListener('abort', onAbort)
      // Grandchildren may still hold the group; the command is over, so they go too.
      if (timedOut) killGroup()
      resolve({
        exitCode: code,
        signal,
        stdout: out.text(),
        stderr: err.text(),
        truncated: out.truncated || err.truncated,
        timedOut,
        durationMs: Math.round(performance.now() - started)
      })
    })
  })
}
