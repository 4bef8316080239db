// Renders a prom-client registry in the Prometheus text format or in OpenMetrics 1.0 (with
// exemplars), from the same registry, without touching its content type. The body comes in
// chunks (renderStream), which the /metrics handler writes one by one; render() joins them.
// https://github.com/prometheus/OpenMetrics/blob/main/specification/OpenMetrics.md
import { ChunkWriter } from './chunk-writer.js';
import {
  familyChunks,
  histogramChunks,
  SliceClock,
  type HistogramSource,
  type SampleSource,
} from './histogram-text.js';
import {
  hasDefaultLabels,
  plainHistogram,
  plainValues,
  RegistryMetrics,
  type HistogramSeries,
  type PlainHistogram,
  type PlainMetric,
  type PlainValues,
} from './prom-internals/probe.js';
import type { Family, Sample } from './text-format.js';
import type { AnyRegistry, Exposition, ExpositionStream, MetricsFormat } from './types.js';

export type { Family, Sample } from './text-format.js';

export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_CONTENT_TYPE =
  'application/openmetrics-text; version=1.0.0; charset=utf-8';

interface MetricLike {
  get(): Promise<unknown>;
}

/** A family to write: a histogram read series by series, or a family of one line per sample. */
type Part = { readonly histogram: HistogramSource } | { readonly samples: SampleSource };

/** A registry's metric, its entries looked up by the keys read when it is counted. */
class Keyed<E> {
  readonly #metric: PlainMetric<E> | undefined;
  #keys: readonly string[] | undefined;

  constructor(metric: PlainMetric<E> | undefined) {
    this.#metric = metric;
  }

  get slowCount(): boolean {
    return this.#metric?.slowKeys ?? true;
  }

  get count(): number {
    this.#keys ??= this.#metric?.keys() ?? [];
    return this.#keys.length;
  }

  at(i: number): E | undefined {
    const key = this.#keys?.[i];
    return key === undefined ? undefined : this.#metric?.entry(key);
  }
}

/** A registry's histogram, read series by series. */
class KeyedSeries extends Keyed<HistogramSeries> implements HistogramSource {
  /** One lives as long as the module, for the reason told at ChunkWriter.kept. */
  static readonly kept = new KeyedSeries(undefined);

  readonly name: string;
  readonly help: string;
  readonly bounds: readonly number[];
  readonly owner: object;

  constructor(histogram: PlainHistogram | undefined) {
    super(histogram);
    this.name = histogram?.name ?? '';
    this.help = histogram?.help ?? '';
    this.bounds = histogram?.bounds ?? [];
    this.owner = histogram ?? this;
  }
}

/** A registry's counter or gauge, read sample by sample: its entries are get()'s samples. */
class KeyedSamples extends Keyed<Sample> implements SampleSource {
  /** One lives as long as the module, for the reason told at ChunkWriter.kept. */
  static readonly kept = new KeyedSamples(undefined);

  readonly name: string;
  readonly help: string;
  readonly type: string;

  constructor(metric: PlainValues | undefined) {
    super(metric);
    this.name = metric?.name ?? '';
    this.help = metric?.help ?? '';
    this.type = metric?.type ?? 'gauge';
  }
}

/** The samples of a family as get() gives it, or as the cluster primary merged it. */
class ListedSamples implements SampleSource {
  /** One lives as long as the module, for the reason told at ChunkWriter.kept. */
  static readonly kept = new ListedSamples({ name: '', help: '', type: 'gauge' });

  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly slowCount = false;
  readonly #values: readonly Sample[];

  constructor(family: Family) {
    this.name = family.name;
    this.help = family.help;
    this.type = family.type;
    this.#values = family.values ?? [];
  }

  get count(): number {
    return this.#values.length;
  }

  at(i: number): Sample | undefined {
    return this.#values[i];
  }
}

const listed = (family: Family): Part => ({ samples: new ListedSamples(family) });

/** What Counter#get() and Gauge#get() do: run the collect callback; the entries are read while rendering. */
async function snapshotValues(metric: PlainValues): Promise<Part> {
  await metric.collect();
  return { samples: new KeyedSamples(metric) };
}

/** What Histogram#get() does: run the collect callback; the entries are read while rendering. */
async function snapshotHistogram(histogram: PlainHistogram): Promise<Part> {
  await histogram.collect();
  // The keys are read when the histogram's turn comes, each entry when its own turn comes.
  return { histogram: new KeyedSeries(histogram) };
}

