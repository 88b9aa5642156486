import type { PowerBody } from '@outpost/protocol'
import { AgentError, AgentErrorCode } from '../../errors.ts'

/**
 * The `shutdown` argv of a power instruction: `-r` (reboot) or `-h` (halt and power off), the
 * delay as `+MINUTES` (`+0` is now), and the reason as the wall message logged-in users see;
 * `cancel` is `-c` with the reason. `--` ends the options first, so a reason that starts with
 * `-` is a message, never an option. A reason with control characters is refused: it is written
 * to every terminal, where escape sequences would do more than inform.
 */
export function powerArgv (body: PowerBody): [string, ...string[]] {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(body.reason)) {
    throw new AgentError(AgentErrorCode.OperationFailed, 'the power reason must not contain control characters (it is broadcast to terminals)')
  }
  if (!Number.isSafeInteger(body.delayMinutes) || body.delayMinutes < 0) {
    throw new AgentError(AgentErrorCode.OperationFailed, `delayMinutes must be an integer ≥ 0, got ${String(body.delayMinutes)}`)
  }
  if (body.action === 'cancel') return ['shutdown', '-c', '--', body.reason]
  return ['shutdown', body.action === 'reboot' ? '-r' : '-h', '--', `+${body.delayMinutes}`, body.reason]
}
