import { FormatRegistry, type Static, type TSchema } from '@sinclair/typebox'
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler'
import { ProtocolError, ProtocolErrorCode } from './errors.ts'

// TypeBox knows no string formats by itself; the schemas use `date-time` (ISO 8601, UTC or offset).
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/
if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', v => DATE_TIME.test(v) && !Number.isNaN(Date.parse(v)))
// A deliberately plain address check (one @, no spaces, a dot in the domain): delivery decides the rest.
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$/
if (!FormatRegistry.Has('email')) FormatRegistry.Set('email', v => EMAIL.test(v))

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>()

function checkerFor<T extends TSchema> (schema: T): TypeCheck<T> {
  let check = compiled.get(schema) as TypeCheck<T> | undefined
  if (check === undefined) {
    check = TypeCompiler.Compile(schema)
    compiled.set(schema, check)
  }
  return check
}

/** True when `value` matches `schema`; narrows the type. */
export function isValid<T extends TSchema> (schema: T, value: unknown): value is Static<T> {
  return checkerFor(schema).Check(value)
}

/**
 * Returns `value` typed by `schema`, or throws `PROTO_ERR_INVALID` listing up to five failures.
 * This is the only way parsed JSON becomes a typed message: never cast.
 */
export function validate<T extends TSchema> (schema: T, value: unknown, what = 'message'): Static<T> {
  const check = checkerFor(schema)
  if (check.Check(value)) return value
  const details = []
  for (const e of check.Errors(value)) {
    details.push({ path: e.path === '' ? '/' : e.path, message: e.message })
    if (details.length >= 5) break
  }
  throw new ProtocolError(ProtocolErrorCode.Invalid, `invalid ${what}`, { details })
}

/** Parses JSON text (or bytes) and validates it; malformed JSON is `PROTO_ERR_INVALID` too. */
export function parseJson<T extends TSchema> (schema: T, text: string | Uint8Array, what = 'message'): Static<T> {
  let value: unknown
  try {
    value = JSON.parse(typeof text === 'string' ? text : Buffer.from(text).toString('utf8'))
  } catch (cause) {
    throw new ProtocolError(ProtocolErrorCode.Invalid, `${what} is not valid JSON`, { cause })
  }
  return validate(schema, value, what)
}
