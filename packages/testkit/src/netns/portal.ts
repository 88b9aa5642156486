import { spawn } from 'node:child_process'
import { once } from 'node:events'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import type { NetnsLab } from './netns-lab.ts'

/** A loopback port of the test process that leads to HOST:PORT inside a namespace. */
export interface Portal {
  /** `127.0.0.1`: the test process's own namespace. */
  readonly host: string
  readonly port: number
  close (): Promise<void>
}

// Runs inside the namespace: a Unix socket (a file, so it is reachable from every network
// namespace) whose connections are piped to HOST:PORT of that namespace.
const BRIDGE = `
const net = require('node:net')
const [sock, host, port] = process.argv.slice(1)
const srv = net.createServer((c) => {
  const u = net.connect({ host, port: Number(port) })
  c.on('error', () => u.destroy())
  u.on('error', () => c.destroy())
  c.pipe(u).pipe(c)
})
srv.listen(sock, () => process.stdout.write('ready\\n'))`

/**
 * Lets the test process (an operator's machine, outside the lab) reach a server inside `ns`
 * without giving any namespace a route to anything: a bridge process in `ns` listens on a Unix
 * socket, and a loopback listener here pipes each connection to it. TLS passes through
 * untouched. Nothing inside the lab can use it: it exists only in the test's namespace.
 */
export async function portal (lab: NetnsLab, ns: string, host: string, port: number): Promise<Portal> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-portal-'))
  const sock = path.join(dir, 'bridge.sock')
  const [file, ...prefix] = lab.prefix(ns)
  const child = spawn(file ?? 'ip', [...prefix, process.execPath, '-e', BRIDGE, sock, host, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = once(child, 'exit')
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c })
  const open = new Set<net.Socket>()
  const server = net.createServer((c) => {
    const u = net.connect(sock)
    open.add(c)
    c.once('close', () => open.delete(c))
    c.on('error', () => u.destroy())
    u.on('error', () => c.destroy())
    c.pipe(u).pipe(c)
  })
  const close = async (): Promise<void> => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    // server.close() waits for open connections: cut them (the lab is being torn down).
    for (const c of open) c.destroy()
    await closed
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
      await exited
    }
    fs.rmSync(dir, { recursive: true, force: true })
  }
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
  let out = ''
  for await (const chunk of child.stdout.setEncoding('utf8')) {
    out += String(chunk)
    if (out.includes('\n')) break
  }
  clearTimeout(timer)
  if (!out.startsWith('ready')) {
    await close()
    throw new Error(`portal bridge in ${ns} to ${host}:${port} did not start: ${stderr}`)
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => { server.off('error', reject); resolve() })
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('portal listener has no port')
  return { host: '127.0.0.1', port: address.port, close }
}
