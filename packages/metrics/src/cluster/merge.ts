// Merges snapshots into one view: per family, series keyed by their labels (after the series
// budget and, kept per worker, a `worker` label) and combined by the family's rule.
import type { Aggregation } from '../contract.js';
import type { ReadFamily } from '../exposition.js';
import type { Labels } from '../prom-internals/probe.js';
import {
  addHistogram,
  addNumbers,
  bucketsOf,
  combine,
  histogramAcc,
  keyOf,
  newer,
  setExemplar,
  valueOf,
  valuesKey,
  type HistogramAcc,
  type Origin,
  type SampleLabels,
  type ValueAcc,
} from './accumulators.js';
import type { Budgets } from './budget.js';
import {
  asValues,
  inOrder,
  sameList,
  wireSamples,
  type Common,
  type Family,
  type Histogram,
  type Values,
} from './families.js';
import {
  fromWire,
  type FamilySnapshot,
  type HistogramFamily,
  type WireSample,
} from './protocol.js';
import type { HighWater } from './monotonic.js';
import { ruleOf } from './rules.js';

export interface MergeOptions {
  readonly budgets: Budgets;
  readonly overrides: Readonly<Record<string, Aggregation>>;
  /** Keep every family per worker (`worker` label) instead of combining. */
  readonly perWorker: boolean;
}

const WORKER = 'worker';

/** `labels` and one more (assigned: an object literal's computed key slows after an idle GC). */
function withLabel(
  labels: Readonly<Record<string, string | number>>,
  name: string,
  value: string,
): Record<string, string | number> {
  const out: Record<string, string | number> = { ...labels };
  out[name] = value;
  return out;
}
const CARRIED: Origin = { worker: '', pid: 0, takenAt: 0, carried: true };

export class Merger {
  readonly #o: MergeOptions;
  readonly #families = new Map<string, Family>();
  readonly #folded = new Map<string, Set<string>>();

  constructor(options: MergeOptions) {
    this.#o = options;
  }