/** The body in chunks of about one slice each: text separates families with a blank line. */
async function* bodyChunks(
  parts: readonly Part[],
  openMetrics: boolean,
  out: ChunkWriter,
): AsyncGenerator<Buffer, void, undefined> {
  const clock = new SliceClock();
  for (let i = 0; i < parts.length; i++) {
    if (i > 0 && !openMetrics) out.text('\n');
    const part = parts[i] as Part;
    if ('histogram' in part) yield* histogramChunks(part.histogram, openMetrics, clock, out);
    else yield* familyChunks(part.samples, openMetrics, clock, out);
  }
  if (openMetrics) out.text('# EOF\n');
  yield* out.take();
}

function stream(parts: readonly Part[], format: MetricsFormat): ExpositionStream {
  const openMetrics = format === 'openmetrics';
  const out = new ChunkWriter();
  return {
    contentType: openMetrics ? OPENMETRICS_CONTENT_TYPE : TEXT_CONTENT_TYPE,
    chunks: bodyChunks(parts, openMetrics, out),
    release: (chunk) => out.release(chunk),
  };
}

/** The generic path: prom-client's getMetricsAsJSON(), which merges the registry's default labels. */
async function genericStream(
  registry: AnyRegistry,
  format: MetricsFormat,
): Promise<ExpositionStream> {
  const families = (await registry.getMetricsAsJSON()) as unknown as Family[];
  return stream(families.map(listed), format);
}

/** The generic path rendered whole: what render() must equal for every registry. */
export async function renderGeneric(
  registry: AnyRegistry,
  format: MetricsFormat,
): Promise<Exposition> {
  return joinChunks(await genericStream(registry, format));
}

/** A family already read: a histogram's name, bounds and series, or what prom-client's get() gives. */
export type ReadFamily =
  | {
      readonly kind: 'histogram';
      readonly name: string;
      readonly help: string;
      readonly bounds: readonly number[];
      readonly entries: readonly HistogramSeries[];
    }
  | Family;

/** Series already read (the cluster primary's merged view). */
class ListedSeries implements HistogramSource {
  /** One lives as long as the module, for the reason told at ChunkWriter.kept. */
  static readonly kept = new ListedSeries({
    kind: 'histogram',
    name: '',
    help: '',
    bounds: [],
    entries: [],
  });

  readonly name: string;
  readonly help: string;
  readonly bounds: readonly number[];
  readonly owner: object;
  readonly slowCount = false;
  readonly #entries: readonly HistogramSeries[];

  constructor(family: Extract<ReadFamily, { kind: 'histogram' }>) {
    this.name = family.name;
    this.help = family.help;
    this.bounds = family.bounds;
    this.owner = family;
    this.#entries = family.entries;
  }

  get count(): number {
    return this.#entries.length;
  }

  at(i: number): HistogramSeries | undefined {
    return this.#entries[i];
  }
}

function readPart(family: ReadFamily): Part {
  return 'kind' in family ? { histogram: new ListedSeries(family) } : listed(family);
}

/**
 * Renders families already read (the cluster primary's merged view) in chunks, as renderStream()
 * renders a registry: histograms in slices that yield to the event loop.
 *
 * @example
 * const { chunks } = renderFamilies([{ name: 'up', help: 'Up.', type: 'gauge', values: [{ value: 1 }] }], 'text');
 */
export function renderFamilies(
  families: readonly ReadFamily[],
  format: MetricsFormat,
): ExpositionStream {
  return stream(families.map(readPart), format);
}

type Renderer = (format: MetricsFormat) => Promise<ExpositionStream>;
const renderers = new WeakMap<object, Renderer>();

/**
 * Makes render(), and so every handler and server given `registry`, answer with `renderer`:
 * how the cluster primary's registry serves the workers' merged metrics.
 *
 * @example
 * renderAs(view, async (format) => renderFamilies(merged, format));
 */
export function renderAs(registry: AnyRegistry, renderer: Renderer): void {
  renderers.set(registry, renderer);
}

/**
 * Every metric of `registry`, as a body in chunks: the collections run before this resolves; each
 * chunk is rendered when it is asked for (a histogram's series keys are read when its turn comes,
 * at the start of a slice).
 *
 * @example
 * const { contentType, chunks } = await renderStream(register, 'text');
 * for await (const chunk of chunks) res.write(chunk);
 */
