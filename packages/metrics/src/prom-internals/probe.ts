// The one place (with ./writes.ts and ./key-index.ts) that knows prom-client 15's private state:
// each metric's `hashMap` of series entries, a histogram's `upperBounds` and bucket and exemplar
// storage, `sortedLabelNames`, and a registry's `_defaultLabels` and `_metrics`. prom-client's
// CHANGELOG warns this storage changes between releases, so it is probed once against the
// installed copy (fastPathProblem); when the probe fails every caller takes prom-client's public
// API instead. Tested on 15.1.0 and 15.1.3. This file: the shapes, the probe, the single check,
// and read access for the exposition.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { KeyIndex } from './key-index.js';

export type Labels = Record<string, string>;

/** What prom-client keeps for one label set of a counter or gauge. */
export interface ValueEntry {
  value: number;
  readonly labels: Labels;
}

export interface ExemplarLike {
  labelSet: Labels;
  value: number;
  timestamp?: number;
}

/** What prom-client keeps for one label set of a histogram (15.1.0 keeps `bucketExemplars` always). */
export interface HistogramEntry {
  readonly labels: Labels;
  readonly bucketValues: Record<string, number>;
  sum: number;
  count: number;
  readonly bucketExemplars?: Record<string, ExemplarLike | null>;
}

// Maps of more series than this get a key index (./key-index.ts): below it Object.keys takes
// under half a millisecond here, and a scrape need not start a slice of its own to read them.
const INDEXED_FROM = 2000;

/** One histogram series, as the exposition reads it. */
export type HistogramSeries = Readonly<HistogramEntry>;

export interface Internals<E> {
  hashMap: Record<string, E | undefined>;
  readonly sortedLabelNames: readonly string[];
}

