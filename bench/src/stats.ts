// Small statistics for the report: medians over rounds, values of two setups paired by round.
import type { Framework, Variant } from './configs.js';
import type { Sample } from './throughput.js';

/** Median of `values` (NaN for none). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * `value` of two setups in each round both ran.
 *
 * @example
 * pairedValues(samples, 'koa', 'ours', 'bare', (x, y) => x.rps / y.rps); // one ratio per round
 */
export function pairedValues(
  samples: readonly Sample[],
  framework: Framework,
  a: Variant,
  b: Variant,
  value: (x: Sample, y: Sample) => number,
): number[] {
  const mine = samples.filter((s) => s.framework === framework && s.variant === a);
  const values: number[] = [];
  for (const s of mine) {
    const other = samples.find(
      (o) => o.framework === framework && o.variant === b && o.round === s.round,
    );
    if (other) values.push(value(s, other));
  }
  return values;
}

/** Median, lowest and highest of a set of per-round values: the figure and its noise. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/**
 * The spread of `values` (NaN throughout for none).
 *
 * @example
 * spreadOf([0.9, 1.1, 1.0]); // { median: 1, min: 0.9, max: 1.1 }
 */
export function spreadOf(values: readonly number[]): Spread {
  if (values.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}
