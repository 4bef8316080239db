// Renders a prom-client registry in the Prometheus text format or in OpenMetrics 1.0 (with
// exemplars), from the same registry, without touching its content type.
// https://github.com/prometheus/OpenMetrics/blob/main/specification/OpenMetrics.md
import {
  hasDefaultLabels,
  plainHistogram,
  type HistogramSeries,
  type PlainHistogram,
} from './prom-internals/probe.js';
import type { Exposition, MetricsFormat, AnyRegistry } from './types.js';

export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_CONTENT_TYPE =
  'application/openmetrics-text; version=1.0.0; charset=utf-8';

type LabelValues = Record<string, string | number | undefined>;

interface Exemplar {
  readonly labelSet: Record<string, string>;
  readonly value: number;
  readonly timestamp?: number;
}

export interface Sample {
  readonly value: number;
  readonly labels?: LabelValues;
  readonly metricName?: string;
  readonly exemplar?: Exemplar | null;
}

export interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly values?: readonly Sample[];
}

interface MetricLike {
  get(): Promise<unknown>;
}

// A long scrape yields to the event loop after this long, so requests keep being served.
const SLICE_MS = 8;
// How many label sets are rendered between two looks at the clock.
const CHECK_EVERY = 64;

function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

function escapeHelp(value: string): string {
  return value.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** `name="value",…` without braces; `le` goes last, where people expect to read it. */
function labelPairs(labels: LabelValues): string {
  let out = '';
  const names = Object.keys(labels);
  const le = names.indexOf('le');
  if (le !== -1 && le !== names.length - 1) names.push(...names.splice(le, 1));
  for (const name of names) {
    const raw = labels[name];
    if (raw === undefined) continue;
    const value = typeof raw === 'number' ? formatValue(raw) : String(raw);
    out += `${out ? ',' : ''}${name}="${escapeLabelValue(value)}"`;
  }
  return out;
}

function formatLabels(labels: LabelValues | undefined): string {
  if (!labels) return '';
  const out = labelPairs(labels);
  return out ? `{${out}}` : '';
}

function formatExemplar(ex: Exemplar | null | undefined): string {
  if (!ex || !ex.labelSet || Object.keys(ex.labelSet).length === 0) return '';
  const out = ` # ${formatLabels(ex.labelSet)} ${formatValue(ex.value)}`;
  return typeof ex.timestamp === 'number' ? `${out} ${ex.timestamp}` : out;
}

function familyHeader(name: string, help: string, type: string): string {
  return `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`;
}

function renderFamily(family: Family, openMetrics: boolean): string {
  let name = family.name;
  let sampleSuffix = '';
  if (openMetrics && family.type === 'counter') {
    // OpenMetrics names the counter family without `_total` and every sample with it.
    if (name.endsWith('_total')) name = name.slice(0, -'_total'.length);
    sampleSuffix = '_total';
  }
  const type = family.type === 'untyped' && openMetrics ? 'unknown' : family.type;
  let out = familyHeader(name, family.help, type);
  for (const sample of family.values ?? []) {
    const sampleName = sample.metricName ?? name + sampleSuffix;
    out += `${sampleName}${formatLabels(sample.labels)} ${formatValue(sample.value)}`;
    if (openMetrics) out += formatExemplar(sample.exemplar);
    out += '\n';
  }
  return out;
}

interface HistogramSnapshot {
  readonly histogram: Pick<PlainHistogram, 'name' | 'help' | 'bounds'>;
  readonly entries: readonly HistogramSeries[];
}

/** What Histogram#get() does: run the collect callback, then read the entries. */
async function snapshotHistogram(histogram: PlainHistogram): Promise<HistogramSnapshot> {
  await histogram.collect();
  return { histogram, entries: histogram.series() };
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * The bytes renderFamily() writes for a Histogram's get(), built from its entries in slices
 * that yield to the event loop, so a scrape of many series never stalls the server. Returns the
 * slices; the caller joins the whole body once.
 */
async function renderHistogram(
  { histogram, entries }: HistogramSnapshot,
  openMetrics: boolean,
): Promise<string[]> {
  const name = histogram.name;
  const bounds = histogram.bounds;
  const le = bounds.map((bound) => `le="${escapeLabelValue(formatValue(bound))}"} `);
  const bucket = `${name}_bucket{`;
  const sumName = `${name}_sum`;
  const countName = `${name}_count`;
  const parts: string[] = [familyHeader(name, histogram.help, 'histogram')];
  // Pieces are joined once per slice: one flat copy instead of a rope of millions of strings.
  let pieces: string[] = [];
  let n = 0;
  let sliceStart = performance.now();
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as HistogramSeries;
    const pairs = labelPairs(entry.labels);
    const prefix = pairs ? `${bucket}${pairs},` : bucket;
    const braced = pairs ? `{${pairs}}` : '';
    const exemplars = openMetrics ? entry.bucketExemplars : undefined;
    let acc = 0;
    for (let b = 0; b < bounds.length; b++) {
      const bound = bounds[b] as number;
      acc += entry.bucketValues[bound] as number;
      pieces[n++] = prefix;
      pieces[n++] = le[b] as string;
      pieces[n++] = formatValue(acc);
      pieces[n++] = exemplars ? `${formatExemplar(exemplars[bound])}\n` : '\n';
    }
    pieces[n++] = prefix;
    pieces[n++] = 'le="+Inf"} ';
    pieces[n++] = formatValue(entry.count);
    pieces[n++] = exemplars ? `${formatExemplar(exemplars['-1'])}\n` : '\n';
    pieces[n++] = `${sumName}${braced} ${formatValue(entry.sum)}\n`;
    pieces[n++] = `${countName}${braced} ${formatValue(entry.count)}\n`;
    if (i % CHECK_EVERY === CHECK_EVERY - 1 && performance.now() - sliceStart > SLICE_MS) {
      pieces.length = n;
      parts.push(pieces.join(''));
      pieces = [];
      n = 0;
      await yieldToEventLoop();
      sliceStart = performance.now();
    }
  }
  pieces.length = n;
  parts.push(pieces.join(''));
  return parts;
}

/** One join over every family's pieces: text separates families with a blank line. */
function assemble(families: readonly (string | string[])[], openMetrics: boolean): Exposition {
  const pieces: string[] = [];
  for (let i = 0; i < families.length; i++) {
    if (i > 0 && !openMetrics) pieces.push('\n');
    const family = families[i] as string | string[];
    if (typeof family === 'string') pieces.push(family);
    else for (const slice of family) pieces.push(slice);
  }
  if (openMetrics) {
    pieces.push('# EOF\n');
    return { contentType: OPENMETRICS_CONTENT_TYPE, body: pieces.join('') };
  }
  return { contentType: TEXT_CONTENT_TYPE, body: pieces.join('') };
}

/** The generic path: prom-client's getMetricsAsJSON(), which merges the registry's default labels. */
export async function renderGeneric(
  registry: AnyRegistry,
  format: MetricsFormat,
): Promise<Exposition> {
  const families = (await registry.getMetricsAsJSON()) as unknown as Family[];
  const openMetrics = format === 'openmetrics';
  return assemble(
    families.map((family) => renderFamily(family, openMetrics)),
    openMetrics,
  );
}

/** A family already read: a histogram's name, bounds and series, or what prom-client's get() gives. */
export type ReadFamily =
  | ({ readonly kind: 'histogram' } & HistogramSnapshot['histogram'] & {
        readonly entries: readonly HistogramSeries[];
      })
  | Family;

/**
 * Renders families already read (the cluster primary's merged view) as render() renders a
 * registry: histograms in slices that yield to the event loop.
 *
 * @example
 * const { body } = await renderFamilies([{ name: 'up', help: 'Up.', type: 'gauge', values: [{ value: 1 }] }], 'text');
 */
export async function renderFamilies(
  families: readonly ReadFamily[],
  format: MetricsFormat,
): Promise<Exposition> {
  const openMetrics = format === 'openmetrics';
  const parts: (string | string[])[] = [];
  for (const family of families) {
    parts.push(
      'kind' in family
        ? await renderHistogram({ histogram: family, entries: family.entries }, openMetrics)
        : renderFamily(family, openMetrics),
    );
  }
  return assemble(parts, openMetrics);
}

type Renderer = (format: MetricsFormat) => Promise<Exposition>;
const renderers = new WeakMap<object, Renderer>();

/**
 * Makes render(), and so every handler and server given `registry`, answer with `renderer`:
 * how the cluster primary's registry serves the workers' merged metrics.
 *
 * @example
 * renderAs(view, (format) => renderFamilies(merged, format));
 */
export function renderAs(registry: AnyRegistry, renderer: Renderer): void {
  renderers.set(registry, renderer);
}

/**
 * Renders every metric of `registry`.
 *
 * @example
 * const { contentType, body } = await render(register, 'openmetrics');
 */
export async function render(registry: AnyRegistry, format: MetricsFormat): Promise<Exposition> {
  const own = renderers.get(registry);
  if (own) return own(format);
  // Default labels are merged by getMetricsAsJSON(); such registries keep the generic path.
  if (hasDefaultLabels(registry)) return renderGeneric(registry, format);
  const openMetrics = format === 'openmetrics';
  const metrics: unknown[] = registry.getMetricsAsArray();
  const fast = metrics.map(plainHistogram);
  // Every get() (and collect callback) starts at once, in order, as in getMetricsAsJSON().
  const items = await Promise.all(
    metrics.map((metric, i) => {
      const histogram = fast[i];
      return histogram ? snapshotHistogram(histogram) : (metric as MetricLike).get();
    }),
  );
  const parts: (string | string[])[] = [];
  for (let i = 0; i < items.length; i++) {
    parts.push(
      fast[i]
        ? await renderHistogram(items[i] as HistogramSnapshot, openMetrics)
        : renderFamily(items[i] as Family, openMetrics),
    );
  }
  return assemble(parts, openMetrics);
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
