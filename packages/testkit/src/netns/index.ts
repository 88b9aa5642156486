/** Network namespaces for tests of real topologies (sites, gateways, relays); needs root and iproute2. */
export { requireNetns, listNamespaces } from './ip-command.ts'
export * from './netns-lab.ts'
export * from './probes.ts'
export * from './site.ts'
export * from './chain.ts'
export * from './portal.ts'
