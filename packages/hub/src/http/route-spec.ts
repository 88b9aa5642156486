import type { Static, TSchema, TUnknown } from '@sinclair/typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Role } from '@outpost/protocol'
import type { OperatorIdentity } from '../auth/api-token-service.ts'

/** Who may call a route: nobody in particular, a signed agent, or an operator of at least a role. */
export type RouteAuth = 'none' | 'agent' | 'enroll' | Role

/** A route as documented in OpenAPI. The schemas are the protocol's TypeBox schemas. */
export interface RouteDoc {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /** Fastify form, e.g. `/api/v1/hosts/:id`. */
  readonly url: string
  readonly summary: string
  readonly auth: RouteAuth
  readonly params?: TSchema
  readonly query?: TSchema
  readonly body?: TSchema
  /** Status → schema of the JSON answer. */
  readonly responses: Readonly<Record<number, TSchema>>
}

/** What an operator route handler receives, already validated and authenticated. */
export interface OperatorInput<P, Q, B> {
  readonly params: P
  readonly query: Q
  readonly body: B
  readonly identity: OperatorIdentity | undefined
  readonly request: FastifyRequest
  readonly reply: FastifyReply
}

/** An operator route: its documentation and its handler, typed by its schemas. */
export interface OperatorRoute<P extends TSchema = TUnknown, Q extends TSchema = TUnknown, B extends TSchema = TUnknown> extends RouteDoc {
  readonly params?: P
  readonly query?: Q
  readonly body?: B
  /** Status of a successful answer (default 200). */
  readonly okStatus?: number
  /** Largest JSON body in bytes, when the route needs more than `limits.apiBodyBytes` (a job carrying a file). */
  readonly bodyLimit?: number
  readonly handler: (input: OperatorInput<Static<P>, Static<Q>, Static<B>>) => Promise<unknown>
}

/** Declares an operator route with handler types inferred from its schemas. */
export function defineRoute<P extends TSchema = TUnknown, Q extends TSchema = TUnknown, B extends TSchema = TUnknown> (r: OperatorRoute<P, Q, B>): OperatorRoute<P, Q, B> {
  return r
}
