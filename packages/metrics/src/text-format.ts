// The pieces of the Prometheus text format and OpenMetrics 1.0 that every family shares: label
// and help escaping, values, exemplars, the family header, and the line of each sample.
// https://github.com/prometheus/OpenMetrics/blob/main/specification/OpenMetrics.md

type LabelValues = Record<string, string | number | undefined>;

export interface Exemplar {
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

export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

function escapeHelp(value: string): string {
  return value.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));
}

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** `name="value",…` without braces; `le` goes last, where people expect to read it. */
export function labelPairs(labels: LabelValues): string {
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

export function formatExemplar(ex: Exemplar | null | undefined): string {
  if (!ex || !ex.labelSet || Object.keys(ex.labelSet).length === 0) return '';
  const out = ` # ${formatLabels(ex.labelSet)} ${formatValue(ex.value)}`;
  return typeof ex.timestamp === 'number' ? `${out} ${ex.timestamp}` : out;
}

export function familyHeader(name: string, help: string, type: string): string {
  return `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`;
}

/** A family as prom-client's get() gives it: its header, and the text of each sample's line. */
export function familyText(
  family: Family,
  openMetrics: boolean,
): { readonly header: string; line(sample: Sample): string } {
  let name = family.name;
  let sampleSuffix = '';
  if (openMetrics && family.type === 'counter') {
    // OpenMetrics names the counter family without `_total` and every sample with it.
    if (name.endsWith('_total')) name = name.slice(0, -'_total'.length);
    sampleSuffix = '_total';
  }
  const type = family.type === 'untyped' && openMetrics ? 'unknown' : family.type;
  const defaultName = name + sampleSuffix;
  return {
    header: familyHeader(name, family.help, type),
    line(sample) {
      const sampleName = sample.metricName ?? defaultName;
      const line = `${sampleName}${formatLabels(sample.labels)} ${formatValue(sample.value)}`;
      return openMetrics ? `${line}${formatExemplar(sample.exemplar)}\n` : `${line}\n`;
    },
  };
}
