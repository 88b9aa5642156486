import fs from 'node:fs'
import os from 'node:os'
import pty from 'node-pty'

/** Output is gathered this long after a write before the next one goes out. */
export const COALESCE_MS = 4
/** Output chunks closer together than this count as a stream (bulk output) and are coalesced. */
const BURST_GAP_MS = 1
/** A gathered batch goes out at once past this size. */
const MAX_BATCH_BYTES = 64 * 1024

/** How the shell ended. */
export interface ShellExit { readonly exitCode: number | null, readonly signal: string | null }

/** A login shell in a pseudo-terminal. */
export interface PtyShell {
  write (bytes: Buffer): void
  resize (cols: number, rows: number): void
  pause (): void
  resume (): void
  /** SIGHUP (as a terminal hang-up), then SIGKILL if it is still there after `graceMs`. */
  kill (graceMs: number): void
  readonly exited: Promise<ShellExit>
}

/** The agent user's login shell: `$SHELL`, else /bin/bash, else /bin/sh. */
export function loginShell (env: NodeJS.ProcessEnv = process.env): string {
  const candidates = [env.SHELL, '/bin/bash', '/bin/sh'].filter((s): s is string => typeof s === 'string' && s.startsWith('/'))
  return candidates.find(s => fs.existsSync(s)) ?? '/bin/sh'
}

/**
 * Spawns the login shell in the agent user's home with TERM=xterm-256color. Output is handed to
 * `onOutput` coalesced: a chunk after a pause goes at once (echo stays fast), while chunks that
 * stream in back to back are gathered for up to `COALESCE_MS` (bulk output costs fewer frames).
 */
export function spawnShell (o: { cols: number, rows: number, onOutput: (bytes: Buffer) => void }): PtyShell {
  const shell = loginShell()
  const p = pty.spawn(shell, ['-l'], {
    name: 'xterm-256color',
    cols: o.cols,
    rows: o.rows,
    cwd: os.homedir(),
    env: { ...process.env, TERM: 'xterm-256color' },
    encoding: null
  })
  let done = false
  let batch: Buffer[] = []
  let size = 0
  let lastData = -Infinity
  let timer: NodeJS.Timeout | undefined
  const flush = (): void => {
    timer = undefined
    if (size === 0) return
    const out = batch.length === 1 ? batch[0]! : Buffer.concat(batch)
    batch = []
    size = 0
    o.onOutput(out)
  }
  p.onData((d: string | Buffer) => {
    const chunk = typeof d === 'string' ? Buffer.from(d, 'utf8') : d
    batch.push(chunk)
    size += chunk.length
    const now = performance.now()
    // A chunk after a pause (an echo, a prompt) goes at once; chunks in a stream wait for company.
    const quiet = now - lastData >= BURST_GAP_MS
    lastData = now
    if ((quiet && timer === undefined) || size >= MAX_BATCH_BYTES) {
      clearTimeout(timer)
      flush()
    } else {
      timer ??= setTimeout(flush, COALESCE_MS)
    }
  })
  const exited = new Promise<ShellExit>((resolve) => {
    p.onExit(({ exitCode, signal }) => {
      done = true
      clearTimeout(timer)
      flush()
      const name = signal !== undefined && signal > 0 ? signalName(signal) : null
      resolve({ exitCode: name === null ? exitCode : null, signal: name })
    })
  })
  return {
    write: (bytes) => { if (!done) p.write(bytes) },
    resize: (cols, rows) => { if (!done) p.resize(cols, rows) },
    pause: () => { if (!done) p.pause() },
    resume: () => { if (!done) p.resume() },
    kill: (graceMs) => {
      if (done) return
      p.kill('SIGHUP')
      setTimeout(() => { if (!done) p.kill('SIGKILL') }, graceMs).unref()
    },
    exited
  }
}

function signalName (n: number): string {
  const found = Object.entries(os.constants.signals).find(([, v]) => v === n)
  return found?.[0] ?? `SIG${n}`
}
