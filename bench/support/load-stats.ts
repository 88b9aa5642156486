/** Latency samples in milliseconds and the numbers a benchmark prints from them. */
export class LatencyRecorder {
  #samples = new Float64Array(1 << 16)
  #count = 0

  add (ms: number): void {
    if (this.#count === this.#samples.length) {
      const bigger = new Float64Array(this.#samples.length * 2)
      bigger.set(this.#samples)
      this.#samples = bigger
    }
    this.#samples[this.#count++] = ms
  }

  get count (): number {
    return this.#count
  }

  /** The q-quantile (0..1), nearest rank. */
  quantile (q: number): number {
    if (this.#count === 0) return Number.NaN
    const sorted = this.#samples.slice(0, this.#count).sort()
    return sorted[Math.min(this.#count - 1, Math.ceil(q * this.#count) - 1)] ?? Number.NaN
  }
}

/** Median of a list of numbers. */
export function median (xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid] ?? Number.NaN : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2
}
