/** The Outpost agent: `createAgent(config)` returns an unstarted agent; see `main.ts` for the process. */
export * from './errors.ts'
export * from './config/agent-config.ts'
