// Renders a prom-client registry in the Prometheus text format or in OpenMetrics 1.0 (with
// exemplars), from the same registry, without touching its content type.
// https://github.com/prometheus/OpenMetrics/blob/main/specification/OpenMetrics.md
import type { Exposition, MetricsFormat, AnyRegistry } from './types.js';

export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_CONTENT_TYPE =
  'application/openmetrics-text; version=1.0.0; charset=utf-8';

interface Sample {
  readonly value: number;
  readonly labels?: Record<string, string | number | undefined>;
  readonly metricName?: string;
  readonly exemplar?: {
    readonly labelSet: Record<string, string>;
    readonly value: number;
    readonly timestamp?: number;
  } | null;
}

interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly values?: readonly Sample[];
}

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

function formatLabels(labels: Record<string, string | number | undefined> | undefined): string {
  if (!labels) return '';
  let out = '';
  // `le` goes last, where people expect to read it.
  const names = Object.keys(labels);
  const le = names.indexOf('le');
  if (le !== -1 && le !== names.length - 1) names.push(...names.splice(le, 1));
  for (const name of names) {
    const raw = labels[name];
    if (raw === undefined) continue;
    const value = typeof raw === 'number' ? formatValue(raw) : String(raw);
    out += `${out ? ',' : ''}${name}="${escapeLabelValue(value)}"`;
  }
  return out ? `{${out}}` : '';
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
  let out = `# HELP ${name} ${escapeHelp(family.help)}\n# TYPE ${name} ${type}\n`;
  for (const sample of family.values ?? []) {
    const sampleName = sample.metricName ?? name + sampleSuffix;
    out += `${sampleName}${formatLabels(sample.labels)} ${formatValue(sample.value)}`;
    const ex = sample.exemplar;
    if (openMetrics && ex && ex.labelSet && Object.keys(ex.labelSet).length > 0) {
      out += ` # ${formatLabels(ex.labelSet)} ${formatValue(ex.value)}`;
      if (typeof ex.timestamp === 'number') out += ` ${ex.timestamp}`;
    }
    out += '\n';
  }
  return out;
}

/**
 * Renders every metric of `registry`.
 *
 * @example
 * const { contentType, body } = await render(register, 'openmetrics');
 */
export async function render(registry: AnyRegistry, format: MetricsFormat): Promise<Exposition> {
  const families = (await registry.getMetricsAsJSON()) as unknown as Family[];
  const openMetrics = format === 'openmetrics';
  const parts = families.map((family) => renderFamily(family, openMetrics));
  if (openMetrics) {
    return { contentType: OPENMETRICS_CONTENT_TYPE, body: `${parts.join('')}# EOF\n` };
  }
  return { contentType: TEXT_CONTENT_TYPE, body: parts.join('\n') };
}

/** Picks OpenMetrics when the `Accept` header asks for it with a non-zero quality. */
export function negotiate(accept: string | undefined): MetricsFormat {
  if (!accept) return 'text';
  for (const part of accept.split(',')) {
    const [type, ...params] = part.trim().split(';');
    if (type?.trim().toLowerCase() !== 'application/openmetrics-text') continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q === undefined || Number(q.slice(2)) > 0) return 'openmetrics';
  }
  return 'text';
}
