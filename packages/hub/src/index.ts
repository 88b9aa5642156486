/** The Outpost hub: `createHub(config)` returns an unstarted hub; see `main.ts` for the process. */
export * from './errors.ts'
export * from './config/hub-config.ts'
