// Every panel query, against the real Prometheus evaluating the real rule files over data from
// the real metrics package, returns at least one series: a dashboard that shows "No data" for a
// renamed label or a wrong matcher fails here instead of in front of an on-call engineer.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { requireBinary, startPrometheus, type PrometheusServer } from '@ai-orchestrator/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startFixtureExporter, type FixtureExporter } from './fixture-exporter.js';
import { allPanels, committed, labelValuesQuery, substitute } from './panels.js';

/**
 * Panels allowed to come back empty in this stack, by dashboard file and panel id, with why.
 * Empty today: the fixture feeds every series the panels read.
 */
export const NO_DATA_IN_TEST_STACK: Readonly<Record<string, string>> = {};

const RULE_FILES = ['recording_rules.yml', 'slo_rules.yml', 'alert_rules.yml', 'genai_rules.yml'];
/** Series whose presence shows every rule group has evaluated over scraped data. */
const READY = [
  'service:http_server_requests:rate5m',
  'workflow:workflow_executions:rate5m',
  'service:workflow_executions:rate5m',
  'workflow:workflow_execution_duration_seconds:p95_5m',
  'service:workflow_executions:success_ratio_rate5m',
  'engine:engine_tokens:rate5m',
  'window:business_active_users:max',
  'instance:node_cpu_utilisation:ratio_rate5m',
  'instance:node_load1_per_cpu:ratio',
  'slo:error_budget:remaining_ratio',
  'provider:gen_ai_client_rate_limited:ratio_rate5m',
  'model_workflow:gen_ai_client_spend:increase1h',
];

/** The rule files of infra/prometheus, every group evaluated each second. */
function ruleFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of RULE_FILES) {
    const doc = parse(
      readFileSync(new URL(`../../infra/prometheus/${name}`, import.meta.url), 'utf8'),
    ) as { groups: { interval?: string }[] };
    for (const group of doc.groups) group.interval = '1s';
    files[name] = stringify(doc);
  }
  return files;
}

function config(host: string): string {
  return stringify({
    global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
    rule_files: RULE_FILES,
    scrape_configs: [
      {
        job_name: 'fixture',
        static_configs: [{ targets: [host], labels: { service: 'fixture-api' } }],
      },
      {
        job_name: 'node-exporter',
        metrics_path: '/node',
        static_configs: [{ targets: [host], labels: { service: 'node-exporter' } }],
      },
    ],
  });
}

interface Series {
  metric: Record<string, string>;
}
interface Sample extends Series {
  value: [number, string];
}

const binary = requireBinary('prometheus');

describe.skipIf(!binary)('every panel query returns data from a live Prometheus', () => {
  let exporter: FixtureExporter;
  let prometheus: PrometheusServer;
  /** Variable values per dashboard file, as Grafana's multi-value regex `(a|b)`. */
  const values = new Map<string, Record<string, string>>();

  const query = (expr: string) =>
    prometheus.api<{ result: Series[] }>('query', { query: expr }).then((d) => d.result);

  beforeAll(async () => {
    exporter = await startFixtureExporter();
    prometheus = await startPrometheus(binary as string, config(exporter.host), ruleFiles(), [
      '--enable-feature=exemplar-storage',
    ]);
    // Bounded: recording rules need two scrapes of each counter, then one evaluation.
    const deadline = Date.now() + 40_000;
    let missing = READY;
    while (Date.now() < deadline) {
      const counts = await Promise.all(READY.map(async (r) => (await query(r)).length));
      missing = READY.filter((_r, i) => counts[i] === 0);
      if (missing.length === 0) break;
      await sleep(500);
    }
    if (missing.length > 0) {
      throw new Error(`recording rules without data after 40 s: ${missing.join(', ')}`);
    }
    for (const { file, dashboard } of committed()) {
      const mine: Record<string, string> = {};
      for (const v of dashboard.templating.list) {
        if (v.type !== 'query') continue;
        const { selector, label } = labelValuesQuery(v.definition ?? '');
        const found = await prometheus.api<string[]>(`label/${label}/values`, {
          'match[]': substitute(selector, mine),
        });
        mine[v.name] = found.length > 0 ? `(${found.join('|')})` : '';
      }
      values.set(file, mine);
    }
  });

  afterAll(async () => {
    await prometheus?.stop();
    await exporter?.close();
  });

  it('resolves every template variable to at least one value', () => {
    for (const [file, mine] of values) {
      for (const [name, value] of Object.entries(mine))
        expect(value, `${file} $${name}`).not.toBe('');
    }
  });

  const cases = allPanels().flatMap(({ file, panel }) =>
    (panel.targets ?? []).map((t) => [file, panel.id, panel.title, t.refId, t.expr] as const),
  );

  it.each(cases)('%s #%s %s / %s', async (file, id, _title, _refId, expr) => {
    const result = await query(substitute(expr, values.get(file) ?? {}));
    const excuse = NO_DATA_IN_TEST_STACK[`${file}#${id}`];
    if (excuse) {
      expect(result, `listed as empty (${excuse}) but returned data: remove it`).toEqual([]);
    } else {
      expect(result.length, expr).toBeGreaterThan(0);
    }
  });

  it('counts firing alerts without the heartbeat, which fires all the time', async () => {
    const { dashboard } = committed().find((d) => d.file === 'system-overview.json')!;
    const panel = dashboard.panels.find((p) => p.title === 'Firing alerts')!;
    const time = String(Date.now() / 1000);
    const at = (expr: string) =>
      prometheus.api<{ result: Sample[] }>('query', { query: expr, time }).then((d) => d.result);
    const firing = await at('ALERTS{alertstate="firing"}');
    const names = firing.map((a) => a.metric.alertname);
    expect(names).toContain('Watchdog');
    const [count] = await at(panel.targets![0]!.expr);
    expect(Number(count?.value[1])).toBe(names.filter((n) => n !== 'Watchdog').length);
  });

  it('serves exemplars with a trace_id for the latency panels, which Grafana links to Jaeger', async () => {
    const { dashboard } = committed().find((d) => d.file === 'system-overview.json')!;
    const latency = dashboard.panels.find((p) => p.title === 'Latency p50 / p95 / p99')!;
    const target = latency.targets!.find((t) => t.exemplar)!;
    const now = Date.now() / 1000;
    const data = await prometheus.api<{ exemplars: { labels: Record<string, string> }[] }[]>(
      'query_exemplars',
      {
        query: substitute(target.expr, values.get('system-overview.json') ?? {}),
        start: String(now - 300),
        end: String(now + 5),
      },
    );
    const labels = data.flatMap((d) => d.exemplars.map((e) => e.labels));
    expect(labels.length).toBeGreaterThan(0);
    for (const l of labels) expect(l.trace_id).toMatch(/^[0-9a-f]{32}$/);
  });
});