  /** Adds one family (or one part of a histogram) of a snapshot from `origin`. */
  add(snapshot: FamilySnapshot, origin: Origin): void {
    const family = this.#familyFor(snapshot);
    if (family.rule === 'omit') return;
    // A worker thread's process figures are the primary's process: its own reading counts them.
    if (family.rule === 'process' && origin.pid === process.pid && !origin.local) return;
    const ordered =
      family.kind === 'histogram' && snapshot.kind === 'histogram'
        ? inOrder(snapshot, family.names)
        : undefined;
    if (family.kind === 'histogram' && snapshot.kind === 'histogram' && ordered) {
      this.#addHistogram(family, snapshot, ordered, origin);
      return;
    }
    const values = family.kind === 'values' ? family : this.#asValues(family);
    this.#addValues(
      values,
      snapshot.kind === 'values' ? snapshot.samples : wireSamples(snapshot),
      origin,
    );
  }

  /** Adds what `carried` holds (totals of exited workers), as already budgeted and labelled. */
  absorb(carried: Merger): void {
    for (const from of carried.#families.values()) {
      let to =
        this.#families.get(from.name) ??
        (from.kind === 'histogram'
          ? this.#newHistogram(from, from.buckets.bounds, from.names)
          : this.#newValues(from));
      if (
        to.kind === 'histogram' &&
        (from.kind === 'values' || !sameList(to.buckets.bounds, from.buckets.bounds))
      ) {
        to = this.#asValues(to);
      }
      if (to.kind === 'histogram' && from.kind === 'histogram') {
        for (const acc of from.series.values())
          addHistogram(this.#histogramSeries(to, acc.labels), acc, to.buckets);
        continue;
      }
      if (to.kind !== 'values') continue;
      for (const [key, acc] of (from.kind === 'values' ? from : asValues(from)).series) {
        const target = this.#valueAcc(to, key, acc.metricName, acc.labels);
        combine(target, to.rule, valueOf(acc, to.rule), CARRIED);
      }
    }
  }

  /**
   * The merged families, ready for the exposition (histogram series are read, not copied);
   * counters and histogram sums never below what `highWater` served before.
   */
  families(highWater?: HighWater): ReadFamily[] {
    const out: ReadFamily[] = [];
    for (const f of this.#families.values()) {
      if (f.rule === 'omit') continue;
      if (f.kind === 'histogram') {
        if (highWater)
          for (const [key, acc] of f.series) acc.sum = highWater.clamp(f.name, key, acc.sum);
        out.push({
          kind: 'histogram',
          name: f.name,
          help: f.help,
          bounds: f.buckets.bounds,
          entries: [...f.series.values()],
        });
        continue;
      }
      const counting = highWater && (f.type === 'counter' || f.type === 'histogram');
      const values = [...f.series].map(([key, acc]) => {
        const value = valueOf(acc, f.rule);
        return {
          labels: acc.labels,
          value: counting ? highWater.clamp(f.name, key, value) : value,
          ...(acc.metricName ? { metricName: acc.metricName } : {}),
          ...(acc.exemplar ? { exemplar: acc.exemplar } : {}),
        };
      });
      out.push({ name: f.name, help: f.help, type: f.type, values });
    }
    return out;
  }

  /** Label sets folded into `__overflow__` by this merge, by metric. */
  folded(): Map<string, number> {
    return new Map([...this.#folded].map(([name, keys]) => [name, keys.size]));
  }

  #familyFor(snapshot: FamilySnapshot): Family {
    const found = this.#families.get(snapshot.name);
    const histogram = snapshot.kind === 'histogram' ? snapshot : undefined;
    if (found) {
      if (found.kind === 'values' || !histogram || sameList(found.buckets.bounds, histogram.bounds))
        return found;
      return this.#asValues(found);
    }
    const type = histogram ? 'histogram' : (snapshot as { type: string }).type;
    const rule = ruleOf(snapshot.name, type, snapshot.rule, this.#o.overrides);
    const common = { name: snapshot.name, help: snapshot.help, type, rule };
    return histogram
      ? this.#newHistogram(common, histogram.bounds, histogram.labelNames)
      : this.#newValues(common);
  }

  /** A new, empty histogram family; its series are keyed in the budget's label order if it has one. */
  #newHistogram(like: Common, bounds: readonly number[], labelNames: readonly string[]): Histogram {
    const names = this.#o.budgets.of(like.name)?.names ?? labelNames;
    const { name, help, type, rule } = like;
    const made: Histogram = {
      name,
      help,
      type,
      rule,
      kind: 'histogram',
      buckets: bucketsOf(bounds),
      names,
      series: new Map(),
    };
    this.#families.set(name, made);
    return made;
  }

  #newValues(like: Common): Values {
    const { name, help, type, rule } = like;
    const made: Values = { name, help, type, rule, kind: 'values', series: new Map() };
    this.#families.set(name, made);
    return made;
  }

  #asValues(family: Histogram): Values {
    const values = asValues(family);
    this.#families.set(family.name, values);
    return values;
  }

  #perWorker(rule: Aggregation): boolean {
    return this.#o.perWorker || rule === 'worker';
  }

  #fold(name: string, key: string): void {
    let keys = this.#folded.get(name);
    if (!keys) this.#folded.set(name, (keys = new Set()));
    keys.add(key);
  }

  /** The series of `family` with exactly `labels` (already budgeted and labelled). */
  #histogramSeries(family: Histogram, labels: Labels): HistogramAcc {
    const values = family.names.map((name) => labels[name] ?? null);
    const suffix = this.#perWorker(family.rule) ? `\u0003${labels[WORKER] ?? ''}` : '';
    const key = valuesKey(values, 0, values.length) + suffix;
    let acc = family.series.get(key);
    if (!acc) family.series.set(key, (acc = histogramAcc(labels, family.buckets)));
    return acc;
  }

  #valueAcc(family: Values, key: string, metricName: string, labels: SampleLabels): ValueAcc {
    let acc = family.series.get(key);
    if (!acc)
      family.series.set(
        key,
        (acc = { metricName, labels, value: 0, count: 0, base: 0, exemplar: null }),
      );
    return acc;
  }

  /** The hot path: label values keyed as they come, objects made only for a new series. */
  #addHistogram(
    family: Histogram,
    snapshot: HistogramFamily,
    values: readonly (string | null)[],
    origin: Origin,
  ): void {
    const { names, buckets } = family;
    const n = names.length;
    const width = buckets.keys.length + 2;
    const count = snapshot.numbers.length / width;
    const budget = this.#o.budgets.of(family.name);
    const worker = this.#perWorker(family.rule) ? origin.worker : undefined;
    const suffix = worker === undefined ? '' : `\u0003${worker}`;
    const targets: HistogramAcc[] = [];
    for (let i = 0; i < count; i++) {
      let row = values;
      let from = i * n;
      let key = valuesKey(row, from, n);
      let acc = family.series.get(key + suffix);
      if (!acc && budget && !budget.admits(key, row, from)) {
        this.#fold(family.name, key);
        row = budget.folded(row, from);
        from = 0;
        key = valuesKey(row, 0, n);
        acc = family.series.get(key + suffix);
      }
      if (!acc) {
        const labels: Labels = {};
        for (let j = 0; j < n; j++) {
          const value = row[from + j];
          if (value !== null && value !== undefined) labels[names[j] as string] = value;
        }
        if (worker !== undefined) labels[WORKER] = worker;
        family.series.set(key + suffix, (acc = histogramAcc(labels, buckets)));
      }
      addNumbers(acc, buckets.keys, snapshot.numbers, i * width);
      targets.push(acc);
    }
    for (const [i, b, exemplar] of snapshot.exemplars) {
      const acc = targets[i];
      if (acc) setExemplar(acc, buckets, b, exemplar);
    }
  }

  #addValues(family: Values, samples: readonly WireSample[], origin: Origin): void {
    const budget = this.#o.budgets.of(family.name);
    const worker = this.#perWorker(family.rule);
    for (const [metricName, raw, value, exemplar] of samples) {
      const budgeted = budget ? budget.fold(raw, (key) => this.#fold(family.name, key)) : raw;
      const labels = worker ? withLabel(budgeted, WORKER, origin.worker) : budgeted;
      const acc = this.#valueAcc(family, keyOf(labels, metricName, true), metricName, labels);
      combine(acc, family.rule, fromWire(value), origin);
      if (exemplar) acc.exemplar = newer(acc.exemplar, exemplar);
    }
  }
}
