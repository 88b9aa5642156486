// Process set-up for `outpost hub`, done before any TypeScript is loaded.
import { execWithFlags } from './node-reexec.js'

/**
 * V8 flags the hub process runs with. Under the traffic of thousands of agents V8 grows the young
 * generation to its ceiling (128 MB here) and keeps it resident; 16 MB semi-spaces hold the hub's
 * short-lived garbage as well at no measurable CPU cost (docs/performance.md, section b). Flags
 * given to node explicitly come after these and win.
 */
export const HUB_NODE_FLAGS = Object.freeze(['--max-semi-space-size=16'])

/** Set in the environment of the re-executed hub process; removed again once read. */
const STAGE_ENV = 'OUTPOST_HUB_STAGE'

/** Replaces the process image (same pid) with node started with `HUB_NODE_FLAGS`, once. */
export function prepareHubProcess (script, args) {
  const stage = process.env[STAGE_ENV]
  delete process.env[STAGE_ENV]
  if (stage !== undefined || typeof process.execve !== 'function') return
  execWithFlags(HUB_NODE_FLAGS, script, args, { [STAGE_ENV]: 'flags' })
}
