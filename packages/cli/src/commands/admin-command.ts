import { openHubAdmin } from '@outpost/hub'
import type { Role } from '@outpost/protocol'
import { hubConfigFromFlags, parseHubFlags } from './hub-command.ts'
import { UsageError, parseDuration } from '../parse-duration.ts'
import type { CliIo } from '../cli-io.ts'

export const ADMIN_HELP = `outpost admin — administration on the hub host (works whether or not the hub runs)

  outpost admin enroll-token --data DIR [--db URL] [--ttl 1h] [--group NAME]
  outpost admin api-token --data DIR [--db URL] --name NAME [--role admin|operator|viewer]
  outpost admin audit verify --data DIR [--db URL --db-schema NAME]

The token verbs print the token on stdout; it is shown once (the hub keeps only its hash).
"audit verify" recomputes the audit log's hash chain: it prints the entry count and head hash
and exits 0, or names the first edited, removed or reordered entry on stderr and exits 1.
`

const ROLES: readonly Role[] = ['viewer', 'operator', 'admin']

/** `outpost admin …`: resolves with the exit code. */
export async function adminCommand (argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseHubFlags(argv, { ttl: { type: 'string' }, group: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' } })
  const [verb] = positionals
  if (values.help === true || verb === undefined) {
    io.stdout.write(ADMIN_HELP)
    return verb === undefined && values.help !== true ? 2 : 0
  }
  const config = hubConfigFromFlags(values, io.env)
  switch (verb) {
    case 'enroll-token': {
      const ttlMs = typeof values.ttl === 'string' ? parseDuration(values.ttl, '--ttl') : 3_600_000
      const group = typeof values.group === 'string' ? values.group : 'default'
      const admin = await openHubAdmin(config)
      try {
        io.stdout.write(await admin.createEnrollToken({ ttlMs, group, createdBy: 'cli:admin' }) + '\n')
      } finally {
        await admin.close()
      }
      return 0
    }
    case 'api-token': {
      const name = typeof values.name === 'string' ? values.name : undefined
      if (name === undefined) throw new UsageError('api-token needs --name NAME')
      const role = (typeof values.role === 'string' ? values.role : 'operator') as Role
      if (!ROLES.includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`)
      const admin = await openHubAdmin(config)
      try {
        io.stdout.write(await admin.createApiToken({ name, role, createdBy: 'cli:admin' }) + '\n')
      } finally {
        await admin.close()
      }
      return 0
    }
    case 'audit': {
      if (positionals[1] !== 'verify' || positionals.length > 2) throw new UsageError('usage: outpost admin audit verify --data DIR')
      const admin = await openHubAdmin(config)
      try {
        const r = await admin.verifyAudit()
        if (r.ok) {
          io.stdout.write(`audit log intact: ${String(r.entries)} entries, head ${r.head}\n`)
          return 0
        }
        io.stderr.write(`audit log damaged at entry ${String(r.firstBadId)}: ${r.reason}\n`)
        return 1
      } finally {
        await admin.close()
      }
    }
    default:
      throw new UsageError(`unknown admin verb "${verb}"`)
  }
}
