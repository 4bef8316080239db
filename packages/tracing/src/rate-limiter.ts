// A token bucket: up to `perSecond` decisions a second on average, bursts of one second's worth.
export class RateLimiter {
  private tokens: number;
  private last: number;
  private readonly capacity: number;

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.capacity = Math.max(1, perSecond);
    this.tokens = this.capacity;
    this.last = now();
  }

  /** Takes one token if there is one. */
  tryTake(): boolean {
    if (!this.hasToken()) return false;
    this.tokens -= 1;
    return true;
  }

  /** True when a token is there to take; takes none. */
  hasToken(): boolean {
    const now = this.now();
    this.tokens = Math.min(
      this.capacity,
      this.tokens + ((now - this.last) / 1000) * this.perSecond,
    );
    this.last = now;
    return this.tokens >= 1;
  }
}
