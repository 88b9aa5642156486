import type { Endpoint, NetnsLab } from './netns-lab.ts'

/** The namespaces of `site()`. */
export interface SiteSpec {
  /** Role of the hub's namespace (default `wan`). */
  readonly hub?: string
  /** Roles of the namespaces on both the WAN and the LAN segment (they reach the hub). */
  readonly gateways: readonly string[]
  /** Roles of the namespaces on the LAN segment only: no route to the hub. */
  readonly lan: readonly string[]
}

/** A machine of a site: its namespace and its addresses. */
export interface SiteHost {
  readonly ns: string
  /** On the WAN segment (hub and gateways only). */
  readonly wan?: Endpoint
  /** On the LAN segment (gateways and LAN hosts). */
  readonly lan?: Endpoint
}

/** A built site: where the hub listens and who sits where. */
export interface Site {
  readonly hub: SiteHost & { readonly wan: Endpoint }
  readonly gateways: Readonly<Record<string, SiteHost & { readonly wan: Endpoint, readonly lan: Endpoint }>>
  readonly lan: Readonly<Record<string, SiteHost & { readonly lan: Endpoint }>>
  /** The hub's address on the WAN segment. */
  readonly hubAddress: string
}

/**
 * A remote site as issue 5 describes it: the hub on a WAN segment, gateways on the WAN and on
 * the site's LAN, LAN hosts on the LAN only. No namespace forwards IP, so a LAN host has no
 * route to the hub: only an application-level relay on a gateway can carry its traffic.
 * Call it once per lab (it makes the segments `wan` and `lan`).
 */
export function site (lab: NetnsLab, spec: SiteSpec): Site {
  const hubNs = lab.namespace(spec.hub ?? 'wan')
  const gatewayNs = spec.gateways.map((g) => lab.namespace(g))
  const lanNs = spec.lan.map((h) => lab.namespace(h))
  const wan = lab.segment('wan', [hubNs, ...gatewayNs])
  const lan = lab.segment('lan', [...gatewayNs, ...lanNs])
  const hub = { ns: hubNs, wan: wan.of(hubNs) }
  return {
    hub,
    hubAddress: hub.wan.address,
    gateways: Object.fromEntries(spec.gateways.map((g, i) => {
      const ns = gatewayNs[i] ?? ''
      return [g, { ns, wan: wan.of(ns), lan: lan.of(ns) }]
    })),
    lan: Object.fromEntries(spec.lan.map((h, i) => {
      const ns = lanNs[i] ?? ''
      return [h, { ns, lan: lan.of(ns) }]
    }))
  }
}
