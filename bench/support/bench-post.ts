// Plain node:https POSTs for the latency benchmarks, over a caller's keep-alive agent.
import https from 'node:https'
import { agentHeaders, type SimulatedAgent } from '@outpost/testkit'

/** Status and body text of an answer. */
export interface PostAnswer {
  readonly status: number
  readonly text: string
}

/** POSTs `body` to `url`; rejects on a network error or when `signal` aborts. */
export function post (url: URL, agent: https.Agent, headers: Record<string, string>, body: string, signal?: AbortSignal): Promise<PostAnswer> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, ...(signal === undefined ? {} : { signal }) }, (res) => {
      let text = ''
      res.setEncoding('utf8').on('data', (c: string) => { text += c }).on('end', () => resolve({ status: res.statusCode ?? 0, text })).on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** POSTs an agent message signed with the simulated agent's key. */
export function signedPost (hubUrl: string, path: string, agent: SimulatedAgent, body: string, httpsAgent: https.Agent, signal?: AbortSignal): Promise<PostAnswer> {
  return post(new URL(path, hubUrl), httpsAgent, agentHeaders(agent, body, { path }), body, signal)
}
