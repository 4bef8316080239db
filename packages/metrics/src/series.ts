// Series of the contract metrics: a per-metric budget of label sets (SeriesTable) and the writes
// to prom-client (the writers). A writer updates prom-client's entry in place when the installed
// prom-client is one prom-internals/ knows, and goes through the public API otherwise.
import type { Counter, Gauge, Histogram } from 'prom-client';
import { OVERFLOW_VALUE } from './contract.js';
import { observe } from './observe.js';
import { promHash, type Labels } from './prom-internals/probe.js';
import {
  histogramSeries,
  seriesHash,
  valueSeries,
  type HistogramSeriesWriter,
  type SeriesKey as InternalKey,
  type ValueSeries,
} from './prom-internals/writes.js';

/** One label set, with its key in prom-client's map and what the public API writes instead. */
export interface SeriesKey extends InternalKey {
  /**
   * Set when prom-client's own key of these labels is taken by another label set of the table:
   * the public API (used only when the fast path is off) then writes the overflow series.
   */
  readonly fold?: { readonly labels: Labels; readonly count: () => void };
}

type Node = Map<string, Node | SeriesKey>;

/**
 * The label sets one metric (or metrics sharing its labels) may hold: at most `max`; after that a
 * new label set becomes the overflow series, which keeps `service` and the labels in `keep`
 * (closed sets such as `status`) and reads `__overflow__` elsewhere, and `onOverflow` counts it.
 */
export class SeriesTable {
  readonly #names: readonly string[];
  readonly #sorted: readonly string[];
  readonly #keep: readonly boolean[];
  readonly #max: number;
  readonly #onOverflow: (service: string) => void;
  readonly #root: Node = new Map();
  // The overflow series apart from the admitted label sets: a write whose own labels read like
  // the overflow series (a label already past its limit) is still counted when the budget is full.
  readonly #overflowRoot: Node = new Map();
  // prom-client's keys of the label sets holding a comma, to see when two would collide.
  readonly #promKeys = new Map<string, SeriesKey>();
  #size = 0;

  /** `labelNames` in contract order, `service` first. */
  constructor(
    labelNames: readonly string[],
    keep: readonly string[],
    max: number,
    onOverflow: (service: string) => void,
  ) {
    this.#names = labelNames;
    this.#sorted = [...labelNames].sort();
    this.#keep = labelNames.map((name, i) => i === 0 || keep.includes(name));
    this.#max = max;
    this.#onOverflow = onOverflow;
  }

  /** The budget: label sets admitted before new ones go to the overflow series. */
  get max(): number {
    return this.#max;
  }

  /** Label sets admitted so far (the overflow series not included). */
  get size(): number {
    return this.#size;
  }

  /** The key of the label set `values` (in `labelNames` order, well-formed), or the overflow's. */
  key(values: readonly string[]): SeriesKey {
    return this.admit(values) ?? this.overflow(values);
  }

  /** The key of `values` if it is in the table or the budget admits it now. */
  admit(values: readonly string[]): SeriesKey | undefined {
    const found = this.#find(values);
    if (found) return found;
    if (this.#size >= this.#max) return undefined;
    this.#size += 1;
    return this.#add(values);
  }

  /** Counts one write past the budget and gives the overflow series it goes to. */
  overflow(values: readonly string[]): SeriesKey {
    this.#onOverflow(values[0] as string);
    return this.#overflowKey(values);
  }

  #overflowKey(values: readonly string[]): SeriesKey {
    const folded = values.map((v, i) => (this.#keep[i] ? v : OVERFLOW_VALUE));
    return this.#find(folded, this.#overflowRoot) ?? this.#add(folded, this.#overflowRoot);
  }

  #find(values: readonly string[], root = this.#root): SeriesKey | undefined {
    let node: Node | SeriesKey | undefined = root;
    for (let i = 0; i < values.length && node !== undefined; i++) {
      node = (node as Node).get(values[i] as string);
    }
    return node as SeriesKey | undefined;
  }

  #add(values: readonly string[], root = this.#root): SeriesKey {
    const labels: Labels = {};
    this.#names.forEach((name, i) => (labels[name] = values[i] as string));
    const hash = seriesHash(labels, this.#sorted);
    const prom = promHash(labels, this.#sorted);
    let key: SeriesKey = { labels, hash, promHash: prom };
    if (hash !== prom) {
      const taken = this.#promKeys.get(prom);
      if (taken === undefined) this.#promKeys.set(prom, key);
      // the same labels as an admitted set (the overflow series can be one): not a collision
      else if (taken.hash !== hash) {
        const service = values[0] as string;
        const fold = {
          labels: this.#overflowKey(values).labels,
          count: () => this.#onOverflow(service),
        };
        key = { ...key, fold };
      }
    }
    let node = root;
    const last = values.length - 1;
    for (let i = 0; i < last; i++) {
      let next = node.get(values[i] as string) as Node | undefined;
      if (!next) {
        next = new Map();
        node.set(values[i] as string, next);
      }
      node = next;
    }
    node.set(values[last] as string, key);
    return key;
  }
}

function publicLabels(key: SeriesKey): Labels {
  if (key.fold === undefined) return key.labels;
  key.fold.count();
  return key.fold.labels;
}

/** Counter#inc() for keys of a SeriesTable. */
export class CounterWriter {
  readonly counter: Counter;
  readonly #fast: ValueSeries | undefined;

  constructor(counter: Counter) {
    this.counter = counter;
    this.#fast = valueSeries(counter);
  }

  get fast(): boolean {
    return this.#fast !== undefined;
  }

  inc(key: SeriesKey, amount: number): void {
    if (this.#fast) this.#fast.add(key, amount);
    else this.counter.inc(publicLabels(key), amount);
  }
}

/** Gauge#inc()/dec()/set() for keys of a SeriesTable. */
export class GaugeWriter {
  readonly gauge: Gauge;
  readonly #fast: ValueSeries | undefined;

  constructor(gauge: Gauge) {
    this.gauge = gauge;
    this.#fast = valueSeries(gauge);
  }

  get fast(): boolean {
    return this.#fast !== undefined;
  }

  add(key: SeriesKey, delta: number): void {
    if (this.#fast) this.#fast.add(key, delta);
    else this.gauge.inc(publicLabels(key), delta);
  }

  set(key: SeriesKey, value: number): void {
    if (this.#fast) this.#fast.set(key, value);
    else this.gauge.set(publicLabels(key), value);
  }
}

/** Histogram#observe() for keys of a SeriesTable, with exemplars when the histogram keeps them. */
export class HistogramWriter {
  readonly histogram: Histogram;
  readonly #fast: HistogramSeriesWriter | undefined;

  constructor(histogram: Histogram) {
    this.histogram = histogram;
    this.#fast = histogramSeries(histogram);
  }

  get fast(): boolean {
    return this.#fast !== undefined;
  }

  observe(key: SeriesKey, value: number, exemplar: Labels | undefined): void {
    if (this.#fast) this.#fast.observe(key, value, exemplar);
    else observe(this.histogram, publicLabels(key), value, exemplar);
  }
}
