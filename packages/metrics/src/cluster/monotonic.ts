// Float sums of the same totals added in another order can differ in the last bit: when a worker
// exits, its totals move from the live sum to the carried one and the order changes. A sum one
// bit lower would read as a counter reset to rate(), so the primary never serves a counter or a
// histogram sum lower than it served before for the same series.
export class HighWater {
  readonly #served = new Map<string, Map<string, number>>();

  /** `value`, or the highest value served for this series before, whichever is higher. */
  clamp(family: string, key: string, value: number): number {
    let series = this.#served.get(family);
    if (!series) this.#served.set(family, (series = new Map()));
    const before = series.get(key);
    if (before !== undefined && before > value) return before;
    series.set(key, value);
    return value;
  }
}
