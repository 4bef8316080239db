// A worker's registries as snapshot parts: plain histograms straight from prom-client's entries
// (as the exposition reads them), everything else through `get()`. Each part holds about
// `partSeries` series, and the caller yields to the event loop between parts.
import {
  hasDefaultLabels,
  plainHistogram,
  type HistogramSeries,
  type PlainHistogram,
} from '../prom-internals/probe.js';
import type { AnyRegistry } from '../types.js';
import {
  toWire,
  type ExemplarSnapshot,
  type FamilySnapshot,
  type HistogramFamily,
  type ValuesFamily,
  type WireSample,
} from './protocol.js';

/** Series per snapshot part: about 100 KB of JSON for the contract's HTTP histogram. */
export const PART_SERIES = 1000;

/** What prom-client's `get()` and `getMetricsAsJSON()` give for one metric. */
interface PromFamily {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly aggregator?: string;
  readonly values?: readonly {
    readonly labels?: Record<string, string | number>;
    readonly value: number;
    readonly metricName?: string;
    readonly exemplar?: ExemplarSnapshot | null;
  }[];
}

interface MetricLike {
  get(): Promise<unknown>;
  readonly labelNames?: readonly string[];
  readonly aggregator?: string;
}

type Read =
  | { readonly family: PromFamily }
  | {
      readonly histogram: PlainHistogram;
      readonly metric: MetricLike;
      readonly entries: readonly HistogramSeries[];
    };

/** Every metric of `registries` once (a metric registered in two is read once), collectors run. */
async function readAll(registries: readonly AnyRegistry[]): Promise<Read[]> {
  const seen = new Set<unknown>();
  const reads: Read[] = [];
  for (const registry of registries) {
    // Default labels are merged by getMetricsAsJSON() only.
    if (hasDefaultLabels(registry)) {
      const families = (await registry.getMetricsAsJSON()) as unknown as PromFamily[];
      for (const family of families) reads.push({ family });
      continue;
    }
    const metrics = (registry.getMetricsAsArray() as unknown as MetricLike[]).filter(
      (metric) => !seen.has(metric) && seen.add(metric),
    );
    // Every collector starts at once, as in getMetricsAsJSON().
    const items = await Promise.all(
      metrics.map(async (metric): Promise<Read> => {
        const histogram = plainHistogram(metric);
        if (!histogram) return { family: (await metric.get()) as PromFamily };
        await histogram.collect();
        return { histogram, metric, entries: histogram.series() };
      }),
    );
    reads.push(...items);
  }
  return reads;
}

function exemplarOf(raw: ExemplarSnapshot | null | undefined): ExemplarSnapshot | null {
  if (!raw || typeof raw !== 'object' || !raw.labelSet) return null;
  const copy: ExemplarSnapshot = { labelSet: { ...raw.labelSet }, value: raw.value };
  return typeof raw.timestamp === 'number' ? { ...copy, timestamp: raw.timestamp } : copy;
}

function valuesFamily(family: PromFamily): ValuesFamily {
  const samples: WireSample[] = [];
  for (const v of family.values ?? []) {
    const exemplar = exemplarOf(v.exemplar);
    const name = v.metricName ?? '';
    const labels = v.labels ?? {};
    samples.push(
      exemplar ? [name, labels, toWire(v.value), exemplar] : [name, labels, toWire(v.value)],
    );
  }
  return {
    kind: 'values',
    name: family.name,
    help: family.help,
    type: family.type,
    ...(family.aggregator === undefined ? {} : { rule: family.aggregator }),
    samples,
  };
}

/** Series `from` to `to` of a histogram: flat label values, numbers and exemplars. */
function histogramPart(
  read: Extract<Read, { histogram: PlainHistogram }>,
  from: number,
  to: number,
): HistogramFamily {
  const { histogram, metric, entries } = read;
  const labelNames = metric.labelNames ?? [];
  const bounds = histogram.bounds;
  const boundKeys = bounds.map(String);
  const keys = [...boundKeys, '-1'];
  const labels: (string | null)[] = [];
  const numbers: number[] = [];
  const exemplars: [number, number, ExemplarSnapshot][] = [];
  for (let i = from; i < to; i++) {
    const entry = entries[i] as HistogramSeries;
    for (const name of labelNames) labels.push(entry.labels[name] ?? null);
    numbers.push(entry.count, entry.sum);
    for (const key of boundKeys) numbers.push(entry.bucketValues[key] ?? 0);
    const stored = entry.bucketExemplars;
    if (!stored) continue;
    keys.forEach((key, b) => {
      const exemplar = exemplarOf(stored[key]);
      if (exemplar) exemplars.push([i - from, b, exemplar]);
    });
  }
  return {
    kind: 'histogram',
    name: histogram.name,
    help: histogram.help,
    ...(metric.aggregator === undefined ? {} : { rule: metric.aggregator }),
    labelNames,
    bounds,
    labels,
    numbers,
    exemplars,
  };
}

function seriesOf(family: FamilySnapshot): number {
  return family.kind === 'values'
    ? family.samples.length
    : family.numbers.length / (family.bounds.length + 2);
}

/** One metric as snapshot families, made one at a time (a histogram in slices of `partSeries`). */
function* piecesOf(read: Read, partSeries: number): Generator<FamilySnapshot> {
  if ('family' in read) {
    yield valuesFamily(read.family);
    return;
  }
  // An empty histogram still sends its name, so its HELP and TYPE are served.
  const count = read.entries.length;
  for (let from = 0; from < Math.max(count, 1); from += partSeries) {
    yield histogramPart(read, from, Math.min(count, from + partSeries));
  }
}

/**
 * The families of `registries` in parts of about `partSeries` series; a big histogram is split
 * over several parts (same name). The last part may be empty.
 *
 * @example
 * for await (const families of snapshotParts([registry])) send(families);
 */
export async function* snapshotParts(
  registries: readonly AnyRegistry[],
  partSeries = PART_SERIES,
): AsyncGenerator<FamilySnapshot[]> {
  let part: FamilySnapshot[] = [];
  let size = 0;
  for (const read of await readAll(registries)) {
    for (const piece of piecesOf(read, partSeries)) {
      part.push(piece);
      size += seriesOf(piece);
      if (size < partSeries) continue;
      yield part;
      part = [];
      size = 0;
    }
  }
  yield part;
}
