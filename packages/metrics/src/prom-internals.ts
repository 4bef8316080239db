// The one module that knows prom-client 15's private state: each metric's `hashMap` of series
// entries, a histogram's `upperBounds` and bucket and exemplar storage, `sortedLabelNames`, and a
// registry's `_defaultLabels`. prom-client's CHANGELOG warns this storage changes between
// releases, so it is probed once against the installed copy (fastPathProblem); when the probe
// fails every caller takes prom-client's public API instead. Tested on 15.1.0 and 15.1.3.
import { Counter, Gauge, Histogram } from 'prom-client';

export type Labels = Record<string, string>;

/** What prom-client keeps for one label set of a counter or gauge. */
interface ValueEntry {
  value: number;
  readonly labels: Labels;
}

interface ExemplarLike {
  labelSet: Labels;
  value: number;
  timestamp?: number;
}

/** What prom-client keeps for one label set of a histogram (15.1.0 keeps `bucketExemplars` always). */
interface HistogramEntry {
  readonly labels: Labels;
  readonly bucketValues: Record<string, number>;
  sum: number;
  count: number;
  readonly bucketExemplars?: Record<string, ExemplarLike | null>;
}

/** One histogram series, as the exposition reads it. */
export type HistogramSeries = Readonly<HistogramEntry>;

interface Internals<E> {
  hashMap: Record<string, E | undefined>;
  readonly sortedLabelNames: readonly string[];
}

interface HistogramInternals extends Internals<HistogramEntry> {
  readonly name: string;
  readonly help: string;
  readonly upperBounds: readonly number[];
  readonly enableExemplars: boolean;
  readonly collect?: () => unknown;
  zero(labels: Labels): void;
  updateExemplar(labels: Labels, value: number, exemplar: Labels): void;
}

/** One label set as the writers address it: prom-client's own key, or an escaped one. */
export interface SeriesKey {
  readonly labels: Labels;
  /** Where the entry lives in the metric's map (see seriesHash). */
  hash: string;
  /** prom-client's own key for `labels` (`name:value,` per label), where its public API looks. */
  readonly promHash: string;
}

/** prom-client's `hashObject(labels, sortedLabelNames)`: `name:value,` for each defined label. */
export function promHash(labels: Labels, sortedNames: readonly string[]): string {
  let hash = '';
  for (const name of sortedNames) {
    const value = labels[name];
    if (value !== undefined) hash += `${name}:${value},`;
  }
  return hash;
}

/**
 * The key our writers use. prom-client's key is ambiguous once a value holds a comma
 * (`a:x,b:y,` is also `{a: 'x,b:y'}`), so such label sets get a JSON key instead: it starts
 * with `[`, which no prom-client key does (they start with a label name), and JSON is injective.
 */
export function seriesHash(labels: Labels, sortedNames: readonly string[]): string {
  for (const name of sortedNames) {
    if (labels[name]?.includes(',')) return JSON.stringify(sortedNames.map((n) => labels[n]));
  }
  return promHash(labels, sortedNames);
}

