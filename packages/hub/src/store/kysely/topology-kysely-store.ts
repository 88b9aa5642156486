import type { Kysely } from 'kysely'
import type { LinkInfo, RelayReport } from '@outpost/protocol'
import type { LinkRecord, RelayRecord, TopologyStore } from '../topology-store.ts'
import { jsonCodec, type DbSchema, type JsonCodec } from './db-schema.ts'
import { guard } from './store-guard.ts'

/** The tables of `topology-migration.ts` as Kysely sees them. */
export type TopologyTables = {
  relay_reports: { relay_id: string, report: unknown, reported_at: number }
  host_links: { agent_id: string, link: unknown, reported_at: number }
  first_hops: { host_id: string, relay_id: string, updated_at: number }
}
type Db = DbSchema & TopologyTables

/** Ids per `in (…)` and rows per insert: well under both backends' bind-parameter limits. */
const CHUNK = 500

/** `TopologyStore` over Kysely, for both backends. */
export class KyselyTopologyStore implements TopologyStore {
  readonly #db: Kysely<Db>
  readonly #json: JsonCodec

  constructor (db: Kysely<DbSchema>, kind: 'sqlite' | 'postgres') {
    this.#db = db.withTables<TopologyTables>()
    this.#json = jsonCodec(kind)
  }

  recordRelay (relayId: string, report: RelayReport, at: number): Promise<void> {
    return guard('topology.recordRelay', () => this.#db.transaction().execute(async (trx) => {
      const doc = JSON.stringify(report)
      await trx.insertInto('relay_reports').values({ relay_id: relayId, report: doc, reported_at: at })
        .onConflict((oc) => oc.column('relay_id').doUpdateSet({ report: doc, reported_at: at })).execute()
      // Only hosts not yet behind this relay are written: a relay carrying thousands of agents
      // costs one read per interval, not thousands of writes.
      const behind = await trx.selectFrom('first_hops').select('host_id').where('relay_id', '=', relayId).execute()
      const known = new Set(behind.map((r) => r.host_id))
      const fresh = [...new Set(report.downstream)].filter((id) => id !== relayId && !known.has(id))
      for (let i = 0; i < fresh.length; i += CHUNK) {
        const rows = await trx.selectFrom('agents').leftJoin('host_links', 'host_links.agent_id', 'agents.id')
          .select(['agents.id as id', 'host_links.link as link']).where('agents.id', 'in', fresh.slice(i, i + CHUNK)).execute()
        // The agent knows whether it uses a relay, the relay which agents use it: a relay cannot
        // pull in a host that says it reaches the hub without one (a lingering connection, or a lie).
        const enrolled = rows.filter((r) => r.link === null || (this.#json.decode(r.link) as LinkInfo).kind === 'relay')
        if (enrolled.length === 0) continue
        await trx.insertInto('first_hops').values(enrolled.map((r) => ({ host_id: r.id, relay_id: relayId, updated_at: at })))
          .onConflict((oc) => oc.column('host_id').doUpdateSet({ relay_id: (eb) => eb.ref('excluded.relay_id'), updated_at: (eb) => eb.ref('excluded.updated_at') }))
          .execute()
      }
    }))
  }

  recordLink (agentId: string, link: LinkInfo, at: number): Promise<void> {
    return guard('topology.recordLink', () => this.#db.transaction().execute(async (trx) => {
      const doc = JSON.stringify(link)
      await trx.insertInto('host_links').values({ agent_id: agentId, link: doc, reported_at: at })
        .onConflict((oc) => oc.column('agent_id').doUpdateSet({ link: doc, reported_at: at })).execute()
      // Through a relay: which one is for the relay to say (its report lists the agent).
      if (link.kind !== 'relay') await trx.deleteFrom('first_hops').where('host_id', '=', agentId).execute()
    }))
  }

  firstHops (): Promise<Map<string, string>> {
    return guard('topology.firstHops', async () => {
      const rows = await this.#db.selectFrom('first_hops').select(['host_id', 'relay_id']).execute()
      return new Map(rows.map((r) => [r.host_id, r.relay_id]))
    })
  }

  listRelays (): Promise<RelayRecord[]> {
    return guard('topology.listRelays', async () => {
      const rows = await this.#db.selectFrom('relay_reports').selectAll().orderBy('relay_id').execute()
      return rows.map((r) => this.#relay(r))
    })
  }

  getRelay (relayId: string): Promise<RelayRecord | undefined> {
    return guard('topology.getRelay', async () => {
      const row = await this.#db.selectFrom('relay_reports').selectAll().where('relay_id', '=', relayId).executeTakeFirst()
      return row === undefined ? undefined : this.#relay(row)
    })
  }

  getLink (agentId: string): Promise<LinkRecord | undefined> {
    return guard('topology.getLink', async () => {
      const row = await this.#db.selectFrom('host_links').selectAll().where('agent_id', '=', agentId).executeTakeFirst()
      return row === undefined ? undefined : { agentId: row.agent_id, link: this.#json.decode(row.link) as LinkInfo, reportedAt: Number(row.reported_at) }
    })
  }

  #relay (r: TopologyTables['relay_reports']): RelayRecord {
    // Written from a validated `RelayReport` by `recordRelay` only.
    return { relayId: r.relay_id, report: this.#json.decode(r.report) as RelayReport, reportedAt: Number(r.reported_at) }
  }
}
