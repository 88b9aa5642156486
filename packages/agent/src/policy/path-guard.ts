import fs from 'node:fs/promises'
import path from 'node:path'

/** Symlinks followed while resolving one path before it counts as a loop (the kernel's limit). */
export const MAX_SYMLINKS = 40

/** What the guard decided about one path. */
export interface PathVerdict {
  readonly protected: boolean
  /** The path with `..` and every symlink resolved (as far as it exists). */
  readonly real: string
  /** The glob or directory that matched, or why the path could not be resolved (then protected). */
  readonly rule?: string
}

/** Decides whether a path points into a protected location. */
export interface PathGuard {
  /** Resolves `p` (relative to `base`, default the agent's cwd) and matches it. Never throws. */
  check (p: string, base?: string): Promise<PathVerdict>
  /** `check(p, base).protected`. */
  isProtected (p: string, base?: string): Promise<boolean>
}

/**
 * Builds a guard over `globs` (matched with `path.matchesGlob`, except that names starting with a
 * dot match `*` and `**` like any other, and `dir/**` also covers `dir` itself) and `dirs`
 * (literal directories, protected with everything below them: the agent's state dir, whose name
 * may hold glob characters). A path is resolved component by component like the kernel does:
 * `..` after a symlink goes up from the link's target, `/proc/<pid>/root`, `/proc/self/fd/N` and
 * `/dev/fd/N` are followed as the links they are, and the lexical form is checked too, so
 * `/proc/<pid>/root/etc/shadow` is refused even when that process lives in another namespace.
 * A loop (ELOOP) or any error other than "does not exist" makes the path protected: fail closed.
 */
export function createPathGuard (globs: readonly string[], dirs: readonly string[] = []): PathGuard {
  const patterns = globs.flatMap((g) => (g.endsWith('/**') ? [g, g.slice(0, -3)] : [g]).map((x) => [g, dotSafe(x)] as const))
  const literal = dirs.map((d) => path.resolve(d))
  const match = (candidate: string): string | undefined => {
    const c = dotSafe(candidate)
    for (const [glob, pattern] of patterns) if (path.matchesGlob(c, pattern)) return glob
    for (const d of literal) if (candidate === d || candidate.startsWith(d === '/' ? '/' : d + '/')) return d
    return undefined
  }
  const check = async (p: string, base = process.cwd()): Promise<PathVerdict> => {
    // Joined, not `path.resolve`d: a lexical `..` after a symlink would go up from the wrong place.
    const raw = p.startsWith('/') ? p : `${base.startsWith('/') ? base : `${process.cwd()}/${base}`}/${p}`
    const lexical = path.resolve(raw)
    let real: string
    try {
      real = await resolveReal(raw)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error'
      return { protected: true, real: lexical, rule: `${code}: cannot resolve ${p}` }
    }
    for (const candidate of new Set([real, lexical, ...procRootAliases(lexical), ...procRootAliases(real)])) {
      const rule = match(candidate)
      if (rule !== undefined) return { protected: true, real, rule }
    }
    return { protected: false, real }
  }
  return { check, isProtected: async (p, base) => (await check(p, base)).protected }
}

/** Resolves `abs` like `realpath`, also when its tail does not exist (that part is taken as written). */
async function resolveReal (abs: string): Promise<string> {
  let pending = parts(abs)
  let cur = '/'
  let links = 0
  while (pending.length > 0) {
    const c = pending.shift()!
    if (c === '.') continue
    if (c === '..') { cur = path.dirname(cur); continue }
    const next = path.join(cur, c)
    let isLink: boolean
    try {
      isLink = (await fs.lstat(next)).isSymbolicLink()
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      // A missing component: what follows cannot exist either, so it is taken lexically.
      if (code === 'ENOENT' || code === 'ENOTDIR') { cur = next; continue }
      throw err
    }
    if (!isLink) { cur = next; continue }
    if (++links > MAX_SYMLINKS) throw Object.assign(new Error(`too many symlinks in ${abs}`), { code: 'ELOOP' })
    const target = await fs.readlink(next)
    // A magic link that names no path (`pipe:[12]`, `anon_inode:…`) becomes a name under `cur`, which does not exist.
    if (path.isAbsolute(target)) cur = '/'
    pending = [...parts(target), ...pending]
  }
  return cur
}

function parts (p: string): string[] {
  return p.split('/').filter((c) => c !== '')
}

/** `/proc/<pid>/root/REST` and `/proc/<pid>/task/<tid>/root/REST` also name `/REST`. */
function procRootAliases (p: string): string[] {
  const m = /^\/proc\/[^/]+(?:\/task\/[^/]+)?\/root(\/.*)?$/.exec(p)
  if (m === null) return []
  const rest = m[1] ?? '/'
  return [path.resolve(rest), ...procRootAliases(path.resolve(rest))]
}

/** Makes a leading dot of each name an ordinary character, so `*` and `**` match dot files too. */
function dotSafe (p: string): string {
  return p.split('/').map((c) => c.startsWith('.') && c !== '.' && c !== '..' ? '\u0001' + c.slice(1) : c).join('/')
}
