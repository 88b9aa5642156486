import { Type } from '@sinclair/typebox'
import { JobDetail, JobList, type CreateJobRequest } from '@outpost/protocol'
import type { ApiClient } from './api-client.ts'

const Ignored = Type.Unknown()
/** The answer to a new job: whatever else it carries, the console needs its id. */
const Created = Type.Object({ id: Type.String() })
const enc = encodeURIComponent

/** Jobs: one action on many hosts, now or later. */
export const jobs = {
  list: (c: ApiClient) => c.request('GET', '/api/v1/jobs', JobList),
  get: (c: ApiClient, id: string) => c.request('GET', `/api/v1/jobs/${enc(id)}`, JobDetail),
  create: (c: ApiClient, body: CreateJobRequest) => c.request('POST', '/api/v1/jobs', Created, body),
  cancel: (c: ApiClient, id: string) => c.request('POST', `/api/v1/jobs/${enc(id)}/cancel`, Ignored, {})
}
