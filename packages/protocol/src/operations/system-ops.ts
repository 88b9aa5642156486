import { Type, type Static } from '@sinclair/typebox'

/** A systemd unit name (`nginx`, `nginx.service`, `getty@tty1.service`). */
export const UnitName = Type.String({ minLength: 1, maxLength: 256, pattern: '^[A-Za-z0-9][A-Za-z0-9@._:-]*$' })
/** A package name as apt and dnf spell them. */
export const PackageName = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9+._:~-]*$' })

/**
 * systemd services (the `service` operation class). `list`: `stdout` is `ServiceList` JSON;
 * `status`: `ServiceStatus` JSON with the last `lines` journal lines; `journal`: the last `lines`
 * journal lines as text; the others run `systemctl ACTION NAME` and return its output.
 */
export const ServiceBody = Type.Object({
  type: Type.Literal('service'),
  action: Type.Union([
    Type.Literal('list'), Type.Literal('status'), Type.Literal('start'), Type.Literal('stop'),
    Type.Literal('restart'), Type.Literal('enable'), Type.Literal('disable'), Type.Literal('journal')
  ]),
  /** Needed by every action but `list`. */
  name: Type.Optional(UnitName),
  lines: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 }))
}, { additionalProperties: false })
export type ServiceBody = Static<typeof ServiceBody>

export const ServiceInfo = Type.Object({
  name: Type.String(),
  description: Type.String(),
  loadState: Type.String(),
  activeState: Type.String(),
  subState: Type.String(),
  /** `enabled`, `disabled`, `static`, … */
  unitFileState: Type.String()
}, { additionalProperties: false })
export type ServiceInfo = Static<typeof ServiceInfo>
export const ServiceList = Type.Array(ServiceInfo)
export type ServiceList = Static<typeof ServiceList>
export const ServiceStatus = Type.Object({
  ...ServiceInfo.properties,
  mainPid: Type.Union([Type.Integer(), Type.Null()]),
  journal: Type.Array(Type.String())
}, { additionalProperties: false })
export type ServiceStatus = Static<typeof ServiceStatus>

/**
 * Packages with apt or dnf (the `package` operation class). `list`: `stdout` is `PackageList`
 * JSON; the others run the package manager non-interactively and stream its output live (see
 * `CommandOutputChunk`), the result holding all of it. `upgrade` with no names upgrades everything.
 */
export const PackageBody = Type.Object({
  type: Type.Literal('package'),
  action: Type.Union([Type.Literal('list'), Type.Literal('install'), Type.Literal('remove'), Type.Literal('upgrade')]),
  names: Type.Array(PackageName, { maxItems: 256 })
}, { additionalProperties: false })
export type PackageBody = Static<typeof PackageBody>
export const PackageInfo = Type.Object({ name: Type.String(), version: Type.String(), arch: Type.String() }, { additionalProperties: false })
export const PackageList = Type.Array(PackageInfo)
export type PackageList = Static<typeof PackageList>

/**
 * Reboot or shut down after `delayMinutes` (0: now) with a reason that is broadcast to logged-in
 * users and logged; `cancel` cancels a pending one (the `power` operation class).
 */
export const PowerBody = Type.Object({
  type: Type.Literal('power'),
  action: Type.Union([Type.Literal('reboot'), Type.Literal('shutdown'), Type.Literal('cancel')]),
  delayMinutes: Type.Integer({ minimum: 0, maximum: 10_080 }),
  reason: Type.String({ minLength: 1, maxLength: 200 })
}, { additionalProperties: false })
export type PowerBody = Static<typeof PowerBody>

/**
 * A piece of a running command's output, POSTed by the agent to
 * `/agent/v1/commands/{commandId}/output` (signed) while it runs, and streamed to operators by
 * `GET /api/v1/commands/{id}/output` (Server-Sent Events). Live only: the result holds everything.
 */
export const CommandOutputChunk = Type.Object({
  /** Counts the chunks of one command from 0. */
  seq: Type.Integer({ minimum: 0 }),
  stream: Type.Union([Type.Literal('stdout'), Type.Literal('stderr')]),
  data: Type.String({ maxLength: 256 * 1024 })
}, { additionalProperties: false })
export type CommandOutputChunk = Static<typeof CommandOutputChunk>
