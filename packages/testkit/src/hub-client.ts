import https from 'node:https'
import {
  AgentHeader, HubPath, PROTOCOL_VERSION, decodeEnrollToken, enrollSigningString, generateSigningKeyPair, signBytes, signRequest,
  type SigningKeyPair
} from '@outpost/protocol'

/** An HTTP answer with its body parsed when it is JSON. */
export interface Answer {
  readonly status: number
  readonly headers: Record<string, string | string[] | undefined>
  readonly text: string
  readonly json: any
}

/** One HTTPS request to a hub (its self-signed certificate accepted: pinning is tested apart). */
export function request (url: string, opts: { method?: string, path: string, headers?: Record<string, string>, body?: string | Buffer, agent?: https.Agent }): Promise<Answer> {
  const u = new URL(opts.path, url)
  return new Promise((resolve, reject) => {
    const req = https.request(u, { method: opts.method ?? 'GET', headers: opts.headers ?? {}, rejectUnauthorized: false, agent: opts.agent ?? false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        let json: unknown
        try {
          json = text === '' ? undefined : JSON.parse(text)
        } catch {
          json = undefined // not JSON: the caller looks at `text`
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json })
      })
      res.on('error', reject)
    })
    req.on('error', reject)
    if (opts.body !== undefined) req.write(opts.body)
    req.end()
  })
}

/**
 * A simulated agent: a real Ed25519 key pair enrolled over the real agent API, able to send
 * signed messages. For hub tests and load generation; the real agent is tested on its own.
 */
export interface SimulatedAgent {
  readonly agentId: string
  readonly keys: SigningKeyPair
  readonly hubKey: string
}

/** The enrollment request a real agent would send. */
export function enrollBody (token: string, keys: SigningKeyPair, hostname = 'web-1'): Record<string, unknown> {
  const tokenId = decodeEnrollToken(token).id
  return {
    type: 'enroll', token, publicKey: keys.publicKey, hostname, protocolVersion: PROTOCOL_VERSION, capabilities: ['ws', 'batch'],
    proof: signBytes(keys.privateKey, enrollSigningString(tokenId, keys.publicKey, hostname))
  }
}

/** Enrolls a new simulated agent with `token`. */
export async function enrollSimulatedAgent (hubUrl: string, token: string, hostname = 'web-1'): Promise<SimulatedAgent> {
  const keys = generateSigningKeyPair()
  const res = await postJson(hubUrl, HubPath.AgentEnroll, enrollBody(token, keys, hostname))
  if (res.status !== 200) throw new Error(`enrollment failed: ${res.status} ${res.text}`)
  return { agentId: res.json.agentId, keys, hubKey: res.json.hubKey }
}

/** POSTs JSON without signing. */
export function postJson (url: string, p: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return request(url, { method: 'POST', path: p, headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) })
}

/** Signature headers for a body, as a real agent makes them. */
export function agentHeaders (agent: SimulatedAgent, body: string | Buffer, opts: { path?: string, now?: number } = {}): Record<string, string> {
  return {
    'content-type': 'application/json',
    [AgentHeader.Protocol]: String(PROTOCOL_VERSION),
    ...signRequest(agent.keys.privateKey, { method: 'POST', path: opts.path ?? HubPath.AgentMessages, agentId: agent.agentId, body }, opts.now)
  }
}

/** POSTs a signed agent message. */
export function sendSigned (hubUrl: string, agent: SimulatedAgent, message: unknown, httpsAgent?: https.Agent): Promise<Answer> {
  const body = typeof message === 'string' ? message : JSON.stringify(message)
  return request(hubUrl, { method: 'POST', path: HubPath.AgentMessages, headers: agentHeaders(agent, body), body, ...(httpsAgent === undefined ? {} : { agent: httpsAgent }) })
}

/** An operator API call with a bearer token (`null`: none). */
export function api (hubUrl: string, token: string | null, p: string, opts: { method?: string, body?: unknown } = {}): Promise<Answer> {
  const headers: Record<string, string> = {}
  if (token !== null) headers.authorization = `Bearer ${token}`
  if (opts.body !== undefined) headers['content-type'] = 'application/json'
  return request(hubUrl, { method: opts.method ?? 'GET', path: `/api/v1${p}`, headers, ...(opts.body === undefined ? {} : { body: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) }) })
}
