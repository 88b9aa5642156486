import type { TSchema } from '@sinclair/typebox'
import type { FastifySchemaCompiler } from 'fastify'
import { isValid, validate } from '@outpost/protocol'

/**
 * Fastify validator compiler backed by the protocol's TypeBox validation, so that route schemas
 * are the protocol schemas themselves and a failure is the usual `PROTO_ERR_INVALID` error.
 */
export const typeboxValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const what = httpPart === 'querystring' ? 'query' : httpPart ?? 'request'
  return (data: unknown) => {
    if (isValid(schema, data)) return { value: data }
    try {
      validate(schema, data, what)
    } catch (error) {
      // validate() always throws here (isValid said no); the error is the answer, not a failure.
      return { error: error instanceof Error ? error : new Error(String(error)) }
    }
    return { value: data }
  }
}
