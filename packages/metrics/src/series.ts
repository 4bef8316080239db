// The request hot path's writes to prom-client: one label set's entry in a metric's `hashMap` is
// updated in place, exactly as prom-client 15's own inc()/observe() would, so a request skips
// label validation and hashing. Whenever the entry is missing (first use, reset(), remove()) or
// the internals do not look like prom-client 15's, the public API does the write instead.
import type { Gauge, Histogram } from 'prom-client';
import { observe } from './observe.js';

type Labels = Record<string, string>;

interface HistogramEntry {
  readonly labels: Labels;
  readonly bucketValues: Record<string, number>;
  sum: number;
  count: number;
  readonly bucketExemplars?: Record<string, ExemplarLike | null>;
}

interface ExemplarLike {
  labelSet: Labels;
  value: number;
  timestamp?: number;
}

interface HistogramInternals {
  readonly hashMap: Record<string, HistogramEntry | undefined>;
  readonly upperBounds: readonly number[];
  readonly sortedLabelNames: readonly string[];
  readonly enableExemplars: boolean;
  observe(labels: Labels, value: number): void;
  updateExemplar(labels: Labels, value: number, exemplar: Labels): void;
}

interface GaugeInternals {
  readonly hashMap: Record<string, { value: number; labels: Labels } | undefined>;
  readonly sortedLabelNames: readonly string[];
}

/** prom-client's `hashObject(labels, sortedLabelNames)`: `name:value,` per defined label. */
function hashOf(labels: Labels, sortedNames: readonly string[]): string {
  let hash = '';
  for (const name of sortedNames) {
    const value = labels[name];
    if (value !== undefined) hash += `${name}:${value},`;
  }
  return hash;
}

function sameLabels(a: Labels, b: Labels): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

function hasInternals(metric: object): boolean {
  const m = metric as Partial<HistogramInternals>;
  return typeof m.hashMap === 'object' && m.hashMap !== null && Array.isArray(m.sortedLabelNames);
}

/** One label set of a metric: its labels and its key in the metric's `hashMap`. */
export interface SeriesKey {
  readonly labels: Labels;
  readonly hash: string;
}

/** Builds the key of `labels` for a metric with `sortedNames` (prom-client's `sortedLabelNames`). */
export function seriesKey(labels: Labels, sortedNames: readonly string[]): SeriesKey {
  return { labels, hash: hashOf(labels, sortedNames) };
}

/** A Histogram's observe() for label sets whose key is already known. */
export class HistogramWriter {
  readonly histogram: Histogram;
  readonly #h: HistogramInternals;
  #fast: boolean;
  readonly #bounds: readonly number[];
  // String(bound) for each bucket: the property names of an entry's bucketValues.
  readonly #keys: readonly string[];

  constructor(histogram: Histogram) {
    this.histogram = histogram;
    this.#h = histogram as unknown as HistogramInternals;
    this.#fast =
      hasInternals(histogram) &&
      Array.isArray(this.#h.upperBounds) &&
      typeof this.#h.updateExemplar === 'function';
    this.#bounds = this.#fast ? [...this.#h.upperBounds] : [];
    this.#keys = this.#bounds.map(String);
  }

  get sortedLabelNames(): readonly string[] {
    return this.#fast ? this.#h.sortedLabelNames : [];
  }

  /** Observes `value` for `key`, with `exemplar` labels when the histogram keeps exemplars. */
  observe(key: SeriesKey, value: number, exemplar: Labels | undefined): void {
    const entry = this.#fast ? this.#h.hashMap[key.hash] : undefined;
    if (entry === undefined || typeof entry.sum !== 'number') {
      this.#slow(key, value, exemplar);
      return;
    }
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    const bounds = this.#bounds;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    entry.sum += value;
    entry.count += 1;
    // Past the last bound prom-client counts only sum and count (+Inf is the count).
    if (i < bounds.length) (entry.bucketValues[this.#keys[i] as string] as number) += 1;
    if (exemplar === undefined || !this.#h.enableExemplars) return;
    const exemplars = entry.bucketExemplars;
    const found = exemplars?.[i < bounds.length ? (this.#keys[i] as string) : '-1'];
    if (found === null || typeof found !== 'object') {
      // The first exemplar of this bucket: prom-client creates its Exemplar object.
      this.#h.updateExemplar(key.labels, value, exemplar);
      return;
    }
    checkExemplar(exemplar);
    found.labelSet = exemplar;
    found.value = value;
    found.timestamp = Date.now() / 1000;
  }

  #slow(key: SeriesKey, value: number, exemplar: Labels | undefined): void {
    observe(this.histogram, key.labels, value, exemplar);
    // The entry prom-client just made must be the one our key names, or we stay on this path.
    if (this.#fast) {
      const made = this.#h.hashMap[key.hash];
      if (made === undefined || !sameLabels(made.labels, key.labels)) this.#fast = false;
    }
  }
}

/** prom-client's Exemplar#validateExemplarLabelSet: names and values within 128 characters. */
function checkExemplar(labels: Labels): void {
  let size = 0;
  for (const name in labels) size += name.length + String(labels[name]).length;
  if (size > 128) throw new RangeError('Label set size must be smaller than 128 UTF-8 chars');
}

/** A Gauge's inc()/dec() for label sets whose key is already known. */
export class GaugeWriter {
  readonly gauge: Gauge;
  readonly #g: GaugeInternals;
  #fast: boolean;

  constructor(gauge: Gauge) {
    this.gauge = gauge;
    this.#g = gauge as unknown as GaugeInternals;
    this.#fast = hasInternals(gauge);
  }

  get sortedLabelNames(): readonly string[] {
    return this.#fast ? this.#g.sortedLabelNames : [];
  }

  add(key: SeriesKey, delta: number): void {
    const entry = this.#fast ? this.#g.hashMap[key.hash] : undefined;
    if (entry !== undefined && typeof entry.value === 'number') {
      entry.value += delta;
      return;
    }
    this.gauge.inc(key.labels, delta);
    if (this.#fast) {
      const made = this.#g.hashMap[key.hash];
      if (made === undefined || !sameLabels(made.labels, key.labels)) this.#fast = false;
    }
  }
}
