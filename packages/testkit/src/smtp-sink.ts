import type { AddressInfo } from 'node:net'
import { SMTPServer, type SMTPServerOptions } from 'smtp-server'
import { simpleParser, type ParsedMail } from 'mailparser'
import { generate } from 'selfsigned'

/** What the sink was told about each mail besides its content. */
export interface SmtpEnvelope {
  readonly from: string
  readonly to: readonly string[]
  /** The AUTH user, or null when the client did not authenticate. */
  readonly user: string | null
  /** Whether the session ran over TLS (implicit or STARTTLS). */
  readonly secure: boolean
}

/** A real SMTP server on 127.0.0.1 that keeps every mail it accepts, parsed. */
export interface SmtpSink {
  /** `smtp://127.0.0.1:PORT` (or `smtps://` with `tls: true`), with credentials when `auth` was given. */
  readonly url: string
  readonly port: number
  /** Accepted mails in order of arrival; `envelopes[i]` belongs to `messages[i]`. */
  readonly messages: ParsedMail[]
  readonly envelopes: SmtpEnvelope[]
  /** Resolves with the first accepted mail (past or future) that matches; rejects after `timeoutMs`. */
  waitForMessage (pred: (m: ParsedMail) => boolean, timeoutMs?: number): Promise<ParsedMail>
  cleanup (): Promise<void>
}

/** Options: `tls: true` implicit TLS, `'starttls'` plain with STARTTLS offered; `auth` required credentials; `port` to come back on a port. */
export interface SmtpSinkOptions {
  readonly tls?: boolean | 'starttls'
  readonly auth?: { readonly user: string, readonly pass: string }
  readonly port?: number
}

async function selfSigned (): Promise<{ key: string, cert: string }> {
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' })
  return { key: pems.private, cert: pems.cert }
}

/** Starts an SMTP sink on a random loopback port (or `options.port`). */
export async function startSmtpSink (options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const messages: ParsedMail[] = []
  const envelopes: SmtpEnvelope[] = []
  const waiters = new Set<(m: ParsedMail) => void>()
  const tls = options.tls === undefined || options.tls === false ? {} : await selfSigned()
  const auth = options.auth
  const config: SMTPServerOptions = {
    ...tls,
    secure: options.tls === true,
    // A plain sink must not offer STARTTLS with smtp-server's built-in certificate: clients that verify would fail.
    hideSTARTTLS: options.tls === undefined || options.tls === false,
    authOptional: auth === undefined,
    allowInsecureAuth: true,
    disabledCommands: auth === undefined ? ['AUTH'] : [],
    logger: false,
    disableReverseLookup: true,
    closeTimeout: 100,
    size: 10 * 1024 * 1024,
    onAuth (a, _session, callback) {
      if (auth !== undefined && a.username === auth.user && a.password === auth.pass) callback(null, { user: a.username })
      else callback(new Error('invalid credentials'))
    },
    onData (stream, session, callback) {
      simpleParser(stream).then((mail) => {
        messages.push(mail)
        envelopes.push({
          from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map(r => r.address),
          user: typeof session.user === 'string' ? session.user : null,
          secure: session.secure
        })
        callback()
        for (const w of [...waiters]) w(mail)
      }, (err: unknown) => { callback(err instanceof Error ? err : new Error(String(err))) })
    }
  }
  const server = new SMTPServer(config)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  // Errors of single connections (a client hanging up) must not crash the test process.
  server.on('error', () => undefined)
  const { port } = server.server.address() as AddressInfo
  const cred = auth === undefined ? '' : `${encodeURIComponent(auth.user)}:${encodeURIComponent(auth.pass)}@`
  return {
    url: `${options.tls === true ? 'smtps' : 'smtp'}://${cred}127.0.0.1:${port}`,
    port,
    messages,
    envelopes,
    waitForMessage (pred, timeoutMs = 5000) {
      const found = messages.find(pred)
      if (found !== undefined) return Promise.resolve(found)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check)
          reject(new Error(`no matching mail within ${timeoutMs} ms; received: ${JSON.stringify(messages.map(m => m.subject))}`))
        }, timeoutMs)
        const check = (m: ParsedMail): void => {
          if (!pred(m)) return
          clearTimeout(timer)
          waiters.delete(check)
          resolve(m)
        }
        waiters.add(check)
      })
    },
    cleanup: () => new Promise<void>((resolve) => { server.close(() => resolve()) })
  }
}
