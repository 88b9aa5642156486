import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createProxy } from 'proxy'

/** A real HTTP proxy (CONNECT tunnels included) on 127.0.0.1, counting what went through it. */
export interface TestProxy {
  /** `http://127.0.0.1:PORT` (with credentials when `auth` was given). */
  readonly url: string
  /** Targets (`host:port`) of every CONNECT the proxy accepted, in order. */
  readonly tunnels: readonly string[]
  cleanup (): Promise<void>
}

/** Starts a proxy on a random loopback port. With `auth`, requests without those basic credentials get 407. */
export async function startProxy (options: { auth?: { user: string, password: string } } = {}): Promise<TestProxy> {
  const server = createProxy(createServer())
  const tunnels: string[] = []
  const expected = options.auth === undefined ? undefined : 'Basic ' + Buffer.from(`${options.auth.user}:${options.auth.password}`).toString('base64')
  server.authenticate = (req: IncomingMessage) => {
    const ok = expected === undefined || req.headers['proxy-authorization'] === expected
    if (ok && req.method === 'CONNECT' && req.url !== undefined) tunnels.push(req.url)
    return ok
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const cred = options.auth === undefined ? '' : `${encodeURIComponent(options.auth.user)}:${encodeURIComponent(options.auth.password)}@`
  return {
    url: `http://${cred}127.0.0.1:${port}`,
    tunnels,
    async cleanup () {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}
