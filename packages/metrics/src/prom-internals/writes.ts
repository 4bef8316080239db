// In-place writes to prom-client 15's series entries, exactly as its own inc()/set()/observe()
// would make them, for metrics the probe (./probe.ts) found in the shape it knows. The hot path
// of every recorder: one lookup and a few additions per write.
import { Counter, Gauge, Histogram } from 'prom-client';
import {
  fastPathApplies,
  promHash,
  type HistogramEntry,
  type HistogramInternals,
  type Internals,
  type Labels,
  type ValueEntry,
} from './probe.js';

/** One label set as the writers address it: prom-client's own key, or an escaped one. */
export interface SeriesKey {
  readonly labels: Labels;
  /** Where the entry lives in the metric's map (see seriesHash). */
  hash: string;
  /** prom-client's own key for `labels` (`name:value,` per label), where its public API looks. */
  readonly promHash: string;
}

/**
 * The key our writers use. prom-client's key is ambiguous once a value holds a comma
 * (`a:x,b:y,` is also `{a: 'x,b:y'}`), so such label sets get a JSON key instead: it starts
 * with `[`, which no prom-client key does (they start with a label name), and JSON is injective.
 */
export function seriesHash(labels: Labels, sortedNames: readonly string[]): string {
  for (const name of sortedNames) {
    if (labels[name]?.includes(',')) return JSON.stringify(sortedNames.map((name) => labels[name]));
  }
  return promHash(labels, sortedNames);
}

function sameLabels(found: Readonly<Record<string, unknown>>, wanted: Labels): boolean {
  if (found === wanted) return true;
  const names = Object.keys(wanted);
  return (
    names.length === Object.keys(found).length &&
    names.every((name) => found[name] === wanted[name])
  );
}

/** The entry of `key`, made by `create` when missing; a slot holding another label set is never written. */
function entryOf<E extends { readonly labels: Readonly<Record<string, unknown>> }>(
  metric: Internals<E>,
  key: SeriesKey,
  create: (key: SeriesKey) => E,
): E {
  const found = metric.hashMap[key.hash];
  if (found === undefined) {
    const made = create(key);
    metric.hashMap[key.hash] = made;
    return made;
  }
  if (sameLabels(found.labels, key.labels)) return found;
  // Someone wrote another label set at prom-client's ambiguous key: ours moves aside for good.
  const escaped = JSON.stringify(metric.sortedLabelNames.map((name) => key.labels[name]));
  if (key.hash === escaped) throw new Error(`series key ${escaped} holds other labels`);
  key.hash = escaped;
  return entryOf(metric, key, create);
}

/** Runs `fn` with `entry` at prom-client's own key of `key`, then puts that slot back. */
function atPromKey<E>(
  metric: Internals<E>,
  key: SeriesKey,
  entry: E | undefined,
  fn: () => void,
): void {
  const map = metric.hashMap;
  const previous = map[key.promHash];
  map[key.promHash] = entry;
  try {
    fn();
  } finally {
    if (previous === undefined) delete map[key.promHash];
    else map[key.promHash] = previous;
  }
}

// Module-level, so a write allocates no closure.
const newValueEntry = (key: SeriesKey): ValueEntry => ({ value: 0, labels: key.labels });

/** A counter or gauge whose entries the writers may update in place. */
export class ValueSeries {
  readonly #metric: Internals<ValueEntry>;

  constructor(metric: Counter | Gauge) {
    this.#metric = metric as unknown as Internals<ValueEntry>;
  }

  add(key: SeriesKey, delta: number): void {
    entryOf(this.#metric, key, newValueEntry).value += delta;
  }

  set(key: SeriesKey, value: number): void {
    entryOf(this.#metric, key, newValueEntry).value = value;
  }
}

/** prom-client's Exemplar#validateExemplarLabelSet: names and values within 128 characters. */
function checkExemplar(labels: Labels): void {
  let size = 0;
  for (const name in labels) size += name.length + String(labels[name]).length;
  if (size > 128) throw new RangeError('Label set size must be smaller than 128 UTF-8 chars');
}

/** A histogram whose entries the writers may update in place, exactly as observe() would. */
export class HistogramSeriesWriter {
  readonly #histogram: HistogramInternals;
  readonly #bounds: readonly number[];
  // String(bound) for each bucket: the property names of an entry's bucketValues.
  readonly #keys: readonly string[];

  constructor(histogram: Histogram) {
    this.#histogram = histogram as unknown as HistogramInternals;
    this.#bounds = [...this.#histogram.upperBounds];
    this.#keys = this.#bounds.map(String);
  }

  /** prom-client's zero() builds the entry, so its shape is the installed version's. */
  readonly #create = (key: SeriesKey): HistogramEntry => {
    let made: HistogramEntry | undefined;
    const histogram = this.#histogram;
    atPromKey(histogram, key, undefined, () => {
      histogram.zero(key.labels);
      made = histogram.hashMap[key.promHash];
    });
    return made as HistogramEntry;
  };

  observe(key: SeriesKey, value: number, exemplar: Labels | undefined): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    const entry = entryOf(this.#histogram, key, this.#create);
    const bounds = this.#bounds;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    entry.sum += value;
    entry.count += 1;
    // Past the last bound prom-client counts only sum and count (+Inf is the count).
    if (i < bounds.length) (entry.bucketValues[this.#keys[i] as string] as number) += 1;
    if (exemplar === undefined || !this.#histogram.enableExemplars) return;
    const found = entry.bucketExemplars?.[i < bounds.length ? (this.#keys[i] as string) : '-1'];
    if (found === null || typeof found !== 'object') {
      // The bucket's first exemplar: prom-client makes its own Exemplar object, at its own key.
      atPromKey(this.#histogram, key, entry, () =>
        this.#histogram.updateExemplar(key.labels, value, exemplar),
      );
      return;
    }
    checkExemplar(exemplar);
    found.labelSet = exemplar;
    found.value = value;
    found.timestamp = Date.now() / 1000;
  }
}

/** In-place writes for a counter or gauge, or undefined when its public API must be used. */
export function valueSeries(metric: Counter | Gauge): ValueSeries | undefined {
  return fastPathApplies(metric, metric instanceof Counter ? Counter : Gauge)
    ? new ValueSeries(metric)
    : undefined;
}

/** In-place writes for a histogram, or undefined when its public API must be used. */
export function histogramSeries(histogram: Histogram): HistogramSeriesWriter | undefined {
  return fastPathApplies(histogram, Histogram) ? new HistogramSeriesWriter(histogram) : undefined;
}
