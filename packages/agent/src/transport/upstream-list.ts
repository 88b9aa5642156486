import net from 'node:net'
import { AgentError, AgentErrorCode } from '../errors.ts'

/** One entry of the agent's ordered `--upstream` list. */
export type Upstream =
  /** Straight to the hub: to this URL's host:port (the hub URL, or another address of the same hub; the pin still applies). */
  | { readonly kind: 'direct', readonly host: string, readonly port: number, readonly label: string }
  /** Through an Outpost relay (another agent of the site) with a signed CONNECT. */
  | { readonly kind: 'relay', readonly host: string, readonly port: number, readonly label: string }
  /** Through an ordinary HTTP CONNECT proxy (`--proxy`); never listed by the user, made from `proxy`. */
  | { readonly kind: 'proxy', readonly url: string, readonly host: string, readonly port: number, readonly label: string }

/** Parses `relay://host:port` and `https://hub[:port]` entries; anything else is a config error. */
export function parseUpstream (entry: string): Upstream {
  let u: URL
  try {
    u = new URL(entry.trim())
  } catch (cause) {
    throw new AgentError(AgentErrorCode.Config, `upstream "${entry}" is not a URL: use relay://host:port or the hub's https:// URL`, { cause })
  }
  const host = u.hostname.replace(/^\[|\]$/g, '')
  if (u.protocol === 'relay:') {
    if (u.port === '' || host === '') throw new AgentError(AgentErrorCode.Config, `upstream "${entry}" needs a host and a port: relay://host:port`)
    return { kind: 'relay', host, port: Number(u.port), label: `relay://${u.host}` }
  }
  if (u.protocol === 'https:') return { kind: 'direct', host, port: u.port === '' ? 443 : Number(u.port), label: `https://${u.host}` }
  throw new AgentError(AgentErrorCode.Config, `upstream "${entry}" has scheme ${u.protocol}: use relay://host:port or the hub's https:// URL`)
}

/** Parses a `--relay-listen ADDR:PORT`; a wildcard address needs `any` (`--relay-any`). */
export function parseRelayListen (value: string, any: boolean): { readonly host: string, readonly port: number } {
  const m = /^\[?([^\]]*)\]?:([0-9]{1,5})$/.exec(value.trim())
  if (m === null) throw new AgentError(AgentErrorCode.Config, `--relay-listen "${value}" must be ADDR:PORT, e.g. 10.0.0.5:7443`)
  const host = m[1] ?? ''
  const port = Number(m[2])
  if (port > 65535) throw new AgentError(AgentErrorCode.Config, `--relay-listen port ${port} is out of range`)
  if (net.isIP(host) === 0) throw new AgentError(AgentErrorCode.Config, `--relay-listen needs an IP address of this machine, not "${host}"`)
  const wildcard = host === '0.0.0.0' || host === '::' || /^0*:?[0:]*$/.test(host) || host === '::ffff:0.0.0.0'
  if (wildcard && !any) {
    throw new AgentError(AgentErrorCode.Config, `--relay-listen ${value} would listen on every interface: give the LAN address, or add --relay-any if that is really meant`)
  }
  return { host, port }
}

/** The upstream list of an agent: its entries, else its proxy, else straight to its hub. */
export function upstreamsFor (entries: readonly string[], hubUrl: string, proxy: string | null): Upstream[] {
  if (entries.length > 0) return entries.map(parseUpstream)
  if (proxy !== null && proxy !== '') {
    const p = new URL(proxy)
    return [{ kind: 'proxy', url: proxy, host: p.hostname, port: Number(p.port === '' ? (p.protocol === 'https:' ? 443 : 80) : p.port), label: `proxy ${p.host}` }]
  }
  return [parseUpstream(hubUrl)]
}
