// Reads the text exposition the way a test states expectations: the sum of one series name over
// the label sets that match the given labels.
import type { Metrics } from '@ai-orchestrator/metrics';

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function samples(body: string): Sample[] {
  return body.split('\n').flatMap((line) => {
    const m = LINE.exec(line);
    if (!m || line.startsWith('#')) return [];
    const labels: Record<string, string> = {};
    for (const [, name, value] of (m[2] ?? '').matchAll(LABEL))
      labels[name as string] = value as string;
    return [{ name: m[1] as string, labels, value: Number(m[3]) }];
  });
}

/** A scrape of `metrics`, summed by name and label subset. */
export async function scrape(metrics: Metrics) {
  const body = (await metrics.expose()).body;
  const all = samples(body);
  const matching = (name: string, labels: Record<string, string> = {}) =>
    all.filter(
      (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
    );
  return {
    body,
    /** Sum over matching series; undefined when none matches. */
    value(name: string, labels: Record<string, string> = {}): number | undefined {
      const found = matching(name, labels);
      return found.length === 0 ? undefined : found.reduce((sum, s) => sum + s.value, 0);
    },
    series: matching,
  };
}
