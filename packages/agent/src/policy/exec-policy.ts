import path from 'node:path'
import type { ExecBody } from '@outpost/protocol'
import type { PathGuard } from './path-guard.ts'
import type { Policy } from './policy-schema.ts'

/** Why the policy refuses an instruction: the rule (for the audit) and a message for the operator. */
export interface PolicyDenial {
  readonly rule: string
  readonly message: string
}

/** True when `argv` matches the allow-list pattern (language described at `ExecPattern`). */
export function matchesExecPattern (pattern: string, argv: readonly string[]): boolean {
  const tokens = pattern.split(' ').filter((t) => t !== '')
  if (tokens.length === 0 || argv[0] !== tokens[0]) return false
  const rest = tokens.slice(1)
  const args = argv.slice(1)
  const open = rest.at(-1) === '**'
  const fixed = open ? rest.slice(0, -1) : rest
  if (open ? args.length < fixed.length : args.length !== fixed.length) return false
  return fixed.every((t, i) => path.matchesGlob(args[i]!, t))
}

/**
 * Checks an `exec` against the policy: the operation class, the exec mode or allow-list, then
 * the cwd and every argument that may name a file against the protected paths. The path check is
 * defence in depth, not a sandbox: a program can still open what it likes (a script, `sh -c`, a
 * config file naming another path), so exec `any` trusts the hub's operators with root.
 * Resolves with the denial, or `undefined` when the exec may run.
 */
export async function checkExec (policy: Policy, guard: PathGuard, body: ExecBody): Promise<PolicyDenial | undefined> {
  if (!policy.operations.includes('exec')) return { rule: 'operations', message: 'the local policy does not allow the exec operation class (operations)' }
  if (policy.exec === 'deny') return { rule: 'exec: deny', message: 'the local policy denies exec (exec: "deny")' }
  if (policy.exec !== 'any' && !policy.exec.allow.some((p) => matchesExecPattern(p, body.argv))) {
    return { rule: 'exec.allow', message: `argv ${JSON.stringify(body.argv)} matches no pattern of the local policy's exec.allow list` }
  }
  // Kept as written: the guard resolves `..` after symlinks itself, `path.resolve` would not.
  const cwd = body.cwd ?? process.cwd()
  const cwdVerdict = await guard.check(cwd)
  if (cwdVerdict.protected) return denyPath('cwd', cwd, cwdVerdict.rule)
  for (const candidate of pathCandidates(body.argv)) {
    const v = await guard.check(candidate, cwd)
    if (v.protected) return denyPath('argv', candidate, v.rule)
  }
  return undefined
}

function denyPath (where: string, p: string, rule: string | undefined): PolicyDenial {
  return { rule: `protectedPaths: ${rule ?? ''}`, message: `${where} path ${JSON.stringify(p)} is protected by the local policy (protectedPaths: ${rule ?? ''})` }
}

/**
 * Every argument taken as a path relative to the cwd (so `cat shadow` in `/etc` is caught), plus
 * the value of `--opt=VALUE` and of `user@host:PATH`-style `X:PATH` forms. Over-matching only costs
 * a refused harmless argument that happens to name a protected file.
 */
function pathCandidates (argv: readonly string[]): string[] {
  const out = new Set<string>()
  for (const a of argv) {
    out.add(a)
    const eq = a.indexOf('=')
    if (eq >= 0 && eq < a.length - 1) out.add(a.slice(eq + 1))
    const colon = a.indexOf(':')
    if (colon >= 0 && colon < a.length - 1) out.add(a.slice(colon + 1))
  }
  return [...out]
}
