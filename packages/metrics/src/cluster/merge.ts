// Merges snapshots into one view: per family, series keyed by their labels (after the series
// budget and, kept per worker, a `worker` label) and combined by the family's rule.
import type { Aggregation } from '../contract.js';
import type { ReadFamily } from '../exposition.js';
import type { Labels } from '../prom-internals.js';
import {
  combine,
  histogramEntry,
  histogramSamples,
  keyOf,
  newer,
  valueOf,
  type HistogramAcc,
  type Origin,
  type SampleLabels,
  type ValueAcc,
} from './accumulators.js';
import type { Budgets, SeriesBudget } from './budget.js';
import {
  fromWire,
  type FamilySnapshot,
  type HistogramFamily,
  type WireSample,
} from './protocol.js';
import { ruleOf } from './rules.js';

export interface MergeOptions {
  readonly budgets: Budgets;
  readonly overrides: Readonly<Record<string, Aggregation>>;
  /** Keep every family per worker (`worker` label) instead of combining. */
  readonly perWorker: boolean;
}

interface Common {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly rule: Aggregation;
}
type Histogram = Common & {
  readonly kind: 'histogram';
  readonly bounds: readonly number[];
  readonly series: Map<string, HistogramAcc>;
};
type Values = Common & { readonly kind: 'values'; readonly series: Map<string, ValueAcc> };
type Family = Histogram | Values;

const WORKER = 'worker';

function sameBounds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((bound, i) => bound === b[i]);
}

