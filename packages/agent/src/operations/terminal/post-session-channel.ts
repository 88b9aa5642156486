import { HubPath, SessionIn, parseJson, type SessionControl, type SessionOut } from '@outpost/protocol'
import { AgentError, AgentErrorCode } from '../../errors.ts'
import { hubUrl, signedHeaders, type HubLink } from '../../transport/hub-link.ts'
import { httpsPost, type HttpAnswer } from '../../transport/https-post.ts'
import type { ChannelHandlers, SessionChannel } from './session-channel.ts'

/** A poll is held by the hub up to 25 s; the agent waits a little longer for its answer. */
const POLL_TIMEOUT_MS = 40_000
const OUT_TIMEOUT_MS = 15_000
/** Consecutive failures (about 10 s of trying) after which the session is given up. */
const MAX_FAILURES = 6
/** Most base64 chunks in one `/out` body. */
const MAX_CHUNKS = 64

/**
 * The POST fallback: output goes up in signed `/out` bodies (one in flight, each with the next
 * `seq`, a retry keeps its `seq` so that the hub relays it once); input comes down from a
 * long-poll on `/in?after=N`. The first request attaches the session, so it is checked at open.
 */
export async function openPostChannel (link: HubLink, sessionId: string, h: ChannelHandlers): Promise<SessionChannel> {
  const base = `${HubPath.AgentSessions}/${sessionId}`
  const data: string[] = []
  const controls: SessionControl[] = []
  let backlog = 0
  let seq = 0
  let sending: Promise<void> | undefined
  let closed = false
  const abort = new AbortController()
  const finish = (reason: string): void => {
    if (closed) return
    closed = true
    abort.abort()
    h.closed(reason)
  }

  const post = async (path: string, body: Buffer, timeoutMs: number): Promise<HttpAnswer> => {
    const url = hubUrl(link.hubUrl, '')
    const target = new URL(path, url)
    const headers = signedHeaders(link, 'POST', target.pathname + target.search, body)
    const res = await httpsPost(target, body, { agent: link.agent, headers, timeoutMs, signal: abort.signal })
    if (res.statusCode >= 400) {
      throw new AgentError(AgentErrorCode.HubRefused, `hub refused ${path.split('?')[0] ?? ''} (${res.statusCode}): ${res.body.toString('utf8').slice(0, 300)}`, { details: { status: res.statusCode } })
    }
    return res
  }
  const pathOf = (suffix: string): string => hubUrl(link.hubUrl, base + suffix).pathname

  const flush = async (): Promise<void> => {
    while ((data.length > 0 || controls.length > 0) && !abort.signal.aborted) {
      const body: SessionOut = { seq, data: data.splice(0, MAX_CHUNKS), control: controls.splice(0, 16) }
      const bytes = Buffer.from(JSON.stringify(body))
      for (let failures = 0; ; failures++) {
        try {
          await post(pathOf('/out'), bytes, OUT_TIMEOUT_MS)
          break
        } catch (err) {
          if (abort.signal.aborted) return
          if ((err as AgentError).code === AgentErrorCode.HubRefused || failures >= MAX_FAILURES) throw err
          await new Promise(resolve => setTimeout(resolve, 200 * 2 ** failures))
        }
      }
      seq++
      backlog -= body.data.reduce((n, d) => n + d.length, 0)
    }
  }
  const kick = (): void => {
    if (sending !== undefined || closed) return
    sending = flush().catch((err: unknown) => { finish(`sending to the hub failed: ${(err as Error).message}`) }).finally(() => {
      sending = undefined
      if (data.length > 0 || controls.length > 0) kick()
    })
  }

  // The first request attaches the session: a refusal surfaces here, before the shell starts.
  // An empty `/out` (seq 0) attaches without waiting, as a first poll would.
  await post(pathOf('/out'), Buffer.from(JSON.stringify({ seq: seq++, data: [], control: [] } satisfies SessionOut)), OUT_TIMEOUT_MS)
  let after = 0
  void (async () => {
    let failures = 0
    while (!closed) {
      try {
        const res = await post(`${pathOf('/in')}?after=${after}`, Buffer.alloc(0), POLL_TIMEOUT_MS)
        failures = 0
        const got = parseJson(SessionIn, res.body, 'session input')
        after = got.next
        for (const d of got.data) h.input(Buffer.from(d, 'base64'))
        for (const c of got.control) {
          if (c.t === 'closed') finish(c.reason)
          else h.control(c)
        }
        if (got.closed) finish('the hub closed the session')
      } catch (err) {
        if (closed) return
        if ((err as AgentError).code === AgentErrorCode.HubRefused || ++failures > MAX_FAILURES) {
          finish(`polling the hub failed: ${(err as Error).message}`)
          return
        }
        await new Promise(resolve => setTimeout(resolve, 200 * 2 ** failures))
      }
    }
  })()

  return {
    kind: 'post',
    write: (bytes) => {
      const b64 = bytes.toString('base64')
      data.push(b64)
      backlog += b64.length
      kick()
    },
    control: (c) => {
      controls.push(c)
      kick()
    },
    get backlog () { return backlog },
    end: async () => {
      kick()
      while (sending !== undefined) await sending
      closed = true
      abort.abort()
    },
    close: () => {
      closed = true
      abort.abort()
    }
  }
}
