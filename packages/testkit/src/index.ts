/** Starts real Outpost components and their peers for tests; a devDependency only. */
export * from './postgres.ts'
export * from './proxy.ts'
export * from './process-sockets.ts'
export * from './outpost-process.ts'
export * from './hub.ts'
export * from './hub-client.ts'
export * from './browser.ts'
export * from './smtp-sink.ts'