/** A histogram family kept as samples (a worker sent other bounds, or no plain histogram). */
function asValues(family: Histogram): Values {
  const series = new Map<string, ValueAcc>();
  for (const acc of family.series.values()) {
    for (const [metricName, labels, value, exemplar] of histogramSamples(
      family.name,
      family.bounds,
      acc,
    )) {
      const sample = { metricName, labels, value, count: 1, base: 0, exemplar };
      series.set(keyOf(labels, metricName, true), sample);
    }
  }
  return { ...family, kind: 'values', series };
}

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
    if (family.kind === 'histogram' && snapshot.kind === 'histogram') {
      this.#addHistogram(family, snapshot, origin);
    } else if (family.kind === 'values') {
      const samples: readonly WireSample[] =
        snapshot.kind === 'values' ? snapshot.samples : wireSamples(snapshot);
      this.#addValues(family, samples, origin);
    }
  }

  /** Adds what `carried` holds (totals of exited workers), as already budgeted and labelled. */
  absorb(carried: Merger): void {
    const origin: Origin = { worker: '', pid: 0, takenAt: 0, carried: true };
    for (const from of carried.#families.values()) {
      let to = this.#families.get(from.name) ?? this.#adopt(from);
      if (
        to.kind === 'histogram' &&
        (from.kind === 'values' || !sameBounds(to.bounds, from.bounds))
      ) {
        to = this.#asValues(to);
      }
      if (to.kind === 'histogram' && from.kind === 'histogram') {
        for (const [key, acc] of from.series) {
          const target = this.#histogramAcc(to, key, acc.labels);
          acc.numbers.forEach((n, i) => (target.numbers[i] = (target.numbers[i] as number) + n));
          acc.exemplars.forEach((e, b) => {
            if (e) target.exemplars[b] = newer(target.exemplars[b] ?? null, e);
          });
        }
      } else if (to.kind === 'values') {
        const source = from.kind === 'values' ? from : asValues(from);
        for (const [key, acc] of source.series) {
          const target = this.#valueAcc(to, key, acc.metricName, acc.labels);
          combine(target, to.rule, valueOf(acc, to.rule), origin);
        }
      }
    }
  }

  /** The merged families, ready for the exposition. */
  families(): ReadFamily[] {
    const out: ReadFamily[] = [];
    for (const f of this.#families.values()) {
      if (f.rule === 'omit') continue;
      if (f.kind === 'histogram') {
        const entries = [...f.series.values()].map((acc) => histogramEntry(acc, f.bounds));
        out.push({ kind: 'histogram', name: f.name, help: f.help, bounds: f.bounds, entries });
        continue;
      }
      const values = [...f.series.values()].map((acc) => ({
        labels: acc.labels,
        value: valueOf(acc, f.rule),
        ...(acc.metricName ? { metricName: acc.metricName } : {}),
        ...(acc.exemplar ? { exemplar: acc.exemplar } : {}),
      }));
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
      if (found.kind === 'values' || (histogram && sameBounds(found.bounds, histogram.bounds))) {
        return found;
      }
      return this.#asValues(found);
    }
    const type = histogram ? 'histogram' : (snapshot as { type: string }).type;
    const rule = ruleOf(snapshot.name, type, snapshot.rule, this.#o.overrides);
    return this.#adopt({
      name: snapshot.name,
      help: snapshot.help,
      type,
      rule,
      bounds: histogram?.bounds,
    });
  }

  /** A new, empty family shaped like `like`. */
  #adopt(like: Common & { readonly bounds?: readonly number[] | undefined }): Family {
    const common = { name: like.name, help: like.help, type: like.type, rule: like.rule };
    const made: Family = like.bounds
      ? { ...common, kind: 'histogram', bounds: like.bounds, series: new Map() }
      : { ...common, kind: 'values', series: new Map() };
    this.#families.set(made.name, made);
    return made;
  }

  #asValues(family: Histogram): Values {
    const values = asValues(family);
    this.#families.set(family.name, values);
    return values;
  }

  #labelled<L extends SampleLabels>(name: string, rule: Aggregation, labels: L, origin: Origin): L {
    const budget: SeriesBudget | undefined = this.#o.budgets.of(name);
    const folded = budget ? budget.fold(labels, (key) => this.#fold(name, key)) : labels;
    if (!this.#o.perWorker && rule !== 'worker') return folded;
    return { ...folded, [WORKER]: origin.worker };
  }

  #fold(name: string, key: string): void {
    let keys = this.#folded.get(name);
    if (!keys) this.#folded.set(name, (keys = new Set()));
    keys.add(key);
  }

  #histogramAcc(family: Histogram, key: string, labels: Labels): HistogramAcc {
    let acc = family.series.get(key);
    if (!acc) {
      const width = family.bounds.length + 2;
      acc = {
        labels,
        numbers: new Array<number>(width).fill(0),
        exemplars: new Array(width - 1).fill(null),
      };
      family.series.set(key, acc);
    }
    return acc;
  }

  #valueAcc(family: Values, key: string, metricName: string, labels: SampleLabels): ValueAcc {
    let acc = family.series.get(key);
    if (!acc) {
      acc = { metricName, labels, value: 0, count: 0, base: 0, exemplar: null };
      family.series.set(key, acc);
    }
    return acc;
  }

  #addHistogram(family: Histogram, snapshot: HistogramFamily, origin: Origin): void {
    const { labelNames: names, numbers } = snapshot;
    const width = snapshot.bounds.length + 2;
    const count = numbers.length / width;
    const targets: HistogramAcc[] = [];
    for (let i = 0; i < count; i++) {
      const raw: Labels = {};
      for (let j = 0; j < names.length; j++) {
        const value = snapshot.labels[i * names.length + j];
        if (value !== null && value !== undefined) raw[names[j] as string] = value;
      }
      const labels = this.#labelled(family.name, family.rule, raw, origin);
      const acc = this.#histogramAcc(family, keyOf(labels), labels);
      const at = i * width;
      for (let k = 0; k < width; k++)
        acc.numbers[k] = (acc.numbers[k] as number) + (numbers[at + k] as number);
      targets.push(acc);
    }
    for (const [i, b, exemplar] of snapshot.exemplars) {
      const acc = targets[i];
      if (acc) acc.exemplars[b] = newer(acc.exemplars[b] ?? null, exemplar);
    }
  }

  #addValues(family: Values, samples: readonly WireSample[], origin: Origin): void {
    for (const [metricName, raw, value, exemplar] of samples) {
      const labels = this.#labelled(family.name, family.rule, raw, origin);
      const acc = this.#valueAcc(family, keyOf(labels, metricName, true), metricName, labels);
      combine(acc, family.rule, fromWire(value), origin);
      if (exemplar) acc.exemplar = newer(acc.exemplar, exemplar);
    }
  }
}

/** A histogram part as samples, for a family kept as samples. */
function wireSamples(snapshot: HistogramFamily): WireSample[] {
  const width = snapshot.bounds.length + 2;
  const names = snapshot.labelNames;
  const samples: WireSample[] = [];
  for (let i = 0; i < snapshot.numbers.length / width; i++) {
    const labels: Labels = {};
    names.forEach((name, j) => {
      const value = snapshot.labels[i * names.length + j];
      if (value !== null && value !== undefined) labels[name] = value;
    });
    const exemplars = new Array<null>(width - 1).fill(null) as HistogramAcc['exemplars'];
    for (const [s, b, e] of snapshot.exemplars) if (s === i) exemplars[b] = e;
    const numbers = snapshot.numbers.slice(i * width, (i + 1) * width);
    for (const sample of histogramSamples(snapshot.name, snapshot.bounds, {
      labels,
      numbers,
      exemplars,
    })) {
      samples.push(sample[3] ? sample : [sample[0], sample[1], sample[2]]);
    }
  }
  return samples;
}
