// Job test helpers: create, wait for a state, read the audit log.
import assert from 'node:assert/strict'
import type { Answer } from '@outpost/testkit'
import { api, type HubFixture } from './hub-fixture.ts'

/** A job as the API answers it (loosely typed for assertions). */
export type Job = { id: string, state: string, counts: Record<string, number>, hosts: Array<{ hostId: string, state: string, exitCode: number | null, commandId: string | null, error: { code: string } | null }> }

/** `POST /jobs`, expecting 201. */
export async function createJob (f: HubFixture, body: Record<string, unknown>, token?: string): Promise<Job> {
  const res = await api(f, '/jobs', { method: 'POST', body: { name: 'test job', ...body }, ...(token === undefined ? {} : { token }) })
  assert.equal(res.status, 201, res.text)
  return res.json as Job
}

/** Re-reads the job (held by `wait` between changes) until `pred` holds; fails after `ms`. */
export async function untilJob (f: HubFixture, id: string, pred: (j: Job) => boolean, what: string, ms = 30_000): Promise<Job> {
  const deadline = Date.now() + ms
  let last: Answer | undefined
  while (Date.now() < deadline) {
    last = await api(f, `/jobs/${id}?wait=1000`)
    assert.equal(last.status, 200, last.text)
    if (pred(last.json as Job)) return last.json as Job
  }
  assert.fail(`timed out waiting for ${what}; last: ${last?.text ?? ''}`)
}

/** Audit entries of one action (admin token), newest first. */
export async function auditOf (f: HubFixture, action: string): Promise<Array<{ time: string, actor: string, target: string, result: string, detail: Record<string, unknown> }>> {
  const res = await api(f, `/audit?action=${encodeURIComponent(action)}&limit=1000`)
  assert.equal(res.status, 200, res.text)
  return res.json
}

/** Host id → state. */
export function hostStates (j: Job): Record<string, string> {
  return Object.fromEntries(j.hosts.map(h => [h.hostId, h.state]))
}
