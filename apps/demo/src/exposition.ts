// Sums, buckets and quantiles of parsed expositions, enough for the live summary.
import type { Sample } from '@ai-orchestrator/testkit/exposition';

export { parseExposition, type Sample } from '@ai-orchestrator/testkit/exposition';

export function sum(
  samples: readonly Sample[],
  name: string,
  where: (l: Readonly<Record<string, string>>) => boolean = () => true,
): number {
  let total = 0;
  for (const s of samples) if (s.name === name && where(s.labels)) total += s.value;
  return total;
}

/** Cumulative bucket counts by upper bound, summed over every label set. */
export function buckets(samples: readonly Sample[], histogram: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const s of samples) {
    if (s.name !== `${histogram}_bucket`) continue;
    const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
    out.set(le, (out.get(le) ?? 0) + s.value);
  }
  return out;
}

/** The q-quantile of the observations between two bucket snapshots (linear within a bucket). */
export function quantile(
  q: number,
  before: Map<number, number>,
  after: Map<number, number>,
): number | undefined {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const deltas = bounds.map((b) => (after.get(b) ?? 0) - (before.get(b) ?? 0));
  const total = deltas[deltas.length - 1] ?? 0;
  if (total <= 0) return undefined;
  const rank = q * total;
  for (let i = 0; i < bounds.length; i++) {
    if ((deltas[i] as number) >= rank) {
      const upper = bounds[i] as number;
      const lower = i === 0 ? 0 : (bounds[i - 1] as number);
      if (upper === Infinity) return lower;
      const below = i === 0 ? 0 : (deltas[i - 1] as number);
      const inBucket = (deltas[i] as number) - below;
      return inBucket > 0 ? lower + ((upper - lower) * (rank - below)) / inBucket : upper;
    }
  }
  return undefined;
}
