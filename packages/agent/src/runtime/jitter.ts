/** `intervalMs` stretched or shrunk at random by up to `jitter` (a fraction), never below 1 ms. */
export function jittered (intervalMs: number, jitter: number, random: () => number = Math.random): number {
  return Math.max(1, Math.round(intervalMs * (1 + jitter * (2 * random() - 1))))
}
