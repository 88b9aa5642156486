import {
  CreateJobRequest, ErrorEnvelope, MAX_FILE_WRITE_BYTES, IdParams, JobDetail, JobList, JobListQuery, JobWaitQuery, Role
} from '@outpost/protocol'
import type { HubServices } from '../hub-services.ts'
import { routeName } from '../auth/host-scope.ts'
import { defineRoute } from './route-spec.ts'
import type { AnyOperatorRoute } from './operator-routes.ts'
import { requestSignal } from './operator-routes.ts'

const errors = { 400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope }

/**
 * The jobs API: send a file or run a command on many hosts, now or at a set time. Creating and
 * cancelling need the operator role; reading needs viewer. A job is visible only to callers who
 * see every one of its hosts (see `JobService`).
 */
export function jobRoutes (s: HubServices): readonly AnyOperatorRoute[] {
  const jobs = s.jobs.api
  return [
    defineRoute({
      method: 'GET', url: '/api/v1/jobs', summary: 'List jobs, newest first (`before`: a job id, for the next page)', auth: Role.Viewer, query: JobListQuery,
      responses: { 200: JobList, ...errors },
      handler: async ({ query, identity }) => jobs.list(identity, { limit: query.limit === undefined ? undefined : Number(query.limit), before: query.before })
    }),
    defineRoute({
      method: 'POST', url: '/api/v1/jobs', summary: 'Create a job: one exec or file write per host of the target, now or at `runAt`', auth: Role.Operator, body: CreateJobRequest,
      okStatus: 201, responses: { 201: JobDetail, ...errors },
      // A file of MAX_FILE_WRITE_BYTES is 4/3 as long in base64, plus the rest of the request.
      bodyLimit: Math.max(s.config.limits.apiBodyBytes, Math.ceil(MAX_FILE_WRITE_BYTES / 3) * 4 + 64 * 1024),
      handler: async ({ body, identity, request }) => jobs.create(identity, body, routeName(request))
    }),
    defineRoute({
      method: 'GET', url: '/api/v1/jobs/:id', summary: 'A job with every host\'s state and result; `wait` holds the answer until it ends', auth: Role.Viewer, params: IdParams, query: JobWaitQuery,
      responses: { 200: JobDetail, ...errors },
      handler: async ({ params, query, identity, request, reply }) => query.wait === undefined
        ? jobs.get(identity, params.id, routeName(request))
        : jobs.waitFinished(identity, params.id, Number(query.wait), routeName(request), requestSignal(reply.raw, s.closing))
    }),
    defineRoute({
      method: 'POST', url: '/api/v1/jobs/:id/cancel', summary: 'Cancel a job: a scheduled one never starts; a running one stops what was not sent yet', auth: Role.Operator, params: IdParams,
      responses: { 200: JobDetail, 409: ErrorEnvelope, ...errors },
      handler: async ({ params, identity, request }) => jobs.cancel(identity, params.id, routeName(request))
    })
  ]
}
