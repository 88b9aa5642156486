import { Type, type Static } from '@sinclair/typebox'

/** Where the agent looks for its local policy when no `--policy FILE` is given. */
export const DEFAULT_POLICY_FILE = '/etc/outpost/policy.json'
/** Largest upload the default policy accepts (100 MiB). */
export const DEFAULT_MAX_UPLOAD_BYTES = 100 * 1024 * 1024

/** Operation classes a policy can allow. `exec` and `process` (process-list, process-signal) are enforced; the rest are kept for remote operations. */
export const OperationClass = {
  Exec: 'exec',
  FilesRead: 'files.read',
  FilesWrite: 'files.write',
  Process: 'process',
  Service: 'service',
  Package: 'package',
  Power: 'power',
  Terminal: 'terminal'
} as const
export type OperationClass = (typeof OperationClass)[keyof typeof OperationClass]

/**
 * An exec allow-list pattern: tokens separated by spaces, matched one to one against argv.
 * The first token is the program and must equal `argv[0]` exactly (no glob: a bare name is looked
 * up in the agent's PATH, an absolute path is taken as is). Every other token is a glob for one
 * argument (`path.matchesGlob`, so `*` and `?` never match a `/`); a last token `**` matches any
 * number of remaining arguments, including none. `systemctl status *` allows `systemctl status nginx`
 * but not `systemctl stop nginx` nor `systemctl status a b`.
 */
export const ExecPattern = Type.String({ minLength: 1, maxLength: 4096, pattern: '^[^ ]' })

/** The local policy file (`/etc/outpost/policy.json`). Unknown keys are an error. */
export const PolicySchema = Type.Object({
  /** Globs of paths no operation may touch, matched after resolving `..`, symlinks and /proc links. */
  protectedPaths: Type.Array(Type.String({ minLength: 2, maxLength: 4096, pattern: '^/' }), { maxItems: 1024 }),
  /** `deny`: no exec; `any`: every argv (protected paths still refused); or an allow-list. */
  exec: Type.Union([
    Type.Literal('deny'),
    Type.Literal('any'),
    Type.Object({ allow: Type.Array(ExecPattern, { maxItems: 1024 }) }, { additionalProperties: false })
  ]),
  /** Operation classes allowed on this host. */
  operations: Type.Array(Type.Union(Object.values(OperationClass).map((c) => Type.Literal(c))), { uniqueItems: true }),
  /** Largest file upload accepted, in bytes. */
  maxUploadBytes: Type.Integer({ minimum: 0 })
}, { additionalProperties: false })
export type Policy = Readonly<Static<typeof PolicySchema>>
/** A policy file's content: every key optional, missing ones take the defaults. */
export type PolicyInput = Partial<Static<typeof PolicySchema>>

/**
 * Protected whatever the file says: a policy file's `protectedPaths` are added to these, never
 * replace them. The agent's own state directory is protected on top (as a literal path, see
 * `createPathGuard`).
 */
export const BUILTIN_PROTECTED_PATHS: readonly string[] = [
  '/etc/shadow', '/etc/shadow-', '/etc/gshadow', '/etc/gshadow-',
  '/etc/ssh/ssh_host_*_key',
  '/root/.ssh/**',
  '/home/*/.ssh/**',
  '/etc/ssl/private/**'
]

/**
 * The policy used when there is no file; missing keys of a file take these values. `exec: any`
 * keeps the behaviour agents had before policies existed (protected paths are refused anyway).
 */
export const DEFAULT_POLICY: Policy = Object.freeze({
  protectedPaths: BUILTIN_PROTECTED_PATHS as string[],
  exec: 'any',
  operations: Object.values(OperationClass),
  maxUploadBytes: DEFAULT_MAX_UPLOAD_BYTES
})
