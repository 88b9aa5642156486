// What one idle connection costs a Node server, by transport: plain TCP, TLS 1.3, TLS 1.2. The
// floor under the load harness's "KiB per agent": a hub holds one TLS socket per connected agent.
// A server process of its own (this file with `serve`) accepts N connections made one after the
// other from this process; its RSS is read from /proc before and after, after a forced GC.
//
//   npm run bench:tls-memory -- [N=3000]
import { fork } from 'node:child_process'
import { once } from 'node:events'
import net from 'node:net'
import tls from 'node:tls'
import { makeTestCert } from '@outpost/testkit'
import { rssBytes } from './support/proc-sample.ts'

type Mode = 'tcp' | 'tls1.3' | 'tls1.2'

if (process.argv[2] === 'serve') {
  const mode = process.argv[3] as Mode
  const { cert, key } = JSON.parse(process.env.BENCH_CERT ?? '{}') as { cert: string, key: string }
  const held: net.Socket[] = []
  const keep = (s: net.Socket): void => { held.push(s); s.on('error', () => {}); s.on('data', () => {}) }
  const server = mode === 'tcp' ? net.createServer(keep) : tls.createServer({ cert, key, ...(mode === 'tls1.2' ? { maxVersion: 'TLSv1.2' } : {}) }, keep)
  server.listen(0, '127.0.0.1', () => { process.send?.({ port: (server.address() as net.AddressInfo).port }) })
  process.on('message', () => {
    globalThis.gc?.()
    setTimeout(() => { process.send?.({ held: held.length }) }, 500)
  })
} else {
  const n = Number(process.argv[2] ?? 3000)
  const pem = await makeTestCert()
  console.log(`| transport | connections | server RSS before, MiB | after, MiB | KiB per connection |\n|---|---:|---:|---:|---:|`)
  for (const mode of ['tcp', 'tls1.3', 'tls1.2'] as const) {
    const child = fork(import.meta.filename, ['serve', mode], { execArgv: ['--expose-gc'], env: { ...process.env, BENCH_CERT: JSON.stringify(pem) } })
    const [{ port }] = await once(child, 'message') as [{ port: number }]
    const ask = async (): Promise<number> => { child.send('gc'); await once(child, 'message'); return rssBytes(child.pid!) }
    const before = await ask()
    const sockets: net.Socket[] = []
    for (let i = 0; i < n; i++) {
      const s = mode === 'tcp' ? net.connect(port, '127.0.0.1') : tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false })
      s.on('error', () => {})
      await once(s, mode === 'tcp' ? 'connect' : 'secureConnect')
      s.write('hello')
      sockets.push(s)
    }
    const after = await ask()
    console.log(`| ${mode} | ${n} | ${(before / 2 ** 20).toFixed(0)} | ${(after / 2 ** 20).toFixed(0)} | ${((after - before) / n / 1024).toFixed(1)} |`)
    for (const s of sockets) s.destroy()
    child.kill()
    await once(child, 'exit')
  }
}
