// Helpers for tests of the shipped `outpost` command: real processes, temp dirs, JSON logs.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { TestContext } from 'node:test'
import { startOutpost, runOutpost, type OutpostProcess } from '@outpost/testkit'

/** A temp dir removed after the test. */
export function tempDir (t: TestContext, prefix = 'outpost-cli-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A running `outpost hub` process on a random loopback port. */
export interface HubProcess {
  readonly proc: OutpostProcess
  readonly url: string
  readonly fingerprint: string
  readonly dataDir: string
  /** Extra flags given (e.g. `--db`), repeated for `outpost admin`. */
  readonly storeFlags: readonly string[]
}

/** Starts `outpost hub --data DIR --listen 127.0.0.1:0` and waits until it listens. */
export async function startHubProcess (t: TestContext, options: { dataDir?: string, flags?: readonly string[], env?: Record<string, string> } = {}): Promise<HubProcess> {
  const dataDir = options.dataDir ?? tempDir(t, 'outpost-hub-')
  const flags = options.flags ?? []
  const proc = startOutpost(['hub', '--data', dataDir, '--listen', '127.0.0.1:0', ...flags], { env: { OUTPOST_ADMIN_PASSWORD: 'correct horse battery', ...options.env } })
  t.after(() => proc.stop())
  const line = await proc.waitForLog((l) => l.msg === 'hub listening')
  return { proc, url: `https://127.0.0.1:${String(line.port)}`, fingerprint: String(line.fingerprint), dataDir, storeFlags: flags }
}

/** `outpost admin VERB …` against a hub's data dir; returns the printed token. */
export async function adminToken (hub: HubProcess, args: readonly string[]): Promise<string> {
  const r = await runOutpost(['admin', ...args, '--data', hub.dataDir, ...hub.storeFlags])
  if (r.code !== 0) throw new Error(`outpost admin ${args.join(' ')} failed (${r.code}): ${r.stderr}`)
  return r.stdout.trim()
}

/** Starts `outpost agent …` and waits until it has sent its first report and had it acknowledged. */
export async function startAgentProcess (t: TestContext, args: readonly string[], env: Record<string, string | undefined> = {}): Promise<OutpostProcess> {
  const proc = startOutpost(['agent', '--log-level', 'debug', ...args], { env })
  t.after(() => proc.stop())
  return proc
}

/** `outpost ctl …` with the hub's pin and token. */
export function ctl (hub: HubProcess, token: string, args: readonly string[]): ReturnType<typeof runOutpost> {
  return runOutpost(['ctl', '--hub', hub.url, '--fingerprint', hub.fingerprint, '--token', token, ...args])
}

/** Polls `check` until it returns a value (not undefined), at most `timeoutMs`. */
export async function eventually<T> (check: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    try {
      const v = await check()
      if (v !== undefined) return v
    } catch (err) {
      last = err
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`timed out waiting for ${what}${last === undefined ? '' : `: ${String(last)}`}`)
}
