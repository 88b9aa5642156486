import { spawn } from 'node:child_process'
import { once } from 'node:events'
import type { NetnsLab } from './netns-lab.ts'

/** How a TCP connection attempt from inside a namespace ended. */
export type TcpProbeResult = { readonly ok: true } | { readonly ok: false, readonly code: string }

// Runs in a fresh node inside the namespace: the test process itself stays in the root one.
const CONNECT = `
const s = require('node:net').connect({ host: process.argv[1], port: Number(process.argv[2]) })
const out = (r) => { process.stdout.write(JSON.stringify(r)); s.destroy() }
s.setTimeout(Number(process.argv[3]), () => out({ ok: false, code: 'ETIMEDOUT' }))
s.once('connect', () => out({ ok: true }))
s.once('error', (e) => out({ ok: false, code: e.code ?? e.message }))`

/** Tries a TCP connection from `ns` to HOST:PORT, giving up after `timeoutMs` (ETIMEDOUT). */
export async function tcpProbe (lab: NetnsLab, ns: string, host: string, port: number, timeoutMs = 2_000): Promise<TcpProbeResult> {
  const r = await lab.run(ns, [process.execPath, '-e', CONNECT, host, String(port), String(timeoutMs)], { timeoutMs: timeoutMs + 10_000 })
  if (r.code !== 0) throw new Error(`tcp probe in ${ns} failed (${r.code ?? r.signal}): ${r.stderr}`)
  return JSON.parse(r.stdout) as TcpProbeResult
}

const LISTEN = `
// A prober that hangs up at once resets the greeting; that must not end the server.
const srv = require('node:net').createServer((c) => { c.on('error', () => {}); c.end('hello from ' + process.argv[3] + '\\n') })
srv.listen({ host: process.argv[1], port: Number(process.argv[2]) }, () => process.stdout.write(String(srv.address().port) + '\\n'))`

/** A TCP server inside a namespace that greets and closes each connection. */
export interface TcpListener {
  readonly port: number
  stop (): Promise<void>
}

/** Listens on HOST:PORT (0: any free port) inside `ns`. */
export async function tcpListen (lab: NetnsLab, ns: string, host: string, port = 0): Promise<TcpListener> {
  const [file, ...prefix] = lab.prefix(ns)
  const child = spawn(file ?? 'ip', [...prefix, process.execPath, '-e', LISTEN, host, String(port), ns], { stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = once(child, 'exit')
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGKILL')
    await exited
  }
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c })
  const timer = setTimeout(() => { void stop() }, 10_000)
  let out = ''
  for await (const chunk of child.stdout.setEncoding('utf8')) {
    out += String(chunk)
    if (out.includes('\n')) break
  }
  clearTimeout(timer)
  const bound = Number.parseInt(out, 10)
  if (!(bound > 0)) {
    await stop()
    throw new Error(`tcp listener in ${ns} on ${host}:${port} did not start: ${stderr}`)
  }
  return { port: bound, stop }
}
