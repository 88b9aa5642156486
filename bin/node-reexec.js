// Re-execution of `outpost` under the V8 flags a long-running command wants (bin/agent-launch.js,
// bin/hub-launch.js): the same pid, so that supervisors and signals still reach the process.

/**
 * Replaces the process image with node started with `flags` (flags given to node explicitly come
 * after them and win), `script` and `args`, with `env` added to the environment. Needs
 * `process.execve`; callers check for it.
 */
export function execWithFlags (flags, script, args, env) {
  process.execve(process.execPath, [process.execPath, ...flags, ...process.execArgv.filter((f) => !flags.includes(f)), script, ...args], { ...process.env, ...env })
}
