import fs from 'node:fs'
import { isValid, validate, OutpostError } from '@outpost/protocol'
import { AgentError, AgentErrorCode } from '../errors.ts'
import { BUILTIN_PROTECTED_PATHS, DEFAULT_POLICY, DEFAULT_POLICY_FILE, PolicySchema, type Policy } from './policy-schema.ts'

/** A policy file larger than this is refused: no real policy comes close. */
const MAX_POLICY_BYTES = 1024 * 1024

/**
 * Reads and validates the local policy, once at start. `null` means no file: the defaults. A
 * missing file is the defaults only when it is the default location (`optional` defaults to
 * `file === DEFAULT_POLICY_FILE`); a file named explicitly must exist. Bad JSON, unknown keys, a
 * file writable by group or others, or (when the agent runs as root) one not owned by root fail
 * with `AGENT_ERR_POLICY`: whoever could edit it could widen what the hub may do here. The
 * file's `protectedPaths` are added to the built-in ones; other missing keys take the defaults.
 */
export function loadPolicy (file: string | null, opts: { optional?: boolean } = {}): Policy {
  if (file === null) return DEFAULT_POLICY
  const optional = opts.optional ?? file === DEFAULT_POLICY_FILE
  let fd: number
  try {
    fd = fs.openSync(file, 'r')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && optional) return DEFAULT_POLICY
    throw new AgentError(AgentErrorCode.Policy, `cannot open the policy file ${file}: ${(err as Error).message}`, { cause: err })
  }
  let text: string
  try {
    // fstat on the open descriptor: the checked file is the one read, even if the path is swapped.
    const st = fs.fstatSync(fd)
    if (!st.isFile()) throw new AgentError(AgentErrorCode.Policy, `the policy file ${file} is not a regular file`)
    if ((st.mode & 0o022) !== 0) throw new AgentError(AgentErrorCode.Policy, `the policy file ${file} is writable by group or others (mode ${(st.mode & 0o777).toString(8)}); chmod go-w it`)
    if (process.getuid?.() === 0 && st.uid !== 0) throw new AgentError(AgentErrorCode.Policy, `the policy file ${file} is owned by uid ${st.uid}, not root; chown root it`)
    if (st.size > MAX_POLICY_BYTES) throw new AgentError(AgentErrorCode.Policy, `the policy file ${file} is larger than ${MAX_POLICY_BYTES} bytes`)
    text = fs.readFileSync(fd, 'utf8')
  } finally {
    fs.closeSync(fd)
  }
  return parsePolicy(text, file)
}

/** Validates a policy document (the text of a policy file) and merges it over the defaults. */
export function parsePolicy (text: string, source = 'policy'): Policy {
  let input: unknown
  try {
    input = JSON.parse(text)
  } catch (err) {
    throw new AgentError(AgentErrorCode.Policy, `${source} is not valid JSON: ${(err as Error).message}`, { cause: err })
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new AgentError(AgentErrorCode.Policy, `${source} must be a JSON object`)
  const given = input as Record<string, unknown>
  const merged = {
    ...DEFAULT_POLICY,
    ...given,
    protectedPaths: [...BUILTIN_PROTECTED_PATHS, ...(Array.isArray(given.protectedPaths) ? given.protectedPaths as unknown[] : [])]
  }
  if (given.protectedPaths !== undefined && !Array.isArray(given.protectedPaths)) merged.protectedPaths = given.protectedPaths as unknown[]
  if (!isValid(PolicySchema, merged)) {
    try {
      validate(PolicySchema, merged, source)
    } catch (err) {
      const details = err instanceof OutpostError ? err.details : undefined
      throw new AgentError(AgentErrorCode.Policy, `invalid ${source}: ${JSON.stringify(details)}`, { cause: err, details })
    }
  }
  return deepFreeze(structuredClone(merged) as Policy)
}

function deepFreeze<T> (v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const x of Object.values(v)) deepFreeze(x)
    Object.freeze(v)
  }
  return v
}