function sameLabels(a: Readonly<Record<string, unknown>>, b: Labels): boolean {
  if (a === b) return true;
  const keys = Object.keys(b);
  return keys.length === Object.keys(a).length && keys.every((k) => a[k] === b[k]);
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
  const escaped = JSON.stringify(metric.sortedLabelNames.map((n) => key.labels[n]));
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
  readonly #m: Internals<ValueEntry>;

  constructor(metric: Counter | Gauge) {
    this.#m = metric as unknown as Internals<ValueEntry>;
  }

  add(key: SeriesKey, delta: number): void {
    entryOf(this.#m, key, newValueEntry).value += delta;
  }

  set(key: SeriesKey, value: number): void {
    entryOf(this.#m, key, newValueEntry).value = value;
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
  readonly #h: HistogramInternals;
  readonly #bounds: readonly number[];
  // String(bound) for each bucket: the property names of an entry's bucketValues.
  readonly #keys: readonly string[];

  constructor(histogram: Histogram) {
    this.#h = histogram as unknown as HistogramInternals;
    this.#bounds = [...this.#h.upperBounds];
    this.#keys = this.#bounds.map(String);
  }

  /** prom-client's zero() builds the entry, so its shape is the installed version's. */
  readonly #create = (key: SeriesKey): HistogramEntry => {
    let made: HistogramEntry | undefined;
    const h = this.#h;
    atPromKey(h, key, undefined, () => {
      h.zero(key.labels);
      made = h.hashMap[key.promHash];
    });
    return made as HistogramEntry;
  };

  observe(key: SeriesKey, value: number, exemplar: Labels | undefined): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    const entry = entryOf(this.#h, key, this.#create);
    const bounds = this.#bounds;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    entry.sum += value;
    entry.count += 1;
    // Past the last bound prom-client counts only sum and count (+Inf is the count).
    if (i < bounds.length) (entry.bucketValues[this.#keys[i] as string] as number) += 1;
    if (exemplar === undefined || !this.#h.enableExemplars) return;
    const found = entry.bucketExemplars?.[i < bounds.length ? (this.#keys[i] as string) : '-1'];
    if (found === null || typeof found !== 'object') {
      // The bucket's first exemplar: prom-client makes its own Exemplar object, at its own key.
      atPromKey(this.#h, key, entry, () => this.#h.updateExemplar(key.labels, value, exemplar));
      return;
    }
    checkExemplar(exemplar);
    found.labelSet = exemplar;
    found.value = value;
    found.timestamp = Date.now() / 1000;
  }
}

let probed: { problem: string | undefined } | undefined;

function probeProblem(): string | undefined {
  const names = ['b', 'a'];
  const labels = { b: 'y', a: 'x' };
  const hash = promHash(labels, ['a', 'b']);
  const counter = new Counter({ name: 'probe_total', help: 'p', labelNames: names, registers: [] });
  counter.inc(labels, 2);
  const c = (counter as unknown as Internals<ValueEntry>).hashMap?.[hash];
  if (c?.labels !== labels || c.value !== 2 || Object.keys(c).length !== 2) {
    return 'Counter entries are not { value, labels } under `name:value,` keys';
  }
  const gauge = new Gauge({ name: 'probe', help: 'p', labelNames: names, registers: [] });
  gauge.set(labels, 3);
  const g = (gauge as unknown as Internals<ValueEntry>).hashMap?.[hash];
  if (g?.labels !== labels || g.value !== 3) return 'Gauge entries are not { value, labels }';
  const histogram = new Histogram({
    name: 'probe_seconds',
    help: 'p',
    labelNames: names,
    buckets: [1, 2],
    registers: [],
    enableExemplars: true,
  });
  histogram.observe({ labels, value: 1.5, exemplarLabels: { a: 'e' } });
  const h = histogram as unknown as HistogramInternals;
  const e = h.hashMap?.[hash];
  const ok =
    Array.isArray(h.upperBounds) &&
    h.upperBounds.join() === '1,2' &&
    typeof h.zero === 'function' &&
    e?.labels === labels &&
    e.sum === 1.5 &&
    e.count === 1 &&
    e.bucketValues['1'] === 0 &&
    e.bucketValues['2'] === 1 &&
    e.bucketExemplars?.['2']?.labelSet.a === 'e';
  return ok ? undefined : 'Histogram entries are not { labels, bucketValues, sum, count }';
}

/**
 * Why prom-client's internals are not the ones this module knows, or undefined when the fast
 * path applies. Probed once, on throwaway metrics of the installed prom-client.
 */
export function fastPathProblem(): string | undefined {
  if (!probed) {
    try {
      probed = { problem: probeProblem() };
    } catch (error) {
      probed = { problem: `probe failed: ${error instanceof Error ? error.message : error}` };
    }
  }
  return probed.problem;
}

/** The single check that the fast path applies to `metric`. */
function plain(metric: object, type: typeof Counter | typeof Gauge | typeof Histogram): boolean {
  const m = metric as Partial<HistogramInternals>;
  // Exactly prom-client's class: a subclass may have overridden the writes we would bypass.
  return (
    Object.getPrototypeOf(metric) === type.prototype &&
    typeof m.hashMap === 'object' &&
    m.hashMap !== null &&
    Array.isArray(m.sortedLabelNames) &&
    (type !== Histogram || Array.isArray(m.upperBounds)) &&
    fastPathProblem() === undefined
  );
}

/** In-place writes for a counter or gauge, or undefined when its public API must be used. */
export function valueSeries(metric: Counter | Gauge): ValueSeries | undefined {
  return plain(metric, metric instanceof Counter ? Counter : Gauge)
    ? new ValueSeries(metric)
    : undefined;
}

/** In-place writes for a histogram, or undefined when its public API must be used. */
export function histogramSeries(histogram: Histogram): HistogramSeriesWriter | undefined {
  return plain(histogram, Histogram) ? new HistogramSeriesWriter(histogram) : undefined;
}

/** A histogram the exposition may read straight from its entries. */
export interface PlainHistogram {
  readonly name: string;
  readonly help: string;
  /** The bucket bounds, ascending (+Inf not included). */
  readonly bounds: readonly number[];
  /** Runs the collect callback, as Histogram#get() does before reading. */
  collect(): Promise<void>;
  series(): readonly HistogramSeries[];
}

/** The histogram's entries, when it is prom-client's own Histogram with its own get(). */
export function plainHistogram(metric: unknown): PlainHistogram | undefined {
  if (!(metric instanceof Histogram) || !plain(metric, Histogram)) return undefined;
  const h = metric as unknown as HistogramInternals & { getForPromString: unknown };
  const proto = Histogram.prototype as unknown as { getForPromString: unknown };
  // An own get() or getForPromString() (set on the instance) renders something else.
  if (metric.get !== Histogram.prototype.get || h.getForPromString !== proto.getForPromString) {
    return undefined;
  }
  return {
    name: h.name,
    help: h.help,
    bounds: h.upperBounds,
    async collect() {
      if (!h.collect) return;
      const pending = h.collect();
      if (pending instanceof Promise) await pending;
    },
    series: () => Object.values(h.hashMap) as HistogramSeries[],
  };
}

/** True when the registry has default labels (or they cannot be read): getMetricsAsJSON merges them. */
export function hasDefaultLabels(registry: object): boolean {
  const defaults = (registry as { _defaultLabels?: unknown })._defaultLabels;
  return typeof defaults !== 'object' || defaults === null || Object.keys(defaults).length > 0;
}
