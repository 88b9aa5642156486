import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { HubError, HubErrorCode } from '../errors.ts'
import { toHttpFailure } from './error-mapping.ts'
import { logCompletion, logFailure } from './log-policy.ts'

/**
 * Installs the hub's only error handler, its 404 handler and the request log hook on the root
 * instance (child plugins inherit them). Every failure leaves as `{ error: { code, message } }`.
 */
export function installErrorHandling (app: FastifyInstance): void {
  app.setErrorHandler(async (err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const failure = toHttpFailure(err)
    logFailure(request.log, failure, err)
    if (failure.retryAfterSec !== undefined) void reply.header('retry-after', String(failure.retryAfterSec))
    return reply.code(failure.statusCode).send(failure.body)
  })
  app.setNotFoundHandler(async (request: FastifyRequest, reply: FastifyReply) => {
    const failure = toHttpFailure(new HubError(HubErrorCode.NotFound, 'no such route'))
    logFailure(request.log, failure, undefined)
    return reply.code(404).send(failure.body)
  })
  app.addHook('onResponse', async (request, reply) => {
    logCompletion(request.log, reply.statusCode, reply.elapsedTime)
  })
}
