/**
 * Emulated wall clock that can run faster than real time.
 *
 * With `scale` 60, one emulated minute passes in one real second. Every duration the emulator
 * stores or reports (rate-limit windows, `retry-after`, `x-ratelimit-reset`, list lag, added
 * latency, issue timestamps) is emulated time. Only real waits convert back through `toRealMs`.
 * The emulated clock starts at the real time when the clock is created.
 */
export class EmulatedClock {
  private anchorRealMs: number
  private anchorEmulatedMs: number
  private currentScale = 1

  constructor(private readonly realNow: () => number = Date.now) {
    this.anchorRealMs = realNow()
    this.anchorEmulatedMs = this.anchorRealMs
  }

  /** Emulated time in milliseconds since the Unix epoch. */
  now(): number {
    return this.anchorEmulatedMs + (this.realNow() - this.anchorRealMs) * this.currentScale
  }

  get scale(): number {
    return this.currentScale
  }

  /**
   * Changes the speed from now on. The clock is rebased first, so emulated time that already
   * passed keeps the old speed and the clock never jumps.
   */
  set scale(scale: number) {
    if (!Number.isFinite(scale) || scale <= 0) {
      throw new RangeError(`Invalid time scale ${scale}: expected a finite number above 0`)
    }
    const emulatedNow = this.now()
    this.anchorRealMs = this.realNow()
    this.anchorEmulatedMs = emulatedNow
    this.currentScale = scale
  }

  /**
   * Moves emulated time forward at once, e.g. past a rate-limit window. Timers that already
   * sleep keep their real delay.
   */
  advance(emulatedMs: number): void {
    if (!Number.isFinite(emulatedMs) || emulatedMs < 0) {
      throw new RangeError(
        `Invalid advance of ${emulatedMs} ms: expected a finite number of at least 0`
      )
    }
    this.anchorEmulatedMs += emulatedMs
  }

  /** Converts an emulated duration to the real duration it takes at the current scale. */
  toRealMs(emulatedMs: number): number {
    return emulatedMs / this.currentScale
  }

  /** Waits for an emulated duration. */
  async sleep(emulatedMs: number): Promise<void> {
    if (emulatedMs <= 0) return
    await new Promise((resolve) => setTimeout(resolve, this.toRealMs(emulatedMs)))
  }
}
