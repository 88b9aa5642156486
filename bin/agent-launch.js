// Process set-up for `outpost agent`, done before any TypeScript is loaded. The agent runs for
// months on small servers, so its resident memory matters more than a few milliseconds of start:
// see docs/agent-footprint.md for what each step buys (measured with `npm run bench:agent`).
import fs from 'node:fs'
import module from 'node:module'
import path from 'node:path'
import { execWithFlags } from './node-reexec.js'

/**
 * V8 flags the agent process runs with. A 1 MB semi-space (instead of up to 16 MB, grown during
 * start-up and never given back) fits an agent that allocates little between reports; young
 * collections get more frequent but stay sub-millisecond. Flags given to node explicitly come
 * after these and win.
 */
export const AGENT_NODE_FLAGS = Object.freeze(['--max-semi-space-size=1'])

/** Set in the environment of the re-executed agent process; removed again once read. */
const STAGE_ENV = 'OUTPOST_AGENT_STAGE'
/** Sub-directory of the state dir that holds Node's compile cache. */
const CACHE_DIR = 'compile-cache'

/**
 * Prepares the agent process. May replace the process image (same pid) with `process.execve`:
 * first to start node with `AGENT_NODE_FLAGS`, then, once, after it had to strip the agent's
 * TypeScript (cold compile cache), so that the running agent does not keep the stripper (about
 * 20 MB) resident. Returns in the process that goes on to run the agent.
 */
export async function prepareAgentProcess (script, args) {
  const stage = process.env[STAGE_ENV]
  delete process.env[STAGE_ENV] // not passed on to the programs the agent runs
  const exec = typeof process.execve === 'function'
    ? (nextStage) => execWithFlags(AGENT_NODE_FLAGS, script, args, { [STAGE_ENV]: nextStage })
    : undefined
  if (stage === undefined && exec !== undefined) exec('flags')
  const cacheDir = privateCacheDir(args)
  if (cacheDir === undefined) return
  module.enableCompileCache(cacheDir)
  // Everything `outpost agent` loads as TypeScript, so that a cold cache shows here.
  await import('../packages/cli/src/main.ts')
  await import('../packages/cli/src/commands/agent-command.ts')
  if (stage === 'flags' && exec !== undefined && process.moduleLoadList.includes('NativeModule internal/deps/amaro/dist/index')) {
    module.flushCompileCache()
    exec('warm')
  }
}

/**
 * `STATE/compile-cache`, or undefined when the state dir is not ours alone: a cache entry is code
 * this process runs (possibly as root), so nobody else may be able to write it. A missing state
 * dir is created (mode 0700, as enrollment does) only on the enrolling run.
 */
function privateCacheDir (args) {
  let dir
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--state') dir = args[i + 1]
    else if (args[i].startsWith('--state=')) dir = args[i].slice('--state='.length)
  }
  if (dir === undefined || dir === '') return undefined
  dir = path.resolve(dir)
  const enrolling = args.some((a) => a === '--enroll' || a.startsWith('--enroll='))
  if (enrolling && !fs.existsSync(dir)) fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
  const st = fs.statSync(dir, { throwIfNoEntry: false })
  if (st === undefined || !st.isDirectory() || st.uid !== process.geteuid() || (st.mode & 0o022) !== 0) return undefined
  return path.join(dir, CACHE_DIR)
}
