// The merged series of one family at the primary, and how one worker's value joins them.
import type { Aggregation } from '../contract.js';
import type { HistogramSeries, Labels } from '../prom-internals.js';
import type { ExemplarSnapshot, SampleLabels } from './protocol.js';

export type { SampleLabels };

/** Where a snapshot comes from. */
export interface Origin {
  /** Value of the `worker` label: the worker's slot number, or `primary`. */
  readonly worker: string;
  readonly pid: number;
  /** When the snapshot was taken (ms since the epoch): the freshest value of a process wins. */
  readonly takenAt: number;
  /** Totals of workers that exited. */
  readonly carried?: boolean;
}

/** One series of a histogram: count, sum, then each bucket alone; the newest exemplar per bucket. */
export interface HistogramAcc {
  readonly labels: Labels;
  readonly numbers: number[];
  readonly exemplars: (ExemplarSnapshot | null)[];
}

/** One sample series of a non-histogram family. */
export interface ValueAcc {
  readonly metricName: string;
  readonly labels: SampleLabels;
  value: number;
  /** Values combined so far (for `first` and `average`). */
  count: number;
  /** Carried totals of processes that are gone (`process`). */
  base: number;
  /** `process`: the freshest value of each live process, `[value, takenAt]`. */
  pids?: Map<number, [number, number]>;
  exemplar: ExemplarSnapshot | null;
}

/** An injective key of a label set: names are identifiers and JSON strings delimit themselves. */
export function keyOf(labels: SampleLabels, metricName = '', sorted = false): string {
  let key = metricName;
  const names = Object.keys(labels);
  if (sorted) names.sort();
  for (const name of names) key += `|${name}=${JSON.stringify(labels[name])}`;
  return key;
}

/** The newer of two exemplars (a missing timestamp counts as oldest). */
export function newer(
  current: ExemplarSnapshot | null,
  candidate: ExemplarSnapshot,
): ExemplarSnapshot {
  if (current === null) return candidate;
  return (candidate.timestamp ?? 0) >= (current.timestamp ?? 0) ? candidate : current;
}

/** Folds one worker's `value` into `acc` by `rule`. */
export function combine(acc: ValueAcc, rule: Aggregation, value: number, origin: Origin): void {
  switch (rule) {
    case 'max':
      acc.value = acc.count === 0 ? value : Math.max(acc.value, value);
      break;
    case 'min':
      acc.value = acc.count === 0 ? value : Math.min(acc.value, value);
      break;
    case 'first':
      if (acc.count === 0) acc.value = value;
      break;
    case 'process': {
      if (origin.carried) {
        acc.base += value;
        break;
      }
      const pids = (acc.pids ??= new Map());
      const seen = pids.get(origin.pid);
      if (seen === undefined || origin.takenAt >= seen[1])
        pids.set(origin.pid, [value, origin.takenAt]);
      break;
    }
    default:
      // sum, average, worker (each worker's series has one value, or carried plus live)
      acc.value += value;
  }
  acc.count += 1;
}

/** The value `acc` shows. */
export function valueOf(acc: ValueAcc, rule: Aggregation): number {
  if (rule === 'average') return acc.count === 0 ? 0 : acc.value / acc.count;
  if (rule !== 'process') return acc.value;
  let total = acc.base;
  for (const [value] of acc.pids?.values() ?? []) total += value;
  return total;
}

/** The series as the exposition reads a prom-client histogram entry. */
export function histogramEntry(acc: HistogramAcc, bounds: readonly number[]): HistogramSeries {
  const bucketValues: Record<string, number> = {};
  bounds.forEach((bound, b) => (bucketValues[bound] = acc.numbers[b + 2] as number));
  const entry = {
    labels: acc.labels,
    bucketValues,
    count: acc.numbers[0] as number,
    sum: acc.numbers[1] as number,
  };
  if (!acc.exemplars.some((e) => e !== null)) return entry;
  const bucketExemplars: Record<string, ExemplarSnapshot | null> = {};
  bounds.forEach((bound, b) => (bucketExemplars[bound] = acc.exemplars[b] ?? null));
  bucketExemplars['-1'] = acc.exemplars[bounds.length] ?? null;
  return { ...entry, bucketExemplars };
}

/** A histogram series as the samples prom-client's get() gives: cumulative buckets, sum, count. */
export function histogramSamples(
  name: string,
  bounds: readonly number[],
  acc: HistogramAcc,
): [string, SampleLabels, number, ExemplarSnapshot | null][] {
  const samples: [string, SampleLabels, number, ExemplarSnapshot | null][] = [];
  let cumulative = 0;
  bounds.forEach((bound, b) => {
    cumulative += acc.numbers[b + 2] as number;
    samples.push([
      `${name}_bucket`,
      { ...acc.labels, le: bound },
      cumulative,
      acc.exemplars[b] ?? null,
    ]);
  });
  const count = acc.numbers[0] as number;
  const inf = acc.exemplars[bounds.length] ?? null;
  samples.push([`${name}_bucket`, { ...acc.labels, le: '+Inf' }, count, inf]);
  samples.push([`${name}_sum`, acc.labels, acc.numbers[1] as number, null]);
  samples.push([`${name}_count`, acc.labels, count, null]);
  return samples;
}
