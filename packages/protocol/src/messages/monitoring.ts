import { Type, type Static } from '@sinclair/typebox'

/**
 * A metric name: dotted lower-case words, optionally with one instance in brackets,
 * e.g. `cpu.util_pct` or `fs.used_pct[/var]`. Names and units are listed in docs/metrics.md.
 */
export const MetricName = Type.String({ pattern: '^[a-z][a-z0-9_]*(\\.[a-z0-9_]+)*(\\[[^\\[\\]]{1,200}\\])?$', maxLength: 256 })

/** One numeric sample. */
export const Metric = Type.Object({
  /** Documented metric name, see `MetricName`. */
  name: MetricName,
  /** The value, in the unit documented for the name. */
  value: Type.Number()
}, { additionalProperties: false })
export type Metric = Static<typeof Metric>

/** How bad an event is. */
export const Severity = Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('critical')])
export type Severity = Static<typeof Severity>

/** Something the agent noticed between intervals, e.g. a threshold crossing. */
export const AgentEvent = Type.Object({
  /** Event kind, e.g. `threshold.crossed` or `threshold.cleared`. */
  name: Type.String({ minLength: 1, maxLength: 128 }),
  severity: Severity,
  /** One line for people. */
  message: Type.String({ maxLength: 1024 }),
  /** Milliseconds since the epoch, agent clock. */
  time: Type.Integer({ minimum: 0 }),
  /** The metric involved, if any. */
  metric: Type.Optional(MetricName),
  value: Type.Optional(Type.Number()),
  threshold: Type.Optional(Type.Number())
}, { additionalProperties: false })
export type AgentEvent = Static<typeof AgentEvent>

const Str = (max = 256) => Type.String({ maxLength: max })

/** A network interface in the inventory. */
export const InventoryNic = Type.Object({
  name: Str(64),
  mac: Str(64),
  ipv4: Type.Array(Str(64), { maxItems: 64 }),
  ipv6: Type.Array(Str(64), { maxItems: 64 }),
  /** Link speed in Mbit/s, when the kernel reports it. */
  speedMbps: Type.Union([Type.Number(), Type.Null()]),
  /** `up`, `down` or `unknown`. */
  state: Str(16),
  virtual: Type.Boolean()
}, { additionalProperties: false })

/** A block device in the inventory. */
export const InventoryDisk = Type.Object({
  device: Str(128),
  model: Str(256),
  sizeBytes: Type.Number({ minimum: 0 }),
  /** `HD`, `SSD`, `NVMe` or what the kernel says. */
  type: Str(32)
}, { additionalProperties: false })

/** An installed package. */
export const InventoryPackage = Type.Object({
  name: Str(256),
  version: Str(256),
  arch: Str(32)
}, { additionalProperties: false })

/** The local policy an agent runs under, as it reports it (see the agent's policy-schema.ts). */
export const InventoryPolicy = Type.Object({
  /** The file it was read from, or null when the built-in defaults apply. */
  file: Type.Union([Str(4096), Type.Null()]),
  protectedPaths: Type.Array(Str(4096), { maxItems: 2048 }),
  exec: Type.Union([Type.Literal('deny'), Type.Literal('any'), Type.Object({ allow: Type.Array(Str(4096), { maxItems: 1024 }) }, { additionalProperties: false })]),
  operations: Type.Array(Str(32), { maxItems: 64 }),
  maxUploadBytes: Type.Integer({ minimum: 0 })
}, { additionalProperties: false })
export type InventoryPolicy = Static<typeof InventoryPolicy>

/** Slowly changing facts about a host; sent at enrollment and whenever it changes. */
export const Inventory = Type.Object({
  hostname: Str(255),
  /** DNS domain, empty when none. */
  domain: Str(255),
  /** Boot time, milliseconds since the epoch (uptime is a metric: `system.uptime_s`). */
  bootTime: Type.Integer({ minimum: 0 }),
  ipAddresses: Type.Array(Str(64), { maxItems: 256 }),
  macAddresses: Type.Array(Str(64), { maxItems: 256 }),
  /** Users with a login session now. */
  users: Type.Array(Type.Object({ name: Str(128), tty: Str(64), from: Str(255), since: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }), { maxItems: 1024 }),
  cpu: Type.Object({
    model: Str(256),
    cores: Type.Integer({ minimum: 0 }),
    physicalCores: Type.Integer({ minimum: 0 }),
    speedMhz: Type.Number({ minimum: 0 })
  }, { additionalProperties: false }),
  memory: Type.Object({
    totalBytes: Type.Number({ minimum: 0 }),
    swapTotalBytes: Type.Number({ minimum: 0 })
  }, { additionalProperties: false }),
  disks: Type.Array(InventoryDisk, { maxItems: 256 }),
  nics: Type.Array(InventoryNic, { maxItems: 256 }),
  /** Kernel release, e.g. `6.1.0-18-amd64`. */
  kernel: Str(128),
  os: Type.Object({
    /** `linux`, `darwin`, ... */
    platform: Str(32),
    /** Distribution name, e.g. `Debian GNU/Linux`. */
    distribution: Str(128),
    release: Str(64),
    codename: Str(64),
    arch: Str(32)
  }, { additionalProperties: false }),
  packages: Type.Object({
    /** `dpkg`, `rpm` or `none`. */
    manager: Str(16),
    items: Type.Array(InventoryPackage, { maxItems: 50_000 })
  }, { additionalProperties: false }),
  /** The agent's local policy as in force: the hub and its operators may read it, never change it. */
  policy: Type.Optional(InventoryPolicy)
}, { additionalProperties: false })
export type Inventory = Static<typeof Inventory>

/** Non-numeric state sampled every interval. */
export const StatusSnapshot = Type.Object({
  /** Top processes by CPU, at most 50. */
  processes: Type.Array(Type.Object({
    pid: Type.Integer({ minimum: 0 }),
    name: Str(256),
    user: Str(128),
    cpuPct: Type.Number({ minimum: 0 }),
    memBytes: Type.Number({ minimum: 0 }),
    command: Str(1024)
  }, { additionalProperties: false }), { maxItems: 50 }),
  /** The host's listening sockets. */
  listeningPorts: Type.Array(Type.Object({
    /** `tcp`, `tcp6`, `udp` or `udp6`. */
    protocol: Str(8),
    address: Str(64),
    port: Type.Integer({ minimum: 0, maximum: 65535 }),
    process: Str(256)
  }, { additionalProperties: false }), { maxItems: 4096 })
}, { additionalProperties: false })
export type StatusSnapshot = Static<typeof StatusSnapshot>
