import { createTransport, type Transporter } from 'nodemailer'
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js'
import { HubError, HubErrorCode } from '../errors.ts'
import type { DeliveryFailure } from './retry-policy.ts'

/** A composed mail, ready to hand to the relay. */
export interface OutgoingMail {
  readonly to: string
  readonly subject: string
  readonly text: string
  readonly html: string
  /** Extra headers (`Auto-Submitted`, `X-Outpost-Alert`). */
  readonly headers: Readonly<Record<string, string>>
}

/** The SMTP settings the notifier uses (`config.notify.smtp`). */
export interface SmtpSettings {
  readonly url: string
  readonly from: string
  readonly tlsInsecure: boolean
}

/** Sends mails. */
export interface MailTransport {
  /** Resolves with null once the relay accepted the mail, or with the failure (never rejects). */
  send (mail: OutgoingMail): Promise<DeliveryFailure | null>
  close (): void
  /** `host:port` of the relay, for logs (never the credentials). */
  readonly relay: string
}

/** Connection and answer timeouts: a stuck relay fails the attempt instead of holding it forever. */
export const SMTP_TIMEOUTS = Object.freeze({ connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 })

/** Turns `smtp[s]://[user:pass@]host[:port]` into pooled nodemailer options; refuses anything else. */
export function smtpOptions (s: SmtpSettings): SMTPPool.Options {
  let u: URL
  try {
    u = new URL(s.url)
  } catch (err) {
    throw new HubError(HubErrorCode.Config, 'notify.smtp.url is not a URL: use smtp://[user:pass@]host[:port]', { cause: err })
  }
  const secure = u.protocol === 'smtps:'
  if (!secure && u.protocol !== 'smtp:') throw new HubError(HubErrorCode.Config, 'notify.smtp.url must start with smtp:// or smtps://')
  if ((u.pathname !== '' && u.pathname !== '/') || u.search !== '' || u.hash !== '') {
    throw new HubError(HubErrorCode.Config, 'notify.smtp.url takes no path or query: use smtp://[user:pass@]host[:port]')
  }
  const user = decodeURIComponent(u.username)
  return {
    pool: true,
    maxConnections: 5,
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port === '' ? (secure ? 465 : 587) : Number(u.port),
    secure,
    // Plain smtp:// upgrades with STARTTLS whenever the relay offers it (nodemailer's default).
    ...(user === '' ? {} : { auth: { user, pass: decodeURIComponent(u.password) } }),
    tls: { rejectUnauthorized: !s.tlsInsecure, minVersion: 'TLSv1.2' },
    ...SMTP_TIMEOUTS,
    disableFileAccess: true,
    disableUrlAccess: true
  }
}

/** A 5xx answer is permanent (bad address, refused credentials); anything else may pass later. */
export function mailFailure (err: unknown): DeliveryFailure {
  const code = typeof err === 'object' && err !== null && 'responseCode' in err && typeof err.responseCode === 'number' ? err.responseCode : null
  const message = err instanceof Error ? err.message : String(err)
  return {
    retryable: code === null || code < 500 || code >= 600,
    error: new HubError(HubErrorCode.NotifyFailed, `mail relay: ${message}`, { cause: err, details: { responseCode: code } })
  }
}

/** A pooled SMTP transport from `config.notify.smtp`. */
export function createMailTransport (s: SmtpSettings): MailTransport {
  const options = smtpOptions(s)
  const transporter: Transporter<SMTPPool.SentMessageInfo> = createTransport(options)
  const relay = `${options.host ?? ''}:${options.port ?? ''}`
  return {
    relay,
    async send (mail) {
      try {
        await transporter.sendMail({ from: s.from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html, headers: { ...mail.headers } })
        return null
      } catch (err) {
        return mailFailure(err)
      }
    },
    close () {
      transporter.close()
    }
  }
}
