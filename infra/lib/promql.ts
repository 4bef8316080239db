// Finds the metric names a PromQL expression reads, so rules and dashboards can be checked
// against the metric contract instead of failing silently on a renamed series.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seriesNames } from '@ai-orchestrator/metrics';
import { parser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode } from '@lezer/common';
import { parse as parseYaml } from 'yaml';
import { EXTERNAL_METRICS } from './external-metrics.js';

const PROMETHEUS_DIR = fileURLToPath(new URL('../prometheus/', import.meta.url));

// A regex that is only literal alternatives (`a|b`) still names metrics exactly.
const LITERAL_ALTERNATIVES = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\|[a-zA-Z_:][a-zA-Z0-9_:]*)*$/;

function unquote(literal: string): string {
  const quote = literal[0];
  const body = literal.slice(1, -1);
  if (quote === '`') return body;
  if (quote === "'")
    return JSON.parse(`"${body.replace(/\\'/g, "'").replace(/"/g, '\\"')}"`) as string;
  return JSON.parse(literal) as string;
}

function child(node: SyntaxNode, name: string): SyntaxNode | null {
  for (let c = node.firstChild; c; c = c.nextSibling) if (c.name === name) return c;
  return null;
}

function namesFromMatchers(matchers: SyntaxNode, text: (n: SyntaxNode) => string): string[] {
  const names: string[] = [];
  for (let m = matchers.firstChild; m; m = m.nextSibling) {
    // `{"metric.name"}`: a bare quoted string in the braces is the metric name (Prometheus 3).
    if (m.name === 'QuotedLabelName') {
      names.push(unquote(text(m)));
      continue;
    }
    if (m.name !== 'UnquotedLabelMatcher' && m.name !== 'QuotedLabelMatcher') continue;
    const label = child(m, 'LabelName') ?? child(m, 'QuotedLabelName');
    const op = child(m, 'MatchOp');
    const value = child(m, 'StringLiteral');
    if (!label || !op || !value) continue;
    const labelName = label.name === 'QuotedLabelName' ? unquote(text(label)) : text(label);
    if (labelName !== '__name__') continue;
    const v = unquote(text(value));
    if (text(op) === '=') names.push(v);
    else if (text(op) === '=~' && LITERAL_ALTERNATIVES.test(v)) names.push(...v.split('|'));
  }
  return names;
}

/**
 * The metric names an expression selects: every vector selector's name and every
 * `__name__="…"` matcher, deduplicated, in order of appearance.
 * Throws a TypeError naming the expression and the offset of a syntax error.
 *
 * @example
 * metricNamesIn('sum by (service) (rate(http_server_request_duration_seconds_count[5m]))');
 * // ['http_server_request_duration_seconds_count']
 */
export function metricNamesIn(expr: string): string[] {
  if (typeof expr !== 'string' || expr.trim() === '') {
    throw new TypeError(`expr: expected a non-empty PromQL string, got ${JSON.stringify(expr)}`);
  }
  const tree = parser.parse(expr);
  const text = (n: SyntaxNode): string => expr.slice(n.from, n.to);
  const names: string[] = [];
  let error: number | undefined;
  tree.iterate({
    enter(ref) {
      if (ref.type.isError && error === undefined) error = ref.from;
      if (ref.name !== 'VectorSelector') return;
      const node = ref.node;
      const id = child(node, 'Identifier');
      if (id) names.push(text(id));
      const matchers = child(node, 'LabelMatchers');
      if (matchers) names.push(...namesFromMatchers(matchers, text));
    },
  });
  if (error !== undefined) {
    throw new TypeError(
      `expr: PromQL syntax error at offset ${error} in ${JSON.stringify(expr)}; expected a valid PromQL expression`,
    );
  }
  return [...new Set(names)];
}

/** Names of every recording rule (`record:`) in the rule files of `infra/prometheus/`. */
export function recordingRuleNames(dir: string = PROMETHEUS_DIR): Set<string> {
  const names = new Set<string>();
  for (const file of readdirSync(dir)) {
    if (!/\.ya?ml$/.test(file)) continue;
    const doc = parseYaml(readFileSync(join(dir, file), 'utf8')) as {
      groups?: { rules?: { record?: unknown }[] }[];
    } | null;
    for (const group of doc?.groups ?? []) {
      for (const rule of group.rules ?? []) {
        if (typeof rule.record === 'string') names.add(rule.record);
      }
    }
  }
  return names;
}

/**
 * Every series name a rule or dashboard may read: the core's contract, our recording rules,
 * and the external exporters' metrics in `external-metrics.ts`.
 *
 * @example
 * knownMetrics().has('service:http_server_requests:rate5m'); // true
 */
export function knownMetrics(): Set<string> {
  return new Set([...seriesNames(), ...recordingRuleNames(), ...EXTERNAL_METRICS]);
}