export async function renderStream(
  registry: AnyRegistry,
  format: MetricsFormat,
): Promise<ExpositionStream> {
  const own = renderers.get(registry);
  if (own) return own(format);
  // Default labels are merged by getMetricsAsJSON(); such registries keep the generic path.
  if (hasDefaultLabels(registry)) return genericStream(registry, format);
  const view = RegistryMetrics.of(registry);
  if (view === undefined) {
    const metrics: readonly unknown[] = registry.getMetricsAsArray();
    return stream(await collectParts(metrics.length, (i) => metrics[i]), format);
  }
  const { count, at } = view.read();
  return stream(await collectParts(count, at), format);
}

/** What get() of one metric gives, read as a family to write. */
async function partOf(metric: unknown): Promise<Part> {
  const histogram = plainHistogram(metric);
  if (histogram) return snapshotHistogram(histogram);
  const values = plainValues(metric);
  if (values) return snapshotValues(values);
  return listed((await (metric as MetricLike).get()) as Family);
}

// Metrics whose get() is started between two looks at the clock.
const METRICS_PER_CHECK = 16;
// How long a slice starts get()s for. What each get() does after its first await (most do little
// more than resolve) runs after the slice, before the event loop goes on: the slice's own share
// is kept short, so the two stay within a rendering slice's few milliseconds.
const COLLECT_SLICE_MS = 1;
const handled = (): void => undefined;

/** True when, at the i-th metric, the collection's slice has used its time (looked at every 16). */
function sliceOver(clock: SliceClock, i: number): boolean {
  return i % METRICS_PER_CHECK === METRICS_PER_CHECK - 1 && clock.used(COLLECT_SLICE_MS);
}

/**
 * Starts every metric's get() (and collect callback) in order, as getMetricsAsJSON() does, a
 * slice at a time: a registry of thousands of metrics would otherwise start them all, and run
 * what each does before its first await, in one step (20,000 counters: one stall of 60-250 ms).
 * Between slices the event loop runs, and the collections started so far go on: an async collect
 * callback still overlaps the others, as in prom-client. Resolves once all are done, so a failed
 * collection still fails the scrape before its first byte (the first failure in the registry's
 * order, where Promise.all would give the first to fail in time).
 */
async function collectParts(count: number, at: (i: number) => unknown): Promise<Part[]> {
  const clock = new SliceClock();
  const started: Promise<Part>[] = [];
  for (let i = 0; i < count; i++) {
    // (undefined: a metric removed from the registry since its names were read)
    const metric = at(i);
    if (metric !== undefined) {
      const part = partOf(metric);
      // A failure is reported when it is read below; until then it counts as handled, not as an
      // unhandled rejection (which ends a Node process by default) while a later slice waits.
      part.catch(handled);
      started.push(part);
    }
    if (sliceOver(clock, i)) await clock.pause();
  }
  // Read in order, in slices too: Promise.all over thousands of promises is one step of its own.
  const parts: Part[] = [];
  for (let i = 0; i < started.length; i++) {
    parts.push(await (started[i] as Promise<Part>));
    if (sliceOver(clock, i)) await clock.pause();
  }
  return parts;
}

/** The chunks joined into one body. */
export async function joinChunks({ contentType, chunks }: ExpositionStream): Promise<Exposition> {
  const all: Buffer[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return { contentType, body: Buffer.concat(all).toString('utf8') };
}

/**
 * Renders every metric of `registry` into one string (the /metrics handler streams instead).
 *
 * @example
 * const { contentType, body } = await render(register, 'openmetrics');
 */
export async function render(registry: AnyRegistry, format: MetricsFormat): Promise<Exposition> {
  return joinChunks(await renderStream(registry, format));
}

/** Picks OpenMetrics when the `Accept` header asks for it with a non-zero quality. */
export function negotiate(accept: string | undefined): MetricsFormat {
  if (!accept) return 'text';
  for (const part of accept.split(',')) {
    const [type, ...params] = part.trim().split(';');
    if (type?.trim().toLowerCase() !== 'application/openmetrics-text') continue;
    const quality = params.map((param) => param.trim()).find((param) => param.startsWith('q='));
    if (quality === undefined || Number(quality.slice(2)) > 0) return 'openmetrics';
  }
  return 'text';
}
