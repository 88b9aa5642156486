import net from 'node:net'

/** A running balancer: where it listens and how many connections each target got. */
export interface TcpBalancer {
  readonly port: number
  /** Connections handed to each target, in the order of `targets`. */
  readonly counts: number[]
  close (): Promise<void>
}

/**
 * A layer-4 load balancer in front of hub replicas, as operators run one (TLS passes through to
 * the hub, which the agents' certificate pin requires): each new connection goes to the next
 * target in turn, skipping a target that refuses, so a dead replica costs a reconnect.
 */
export async function startTcpBalancer (targets: ReadonlyArray<{ host: string, port: number }>): Promise<TcpBalancer> {
  const counts = targets.map(() => 0)
  const sockets = new Set<net.Socket>()
  let next = 0
  const dial = (client: net.Socket, tries: number): void => {
    if (tries >= targets.length || client.destroyed) {
      client.destroy()
      return
    }
    const i = next++ % targets.length
    const t = targets[i]!
    const upstream = net.connect(t.port, t.host)
    let connected = false
    upstream.once('error', () => {
      if (!connected) dial(client, tries + 1)
    })
    upstream.once('connect', () => {
      connected = true
      counts[i]!++
      sockets.add(upstream)
      upstream.once('close', () => { sockets.delete(upstream); client.destroy() })
      upstream.on('error', () => upstream.destroy())
      client.once('close', () => upstream.destroy())
      client.pipe(upstream)
      upstream.pipe(client)
      client.resume()
    })
  }
  const server = net.createServer((client) => {
    sockets.add(client)
    client.pause()
    client.on('error', () => client.destroy())
    client.once('close', () => sockets.delete(client))
    dial(client, 0)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as net.AddressInfo).port
  return {
    port,
    counts,
    async close () {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}