export interface HistogramInternals extends Internals<HistogramEntry> {
  readonly name: string;
  readonly help: string;
  readonly upperBounds: readonly number[];
  readonly enableExemplars: boolean;
  readonly collect?: () => unknown;
  zero(labels: Labels): void;
  updateExemplar(labels: Labels, value: number, exemplar: Labels): void;
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

let probed: { problem: string | undefined } | undefined;

function probeProblem(): string | undefined {
  const names = ['b', 'a'];
  const labels = { b: 'y', a: 'x' };
  const hash = promHash(labels, ['a', 'b']);
  const counter = new Counter({ name: 'probe_total', help: 'p', labelNames: names, registers: [] });
  counter.inc(labels, 2);
  const counted = (counter as unknown as Internals<ValueEntry>).hashMap?.[hash];
  if (counted?.labels !== labels || counted.value !== 2 || Object.keys(counted).length !== 2) {
    return 'Counter entries are not { value, labels } under `name:value,` keys';
  }
  const gauge = new Gauge({ name: 'probe', help: 'p', labelNames: names, registers: [] });
  gauge.set(labels, 3);
  const gauged = (gauge as unknown as Internals<ValueEntry>).hashMap?.[hash];
  if (gauged?.labels !== labels || gauged.value !== 3) {
    return 'Gauge entries are not { value, labels }';
  }
  const histogram = new Histogram({
    name: 'probe_seconds',
    help: 'p',
    labelNames: names,
    buckets: [1, 2],
    registers: [],
    enableExemplars: true,
  });
  histogram.observe({ labels, value: 1.5, exemplarLabels: { a: 'e' } });
  const internals = histogram as unknown as HistogramInternals;
  const observed = internals.hashMap?.[hash];
  const ok =
    Array.isArray(internals.upperBounds) &&
    internals.upperBounds.join() === '1,2' &&
    typeof internals.zero === 'function' &&
    observed?.labels === labels &&
    observed.sum === 1.5 &&
    observed.count === 1 &&
    observed.bucketValues['1'] === 0 &&
    observed.bucketValues['2'] === 1 &&
    observed.bucketExemplars?.['2']?.labelSet.a === 'e';
  if (!ok) return 'Histogram entries are not { labels, bucketValues, sum, count }';
  const registry = new Registry();
  registry.registerMetric(counter);
  const held = (registry as unknown as RegistryInternals)._metrics as Record<string, unknown>;
  if (held?.probe_total !== counter || Object.keys(held).length !== 1) {
    return 'a Registry does not keep its metrics in `_metrics` by name';
  }
  return undefined;
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
export function fastPathApplies(
  metric: object,
  type: typeof Counter | typeof Gauge | typeof Histogram,
): boolean {
  const internals = metric as Partial<HistogramInternals>;
  // Exactly prom-client's class: a subclass may have overridden the writes we would bypass.
  return (
    Object.getPrototypeOf(metric) === type.prototype &&
    typeof internals.hashMap === 'object' &&
    internals.hashMap !== null &&
    Array.isArray(internals.sortedLabelNames) &&
    (type !== Histogram || Array.isArray(internals.upperBounds)) &&
    fastPathProblem() === undefined
  );
}

/**
 * The keys of a map object (a metric's `hashMap`, a registry's `_metrics`), in insertion order:
 * read with Object.keys, and from a key index once the map has more than INDEXED_FROM keys.
 */
class MapKeys<E> {
  /** How many keys keys() read last, undefined before it first did. */
  #lastCount: number | undefined = undefined;
  // The map's keys as they are added, once it has more than INDEXED_FROM (see ./key-index.ts).
  #index: KeyIndex | undefined = undefined;
  // A map whose keys could not be indexed: read with Object.keys from then on.
  #unindexed: object | undefined = undefined;

  /** True before the first read, and while `map` is large and read with Object.keys. */
  slow(map: object): boolean {
    const last = this.#lastCount;
    if (last === undefined) return true;
    return last > INDEXED_FROM && this.#indexOf(map) === undefined;
  }

  #indexOf(map: object): KeyIndex | undefined {
    const index = this.#index;
    return index !== undefined && index.map === map && index.valid ? index : undefined;
  }

  keys(map: Readonly<Record<string, E | undefined>>): readonly string[] {
    const index = this.#indexOf(map);
    let keys: readonly string[];
    if (index !== undefined) keys = index.keys();
    else {
      keys = Object.keys(map);
      // An index that can no longer follow its map lets go of it (a replaced map is garbage).
      if (this.#index?.map === map) this.#index.release();
      this.#index = undefined;
      if (keys.length > INDEXED_FROM && map !== this.#unindexed) {
        this.#index = KeyIndex.install(map, keys);
        if (this.#index === undefined) this.#unindexed = map;
      }
    }
    this.#lastCount = keys.length;
    return keys;
  }

  /** The value at `key`, or undefined when it was removed since keys() read it. */
  entry(map: Readonly<Record<string, E | undefined>>, key: string): E | undefined {
    const found = map[key];
    if (found === undefined && this.#index?.map === map) this.#index.forget(key);
    return found;
  }
}

/** What a view reads of any prom-client metric: its name, help, collect callback and map. */
interface ViewedInternals<E> extends Internals<E> {
  readonly name: string;
  readonly help: string;
  readonly collect?: () => unknown;
}

/**
 * A metric the exposition may read straight from its entries, one view per metric. A class rather
 * than an object of closures made for each scrape: V8 throws away optimized code that inlined a
 * closure or relied on an object's shape once that closure, or every object of that shape, was
 * collected, and the next scrape then ran unoptimized until it was compiled again (10k series:
 * about half its time). Its methods are the same on every scrape, and a view lives as long as
 * its metric.
 */
export class PlainMetric<E> {
  readonly #internals: ViewedInternals<E>;
  readonly #keys = new MapKeys<E>();

  constructor(internals: ViewedInternals<E>) {
    this.#internals = internals;
  }

  get name(): string {
    return this.#internals.name;
  }

  get help(): string {
    return this.#internals.help;
  }

  /** Runs the collect callback, as the metric's get() does before reading. */
  async collect(): Promise<void> {
    const internals = this.#internals;
    if (!internals.collect) return;
    const pending = internals.collect();
    if (pending instanceof Promise) await pending;
  }

  /** Every entry, as get() reads them. */
  series(): readonly E[] {
    return Object.values(this.#internals.hashMap) as E[];
  }

  /**
   * True when keys() may take a while: before its first read, and while the map is large and its
   * keys are read from the map itself (not indexed, or not yet).
   */
  get slowKeys(): boolean {
    return this.#keys.slow(this.#internals.hashMap);
  }

  /** The series' keys, then each looked up on its own: cheaper at once than series() (no values). */
  keys(): readonly string[] {
    return this.#keys.keys(this.#internals.hashMap);
  }

  /** The entry at `key`, or undefined when it was removed since keys() read it. */
  entry(key: string): E | undefined {
    return this.#keys.entry(this.#internals.hashMap, key);
  }
}

/** A histogram read from its entries. */
export class PlainHistogram extends PlainMetric<HistogramSeries> {
  readonly #internals: HistogramInternals;

  constructor(internals: HistogramInternals) {
    super(internals);
    this.#internals = internals;
  }

  /** The bucket bounds, ascending (+Inf not included). */
  get bounds(): readonly number[] {
    return this.#internals.upperBounds;
  }
}

/** A counter or gauge read from its entries: each entry is a sample of get()'s `values`. */
export class PlainValues extends PlainMetric<ValueEntry> {
  readonly type: 'counter' | 'gauge';

  constructor(internals: ViewedInternals<ValueEntry>, type: 'counter' | 'gauge') {
    super(internals);
    this.type = type;
  }
}

/** True when `metric` renders what its class's own get() gives (no get() set on the instance). */
function ownGet(metric: object, type: typeof Counter | typeof Gauge | typeof Histogram): boolean {
  const own = metric as { get?: unknown; getForPromString?: unknown };
  const proto = type.prototype as unknown as { get?: unknown; getForPromString?: unknown };
  return own.get === proto.get && own.getForPromString === proto.getForPromString;
}

/** The histogram's entries, when it is prom-client's own Histogram with its own get(). */
export function plainHistogram(metric: unknown): PlainHistogram | undefined {
  if (!(metric instanceof Histogram) || !fastPathApplies(metric, Histogram)) return undefined;
  if (!ownGet(metric, Histogram)) return undefined;
  let view = views.get(metric);
  if (view === undefined) {
    view = new PlainHistogram(metric as unknown as HistogramInternals);
    views.set(metric, view);
  }
  return view as PlainHistogram;
}

/** The counter's or gauge's entries, when it is prom-client's own class with its own get(). */
export function plainValues(metric: unknown): PlainValues | undefined {
  const type = metric instanceof Counter ? Counter : metric instanceof Gauge ? Gauge : undefined;
  if (type === undefined || !fastPathApplies(metric as object, type)) return undefined;
  if (!ownGet(metric as object, type)) return undefined;
  let view = views.get(metric as object);
  if (view === undefined) {
    const internals = metric as unknown as ViewedInternals<ValueEntry>;
    view = new PlainValues(internals, type === Counter ? 'counter' : 'gauge');
    views.set(metric as object, view);
  }
  return view as PlainValues;
}

const views = new WeakMap<object, PlainMetric<unknown>>();

/** True when the registry has default labels (or they cannot be read): getMetricsAsJSON merges them. */
export function hasDefaultLabels(registry: object): boolean {
  const defaults = (registry as { _defaultLabels?: unknown })._defaultLabels;
  return typeof defaults !== 'object' || defaults === null || Object.keys(defaults).length > 0;
}

/** What a registry view reads of prom-client's Registry: its metrics by name. */
interface RegistryInternals {
  readonly _metrics?: unknown;
  readonly getMetricsAsArray?: unknown;
}

/**
 * A registry's metrics, in registration order, as getMetricsAsArray() gives them: by name from
 * the registry's own map, its names kept by a key index once there are many. getMetricsAsArray()
 * is one Object.values of that map, which V8 keeps as a dictionary once large: 9-12 ms in one
 * step at 20,000 metrics; a copy of the kept names is a fraction of that, and each metric is then
 * looked up in the collection's slices.
 */
export class RegistryMetrics {
  readonly #registry: RegistryInternals;
  readonly #keys = new MapKeys<unknown>();

  private constructor(registry: RegistryInternals) {
    this.#registry = registry;
  }

  /** The view of `registry`, when it is prom-client's own Registry; else undefined. */
  static of(registry: object): RegistryMetrics | undefined {
    const internals = registry as RegistryInternals;
    if (
      !(registry instanceof Registry) ||
      internals.getMetricsAsArray !== Registry.prototype.getMetricsAsArray ||
      typeof internals._metrics !== 'object' ||
      internals._metrics === null ||
      fastPathProblem() !== undefined
    ) {
      return undefined;
    }
    let view = registries.get(registry);
    if (view === undefined) {
      view = new RegistryMetrics(internals);
      registries.set(registry, view);
    }
    return view;
  }

  /**
   * The metrics now: how many, and the i-th (undefined once it was removed). Each read keeps the
   * map it read the names of (clear() gives the registry a new one), also while another scrape
   * reads the registry again.
   */
  read(): { readonly count: number; at(i: number): unknown } {
    const map = this.#registry._metrics as Readonly<Record<string, unknown>>;
    const keys = this.#keys;
    const names = keys.keys(map);
    return { count: names.length, at: (i) => keys.entry(map, names[i] as string) };
  }
}

const registries = new WeakMap<object, RegistryMetrics>();
