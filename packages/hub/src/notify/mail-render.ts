import type { AlertCondition, Severity } from '@outpost/protocol'
import type { NotificationItem } from './notification.ts'
import type { OutgoingMail } from './mail-transport.ts'

const SUBJECT_MAX = 200
const FIELD_MAX = 500

/** Escapes text for HTML content and quoted attribute values. */
export function escapeHtml (s: string): string {
  return s.replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c)
}

/**
 * Host names, metric names and summaries come from agents: one line, no control or bidi
 * characters (they could forge headers or make a name read as another), bounded length.
 */
export function oneLine (s: string, max = FIELD_MAX): string {
  const clean = s.replace(/[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]+/gu, ' ').trim()
  return clean.length > max ? clean.slice(0, max - 1) + '…' : clean
}

/** The console pages a mail links to. */
export function hostLink (publicUrl: string, hostId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/hosts/${encodeURIComponent(hostId)}`
}

/** The alert list, focused on one alert. */
export function alertLink (publicUrl: string, alertId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/alerts?focus=${encodeURIComponent(alertId)}`
}

/** The fault type, named after the rule's condition (falls back on what the alert itself says). */
export function faultType (condition: AlertCondition | null, metric: string | null): string {
  if (condition === null) return metric === null ? 'Alert' : 'Metric threshold'
  switch (condition.type) {
    case 'metric-threshold': return `Metric threshold (${condition.metric} ${condition.op} ${condition.value})`
    case 'host-offline': return `Host offline (${condition.missedIntervals} reports missed)`
    case 'relay-unreachable': return `Hosts unreachable behind a relay (${condition.missedIntervals} reports missed)`
    case 'instruction-failed': return 'Instruction failed'
    case 'agent-event': return `Agent event ${condition.event} (${condition.minSeverity} or worse)`
  }
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 }

function tag (item: NotificationItem): string {
  return item.kind === 'resolved' ? 'RESOLVED' : item.alert.severity.toUpperCase()
}

function human (iso: string): string {
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? iso : d.toUTCString()
}

function heading (item: NotificationItem): string {
  const host = oneLine(item.alert.hostName, 200)
  if (item.kind === 'resolved') return `Resolved on ${host}`
  return `${item.alert.severity.toUpperCase()} alert ${item.kind === 'repeat' ? 'still firing' : 'firing'} on ${host}`
}

/** Label/value rows of one item; values are plain text (escaped when rendered as HTML). */
function rows (item: NotificationItem, publicUrl: string): Array<[string, string, boolean]> {
  const a = item.alert
  const out: Array<[string, string, boolean]> = [
    ['Server', oneLine(a.hostName, 200), false],
    ['Fault', oneLine(faultType(item.condition, a.metric)), false],
    ['Detail', oneLine(a.summary), false],
    ['Since', `${a.startedAt} (${human(a.startedAt)})`, false]
  ]
  if (a.resolvedAt !== null) out.push(['Resolved', `${a.resolvedAt} (${human(a.resolvedAt)})`, false])
  out.push(['Rule', oneLine(a.ruleName, 200), false])
  out.push(['Server page', hostLink(publicUrl, a.hostId), true])
  out.push(['Alert', alertLink(publicUrl, a.id), true])
  return out
}

/** The subject line: `[CRITICAL] web-1: fs.used_pct[/var] = 93.1 (≥ 90)`, or a count when grouped. */
export function subjectOf (items: readonly NotificationItem[]): string {
  const first = items[0]
  if (first === undefined) return '[Outpost] no alerts'
  if (items.length === 1) {
    const suffix = first.kind === 'repeat' ? ' (still firing)' : ''
    return oneLine(`[${tag(first)}] ${first.alert.hostName}: ${first.alert.summary}${suffix}`, SUBJECT_MAX)
  }
  const open = items.filter(i => i.kind !== 'resolved')
  const worst = open.reduce<NotificationItem | undefined>((w, i) => (w === undefined || RANK[i.alert.severity] > RANK[w.alert.severity] ? i : w), undefined)
  const hosts = [...new Set(items.map(i => oneLine(i.alert.hostName, 60)))]
  return oneLine(`[${worst === undefined ? 'RESOLVED' : tag(worst)}] ${items.length} alerts: ${hosts.join(', ')}`, SUBJECT_MAX)
}

/** Composes the text and HTML mail for one recipient; the HTML loads nothing remote and runs no script. */
export function renderMail (to: string, items: readonly NotificationItem[], publicUrl: string): OutgoingMail {
  const text = items.map(item => [
    heading(item),
    ...rows(item, publicUrl).map(([k, v]) => `  ${(k + ':').padEnd(13)}${v}`)
  ].join('\n')).join('\n\n') + '\n\n-- \nOutpost hub ' + publicUrl + '\n'
  const blocks = items.map(item => {
    const trs = rows(item, publicUrl).map(([k, v, link]) => {
      const cell = link ? `<a href="${escapeHtml(v)}">${escapeHtml(v)}</a>` : escapeHtml(v)
      return `<tr><th align="left" style="padding:2px 12px 2px 0">${escapeHtml(k)}</th><td>${cell}</td></tr>`
    }).join('')
    return `<h2 style="font-size:16px;margin:16px 0 4px">${escapeHtml(heading(item))}</h2><table style="border-collapse:collapse">${trs}</table>`
  }).join('\n')
  const html = '<!doctype html><html><head><meta charset="utf-8"><title>' + escapeHtml(subjectOf(items)) + '</title></head>' +
    `<body style="font-family:sans-serif">${blocks}<p style="color:#666;font-size:12px">Outpost hub ${escapeHtml(publicUrl)}</p></body></html>`
  const ids = items.map(i => i.alert.id).join(' ')
  return {
    to,
    subject: subjectOf(items),
    text,
    html,
    // RFC 3834: stops vacation responders from answering (and looping with) the hub.
    headers: { 'Auto-Submitted': 'auto-generated', 'X-Outpost-Alert': oneLine(ids, 900) }
  }
}
