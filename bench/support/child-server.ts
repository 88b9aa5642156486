// Starts a benchmark server script as a child process and reads its one-line JSON greeting.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { createInterface } from 'node:readline'

/** A server process started for a benchmark. */
export interface ChildServer<T> {
  readonly info: T
  readonly pid: number
  /** CPU seconds (user + system) the process has used so far, from /proc. */
  cpuSeconds (): number
  stop (): Promise<void>
}

const CLOCK_TICKS = 100

/** Runs `node [NODE_FLAGS…] SCRIPT ARGS…` (relative to bench/) and waits for its first stdout line. */
export async function startChildServer<T> (script: string, args: readonly string[], nodeFlags: readonly string[] = []): Promise<ChildServer<T>> {
  const child: ChildProcess = spawn(process.execPath, [...nodeFlags, path.join(import.meta.dirname, '..', script), ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
  if (child.stdout === null || child.pid === undefined) throw new Error(`cannot start ${script}`)
  const pid = child.pid
  const lines = createInterface({ input: child.stdout })
  const [first] = await once(lines, 'line') as [string]
  return {
    info: JSON.parse(first) as T,
    pid,
    cpuSeconds: () => {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
      return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS
    },
    async stop () {
      child.kill('SIGTERM')
      await once(child, 'exit')
    }
  }
}
