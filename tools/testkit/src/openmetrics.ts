import { spawnSync } from 'node:child_process';
import { which } from './binaries.js';

/** One sample as the Python client's strict OpenMetrics parser reads it. */
export interface ParsedSample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
  readonly exemplar?: { readonly labels: Record<string, string>; readonly value: number };
}

// Reads an exposition on stdin, parses it strictly, prints the samples as JSON (floats as text,
// so +Inf and NaN survive); a parse error exits 1 with the parser's message.
const SCRIPT = `
import json, sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
out = []
for family in text_string_to_metric_families(sys.stdin.read()):
    for s in family.samples:
        ex = None if s.exemplar is None else {'labels': s.exemplar.labels, 'value': repr(float(s.exemplar.value))}
        out.append({'name': s.name, 'labels': s.labels, 'value': repr(float(s.value)), 'exemplar': ex})
json.dump(out, sys.stdout)
`;

function imports(python: string): boolean {
  return spawnSync(python, ['-c', 'import prometheus_client'], { stdio: 'ignore' }).status === 0;
}

/**
 * A python3 that has Debian's `python3-prometheus-client`. Without one: under CI=true this
 * throws; elsewhere it prints why the suite is skipped and returns undefined.
 */
export function requireOpenMetricsParser(): string | undefined {
  const candidates = ['/usr/bin/python3', which('python3')].filter(
    (p): p is string => p !== undefined,
  );
  const found = candidates.find(imports);
  if (found) return found;
  const message =
    'no python3 with prometheus_client; install it with: apt-get install -y python3-prometheus-client';
  if (process.env.CI === 'true') throw new Error(`CI=true: ${message}`);
  console.warn(`skipping tests that need the OpenMetrics parser: ${message}`);
  return undefined;
}

const toNumber = (text: string): number =>
  text === 'inf' ? Infinity : text === '-inf' ? -Infinity : Number(text);

/** Parses an OpenMetrics exposition with the Python client's strict parser; throws its error. */
export function parseOpenMetrics(python: string, exposition: string): ParsedSample[] {
  const result = spawnSync(python, ['-c', SCRIPT], {
    input: exposition,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(`OpenMetrics parser rejected the exposition:\n${result.stderr}`);
  }
  const raw = JSON.parse(result.stdout) as {
    name: string;
    labels: Record<string, string>;
    value: string;
    exemplar: { labels: Record<string, string>; value: string } | null;
  }[];
  return raw.map((s) => ({
    name: s.name,
    labels: s.labels,
    value: toNumber(s.value),
    ...(s.exemplar ? { exemplar: { ...s.exemplar, value: toNumber(s.exemplar.value) } } : {}),
  }));
}
