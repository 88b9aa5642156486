import { FormatRegistry, type Static, type TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { ApiError } from './api-error.ts'

// The console runs without 'unsafe-eval', so it must not use TypeBox's TypeCompiler (it builds
// checkers with `new Function`). `Value.Check` interprets the schema instead. TypeBox knows no
// string formats by itself; these match the ones @outpost/protocol registers on the server side.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$/
if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', v => DATE_TIME.test(v) && !Number.isNaN(Date.parse(v)))
if (!FormatRegistry.Has('email')) FormatRegistry.Set('email', v => EMAIL.test(v))

/** Returns `value` typed by `schema`, or throws an `ApiError` (`WEB_ERR_BAD_ANSWER`) naming the first failure. */
export function checkAnswer<T extends TSchema> (schema: T, value: unknown, what: string): Static<T> {
  if (Value.Check(schema, value)) return value
  const first = Value.Errors(schema, value).First()
  const where = first === undefined ? '' : ` at ${first.path === '' ? '/' : first.path}: ${first.message}`
  throw new ApiError('WEB_ERR_BAD_ANSWER', 0, `the hub sent an unexpected ${what}${where}`)
}

/** True when `value` matches `schema` (no throw), for streams where a bad item is skipped. */
export function matches<T extends TSchema> (schema: T, value: unknown): value is Static<T> {
  return Value.Check(schema, value)
}

/**
 * The first reason `value` fails `schema`, as `path: message` (path without the leading `/`),
 * or undefined when it passes. Forms check their input with it before sending.
 */
export function firstProblem<T extends TSchema> (schema: T, value: unknown): { path: string, message: string } | undefined {
  if (Value.Check(schema, value)) return undefined
  const first = Value.Errors(schema, value).First()
  return { path: first?.path.replace(/^\//, '') ?? '', message: first?.message ?? 'invalid' }
}
