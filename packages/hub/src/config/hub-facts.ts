import { randomBytes } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { Type, type Static } from '@sinclair/typebox'
import { parseJson } from '@outpost/protocol'
import { HubError, HubErrorCode } from '../errors.ts'
import type { HubConfig } from './hub-config.ts'

/**
 * What a running hub writes to `dataDir/hub.json` when it starts listening, so that admin
 * commands run on the same host without the hub (e.g. `outpost admin enroll-token`) know the
 * URL agents must use. It holds nothing secret.
 */
export const HubFacts = Type.Object({
  publicUrl: Type.String({ pattern: '^https://' }),
  port: Type.Integer({ minimum: 0, maximum: 65535 }),
  fingerprint: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  /** When the hub last started, ms since the epoch. */
  startedAt: Type.Integer({ minimum: 0 })
}, { additionalProperties: false })
export type HubFacts = Static<typeof HubFacts>

/** The path of the facts file. */
export function hubFactsPath (dataDir: string): string {
  return path.join(dataDir, 'hub.json')
}

/** Writes the facts file atomically. */
export async function writeHubFacts (dataDir: string, facts: HubFacts): Promise<void> {
  await mkdir(dataDir, { recursive: true })
  const file = hubFactsPath(dataDir)
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`
  await writeFile(tmp, JSON.stringify(facts, null, 2) + '\n', { flag: 'wx' })
  await rename(tmp, file)
}

/** Reads the facts file; `undefined` when the hub never started in this directory. */
export async function readHubFacts (dataDir: string): Promise<HubFacts | undefined> {
  let text: string
  try {
    text = await readFile(hubFactsPath(dataDir), 'utf8')
  } catch (err) {
    if (typeof err === 'object' && err !== null && 'code' in err && err.code === 'ENOENT') return undefined
    throw new HubError(HubErrorCode.Config, `cannot read ${hubFactsPath(dataDir)}`, { cause: err })
  }
  return parseJson(HubFacts, text, 'hub.json')
}

/**
 * The URL agents use: `config.publicUrl`, else `https://<listen host>:<port>` with `localhost`
 * standing for a wildcard listen address.
 */
export function defaultPublicUrl (config: HubConfig, port: number): string {
  if (config.publicUrl !== null) return config.publicUrl.replace(/\/+$/, '')
  const h = config.listen.host
  const host = h === '0.0.0.0' || h === '::' || h === '' ? 'localhost' : h.includes(':') ? `[${h}]` : h
  return `https://${host}:${port}`
}

/** Host part of a URL (brackets kept off), for the certificate's SAN. */
export function urlHost (url: string): string {
  return new URL(url).hostname.replace(/^\[|\]$/g, '')
}
