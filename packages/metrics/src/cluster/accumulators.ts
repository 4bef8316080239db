// The merged series of one family at the primary, and how one worker's value joins them.
import type { Aggregation } from '../contract.js';
import type { Labels } from '../prom-internals/probe.js';
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
  /** The primary's own registries, read in its own process. */
  readonly local?: boolean;
}

/** A histogram's bucket property names (`String(bound)`, as prom-client keys them); `-1` is +Inf. */
export interface Buckets {
  readonly bounds: readonly number[];
  readonly keys: readonly string[];
  /** `keys` and `-1`: the exemplar of bucket index `b` is at `exemplarKeys[b]`. */
  readonly exemplarKeys: readonly string[];
}

export function bucketsOf(bounds: readonly number[]): Buckets {
  const keys = bounds.map(String);
  return { bounds, keys, exemplarKeys: [...keys, '-1'] };
}

/**
 * One merged histogram series, in the shape of prom-client's entry (what the exposition reads),
 * so the merged view renders without a copy: each bucket's own count, not cumulative.
 */
export interface HistogramAcc {
  readonly labels: Labels;
  readonly bucketValues: Record<string, number>;
  sum: number;
  count: number;
  bucketExemplars?: Record<string, ExemplarSnapshot | null>;
}

export function histogramAcc(labels: Labels, buckets: Buckets): HistogramAcc {
  const bucketValues: Record<string, number> = {};
  for (const key of buckets.keys) bucketValues[key] = 0;
  return { labels, bucketValues, sum: 0, count: 0 };
}

/** Adds a wire series (count, sum, then each bucket alone) starting at `numbers[at]`. */
export function addNumbers(
  acc: HistogramAcc,
  keys: readonly string[],
  numbers: readonly number[],
  at: number,
): void {
  acc.count += numbers[at] as number;
  acc.sum += numbers[at + 1] as number;
  const values = acc.bucketValues;
  for (let b = 0; b < keys.length; b++) {
    const key = keys[b] as string;
    values[key] = (values[key] as number) + (numbers[at + 2 + b] as number);
  }
}

/** Adds `from` (same bounds) into `acc`. */
export function addHistogram(acc: HistogramAcc, from: HistogramAcc, buckets: Buckets): void {
  acc.count += from.count;
  acc.sum += from.sum;
  for (const key of buckets.keys) {
    acc.bucketValues[key] = (acc.bucketValues[key] as number) + (from.bucketValues[key] ?? 0);
  }
  buckets.exemplarKeys.forEach((key, b) => {
    const exemplar = from.bucketExemplars?.[key];
    if (exemplar) setExemplar(acc, buckets, b, exemplar);
  });
}

/** Keeps `exemplar` for bucket index `b` if it is newer than the one there. */
export function setExemplar(
  acc: HistogramAcc,
  buckets: Buckets,
  b: number,
  exemplar: ExemplarSnapshot,
): void {
  const key = buckets.exemplarKeys[b];
  if (key === undefined) return;
  const stored = (acc.bucketExemplars ??= {});
  stored[key] = newer(stored[key] ?? null, exemplar);
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

// Values holding none of these join into a key directly; the others take a JSON key, which
// starts with \u0002 and so meets no joined key.
// eslint-disable-next-line no-control-regex -- these are the separators the key is built with
const SPECIAL = /[\u0000-\u0002]/;

/**
 * An injective key of `count` label values from `values[from]` (null: the label is absent): each
 * value ends with \u0000, an absent one is \u0001.
 */
export function valuesKey(values: readonly (string | null)[], from: number, count: number): string {
  let key = '';
  for (let i = from; i < from + count; i++) {
    const value = values[i];
    if (value === null || value === undefined) key += '\u0001\u0000';
    else if (SPECIAL.test(value))
      return `\u0002${JSON.stringify(values.slice(from, from + count))}`;
    else key += `${value}\u0000`;
  }
  return key;
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

/** A histogram series as the samples prom-client's get() gives: cumulative buckets, sum, count. */
export function histogramSamples(
  name: string,
  buckets: Buckets,
  acc: HistogramAcc,
): [string, SampleLabels, number, ExemplarSnapshot | null][] {
  const samples: [string, SampleLabels, number, ExemplarSnapshot | null][] = [];
  const bucket = `${name}_bucket`;
  const exemplar = (b: number) => acc.bucketExemplars?.[buckets.exemplarKeys[b] as string] ?? null;
  let cumulative = 0;
  buckets.bounds.forEach((bound, b) => {
    cumulative += acc.bucketValues[buckets.keys[b] as string] ?? 0;
    samples.push([bucket, { ...acc.labels, le: bound }, cumulative, exemplar(b)]);
  });
  samples.push([bucket, { ...acc.labels, le: '+Inf' }, acc.count, exemplar(buckets.bounds.length)]);
  samples.push([`${name}_sum`, acc.labels, acc.sum, null]);
  samples.push([`${name}_count`, acc.labels, acc.count, null]);
  return samples;
}
