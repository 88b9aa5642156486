import type { OperationClass, Policy } from './policy-schema.ts'
import type { PolicyDenial } from './exec-policy.ts'

/** Refuses an instruction whose operation class the policy's `operations` list leaves out. */
export function checkOperationClass (policy: Policy, operation: OperationClass): PolicyDenial | undefined {
  if (policy.operations.includes(operation)) return undefined
  return { rule: 'operations', message: `the local policy does not allow the ${operation} operation class (operations)` }
}
