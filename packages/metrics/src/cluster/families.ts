// A merged family's shapes: a histogram kept as bucket counts per series (the fast, usual case),
// or as the samples prom-client's get() gives (when workers disagree on its bounds or labels, or
// it is not a plain histogram), and the conversions between them.
import type { Aggregation } from '../contract.js';
import type { Labels } from '../prom-internals/probe.js';
import {
  addNumbers,
  bucketsOf,
  histogramAcc,
  histogramSamples,
  keyOf,
  setExemplar,
  type Buckets,
  type HistogramAcc,
  type ValueAcc,
} from './accumulators.js';
import type { HistogramFamily, WireSample } from './protocol.js';

export interface Common {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly rule: Aggregation;
}
export type Histogram = Common & {
  readonly kind: 'histogram';
  readonly buckets: Buckets;
  /** The label order series are keyed by: the budget's (the contract's), else the first seen. */
  readonly names: readonly string[];
  readonly series: Map<string, HistogramAcc>;
};
export type Values = Common & { readonly kind: 'values'; readonly series: Map<string, ValueAcc> };
export type Family = Histogram | Values;

export function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

/** Label values of a histogram part in the order `names`, or undefined if its labels differ. */
export function inOrder(
  snapshot: HistogramFamily,
  names: readonly string[],
): readonly (string | null)[] | undefined {
  const own = snapshot.labelNames;
  if (sameList(own, names)) return snapshot.labels;
  const at = names.map((name) => own.indexOf(name));
  if (own.length !== names.length || at.includes(-1)) return undefined;
  const series = own.length === 0 ? 0 : snapshot.labels.length / own.length;
  const values: (string | null)[] = [];
  for (let i = 0; i < series; i++)
    for (const j of at) values.push(snapshot.labels[i * own.length + j] ?? null);
  return values;
}

/** A histogram family kept as samples (a worker sent other bounds or labels, or no plain histogram). */
export function asValues(family: Histogram): Values {
  const series = new Map<string, ValueAcc>();
  for (const acc of family.series.values()) {
    for (const [metricName, labels, value, exemplar] of histogramSamples(
      family.name,
      family.buckets,
      acc,
    )) {
      series.set(keyOf(labels, metricName, true), {
        metricName,
        labels,
        value,
        count: 1,
        base: 0,
        exemplar,
      });
    }
  }
  return {
    name: family.name,
    help: family.help,
    type: family.type,
    rule: family.rule,
    kind: 'values',
    series,
  };
}

/** A histogram part as samples, for a family kept as samples. */
export function wireSamples(snapshot: HistogramFamily): WireSample[] {
  const buckets = bucketsOf(snapshot.bounds);
  const names = snapshot.labelNames;
  const width = buckets.keys.length + 2;
  const accs: HistogramAcc[] = [];
  for (let i = 0; i < snapshot.numbers.length / width; i++) {
    const labels: Labels = {};
    names.forEach((name, j) => {
      const value = snapshot.labels[i * names.length + j];
      if (value !== null && value !== undefined) labels[name] = value;
    });
    const acc = histogramAcc(labels, buckets);
    addNumbers(acc, buckets.keys, snapshot.numbers, i * width);
    accs.push(acc);
  }
  for (const [i, b, exemplar] of snapshot.exemplars)
    if (accs[i]) setExemplar(accs[i], buckets, b, exemplar);
  return accs.flatMap((acc) =>
    histogramSamples(snapshot.name, buckets, acc).map(
      ([name, labels, value, exemplar]): WireSample =>
        exemplar ? [name, labels, value, exemplar] : [name, labels, value],
    ),
  );
}
