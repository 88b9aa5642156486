/**
 * The Outpost wire protocol: every message between hub, agent, relay, CLI and console, written
 * once as a TypeBox schema with its TypeScript type derived from it, plus validation and the
 * signing formats both ends must agree on.
 */
export * from './version.ts'
export * from './errors.ts'
export * from './validate.ts'
export * from './paths.ts'
export * from './enroll-token.ts'
export * from './crypto/canonical-json.ts'
export * from './crypto/ed25519.ts'
export * from './crypto/request-signature.ts'
export * from './crypto/instruction-signature.ts'
export * from './crypto/relay-signature.ts'
export * from './messages/monitoring.ts'
export * from './messages/relay-report.ts'
export * from './messages/instruction.ts'
export * from './messages/agent-messages.ts'
export * from './messages/hub-messages.ts'
export * from './api/operator-api.ts'
export * from './api/alerts-api.ts'
export * from './api/console-api.ts'
export * from './api/live-events.ts'
export * from './operations/file-ops.ts'
export * from './operations/session-ops.ts'
export * from './operations/system-ops.ts'
export * from './api/operations-api.ts'
export * from './api/topology-api.ts'
