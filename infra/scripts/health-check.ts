// The 09:00 routine as a command: what fired overnight, system health, the business KPIs and the
// seed's daily targets (p95 < 1 s, errors < 1 %, workflow success > 95 %) as Markdown, with a
// non-zero exit when a target is missed.
//   tsx infra/scripts/health-check.ts --prometheus URL [--alertmanager URL] [--window 12h]
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** One daily target of the seed, checked on a recording rule (infra/prometheus/recording_rules.yml). */
export interface Target {
  readonly name: string;
  readonly rule: string;
  readonly objective: string;
  /** Whether the window's value meets the objective. */
  readonly meets: (value: number) => boolean;
  readonly format: (value: number) => string;
}

const percent = (v: number): string => `${(v * 100).toFixed(2)} %`;

export const TARGETS: readonly Target[] = [
  {
    name: 'p95 latency',
    rule: 'service:http_server_request_duration_seconds:p95_5m',
    objective: '< 1 s',
    meets: (v) => v < 1,
    format: (v) => `${v.toFixed(3)} s`,
  },
  {
    name: 'error rate',
    rule: 'service:http_server_errors:ratio_rate5m',
    objective: '< 1 %',
    meets: (v) => v < 0.01,
    format: percent,
  },
  {
    name: 'workflow success',
    rule: 'service:workflow_executions:success_ratio_rate5m',
    objective: '> 95 %',
    meets: (v) => v > 0.95,
    format: percent,
  },
];

export interface HealthCheckOptions {
  readonly prometheus: string;
  readonly alertmanager?: string | undefined;
  /** A Prometheus duration: the night the routine looks back on (default 12h). */
  readonly window?: string;
  readonly now?: Date;
}

export interface HealthReport {
  readonly markdown: string;
  /** False when a target was missed or had no data. */
  readonly ok: boolean;
}

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

const DURATION = /^\d+[smhdw]$/;

function checkUrl(field: string, value: unknown): string {
  if (typeof value !== 'string' || !/^https?:\/\/[^\s]+$/.test(value)) {
    throw new TypeError(
      `health-check: ${field} must be an http(s) URL, got ${JSON.stringify(value)}`,
    );
  }
  return value.replace(/\/$/, '');
}

async function query(prometheus: string, promql: string, time: Date): Promise<Sample[]> {
  const params = new URLSearchParams({ query: promql, time: String(time.getTime() / 1000) });
  const res = await fetch(`${prometheus}/api/v1/query?${params.toString()}`, {
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await res.json()) as {
    status: string;
    data?: { result: Sample[] };
    error?: string;
  };
  if (body.status !== 'success' || !body.data) {
    throw new Error(
      `Prometheus query failed (${res.status}): ${body.error ?? 'no data'}: ${promql}`,
    );
  }
  return body.data.result;
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

const cell = (text: string): string => text.replace(/\|/g, '\\|');
const num = (s: Sample): number => Number(s.value[1]);

async function targetRows(
  prometheus: string,
  window: string,
  now: Date,
): Promise<{ rows: string[]; ok: boolean }> {
  const rows: string[] = [];
  let ok = true;
  for (const target of TARGETS) {
    // The window's average of the 5-minute values: a typical night, not its single worst minute.
    const samples = await query(prometheus, `avg_over_time(${target.rule}[${window}])`, now);
    const values = samples.filter((s) => Number.isFinite(num(s)));
    if (values.length === 0) {
      ok = false;
      rows.push(`| ${target.name} | all | ${target.objective} | no data | ❌ fail |`);
      continue;
    }
    for (const sample of values.sort((a, b) =>
      (a.metric.service ?? '').localeCompare(b.metric.service ?? ''),
    )) {
      const value = num(sample);
      const pass = target.meets(value);
      ok &&= pass;
      const service = cell(sample.metric.service ?? 'all');
      rows.push(
        `| ${target.name} | ${service} | ${target.objective} | ${target.format(value)} | ${pass ? '✅ pass' : '❌ fail'} |`,
      );
    }
  }
  return { rows, ok };
}

async function alertRows(prometheus: string, window: string, now: Date): Promise<string[]> {
  const fired = await query(
    prometheus,
    `max_over_time(ALERTS{alertstate="firing"}[${window}])`,
    now,
  );
  // max_over_time drops __name__; drop it from the instant result too so the label sets compare.
  const key = ({ __name__: _name, ...labels }: Record<string, string>): string =>
    JSON.stringify(labels);
  const active = new Set(
    (await query(prometheus, 'ALERTS{alertstate="firing"}', now)).map((s) => key(s.metric)),
  );
  return fired
    .map((s) => {
      const m = s.metric;
      const still = active.has(key(m));
      return `| ${cell(m.alertname ?? '?')} | ${cell(m.severity ?? '')} | ${cell(m.priority ?? '')} | ${cell(m.service ?? '')} | ${still ? 'still firing' : 'resolved'} |`;
    })
    .sort();
}

async function systemHealth(
  options: { prometheus: string; alertmanager?: string | undefined },
  now: Date,
): Promise<{ lines: string[]; ok: boolean }> {
  const lines: string[] = [];
  const up = await query(options.prometheus, 'up', now);
  const down = up.filter((s) => num(s) !== 1);
  lines.push(`- Scrape targets up: ${up.length - down.length} of ${up.length}`);
  for (const s of down)
    lines.push(`  - ❌ down: ${cell(s.metric.job ?? '?')} ${cell(s.metric.instance ?? '')}`);
  const rules = await getJson<{
    data: { groups: { rules: { health: string; name: string }[] }[] };
  }>(`${options.prometheus}/api/v1/rules`);
  const all = rules.data.groups.flatMap((g) => g.rules);
  const broken = all.filter((r) => r.health === 'err');
  lines.push(
    `- Rules loaded: ${all.length}, failing: ${broken.length}${broken.length ? ` (${broken.map((r) => r.name).join(', ')})` : ''}`,
  );
  if (options.alertmanager) {
    const status = await getJson<{ cluster: { status: string; peers?: unknown[] } }>(
      `${options.alertmanager}/api/v2/status`,
    );
    const alerts = await getJson<{ status: { state: string } }[]>(
      `${options.alertmanager}/api/v2/alerts`,
    );
    const silenced = alerts.filter((a) => a.status.state === 'suppressed').length;
    lines.push(
      `- Alertmanager: cluster ${status.cluster.status} (${status.cluster.peers?.length ?? 0} peers), ` +
        `${alerts.length} alerts active now, ${silenced} of them silenced or inhibited`,
    );
  } else {
    lines.push('- Alertmanager: not checked (no --alertmanager)');
  }
  return { lines, ok: down.length === 0 && broken.length === 0 };
}

async function kpiRows(prometheus: string, now: Date): Promise<string[]> {
  const users = await query(prometheus, 'window:business_active_users:max', now);
  const mrr = await query(prometheus, 'currency:business_monthly_recurring_revenue:max', now);
  const ORDER = ['1d', '7d', '30d'];
  const names: Record<string, string> = {
    '1d': 'daily active users',
    '7d': 'weekly active users',
    '30d': 'monthly active users',
  };
  const rows = [
    ...users
      .sort((a, b) => ORDER.indexOf(a.metric.window ?? '') - ORDER.indexOf(b.metric.window ?? ''))
      .map(
        (s) =>
          `| ${names[s.metric.window ?? ''] ?? cell(s.metric.window ?? '?')} | ${Math.round(num(s))} |`,
      ),
    ...mrr.map(
      (s) =>
        `| monthly recurring revenue (${cell(s.metric.currency ?? '?')}) | ${num(s).toFixed(2)} |`,
    ),
  ];
  return rows.length ? rows : ['| no business KPIs reported | – |'];
}

/**
 * Builds the morning report from a live Prometheus (and Alertmanager).
 *
 * @example
 * const { markdown, ok } = await healthCheck({ prometheus: 'http://localhost:9090' });
 */
export async function healthCheck(options: HealthCheckOptions): Promise<HealthReport> {
  const prometheus = checkUrl('prometheus', options.prometheus);
  const alertmanager = options.alertmanager
    ? checkUrl('alertmanager', options.alertmanager)
    : undefined;
  const window = options.window ?? '12h';
  if (!DURATION.test(window)) {
    throw new TypeError(
      `health-check: window must be a Prometheus duration such as 12h, got ${JSON.stringify(window)}`,
    );
  }
  const now = options.now ?? new Date();

  const targets = await targetRows(prometheus, window, now);
  const alerts = await alertRows(prometheus, window, now);
  const health = await systemHealth({ prometheus, alertmanager }, now);
  const kpis = await kpiRows(prometheus, now);
  const ok = targets.ok;

  const markdown = [
    `# Daily health check, ${now.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Window: the last ${window}. Prometheus ${prometheus}${alertmanager ? `, Alertmanager ${alertmanager}` : ''}.`,
    `**Result: ${ok ? 'all targets met' : 'targets missed'}.**`,
    '',
    '## Targets',
    '',
    '| target | service | objective | value | result |',
    '|---|---|---|---|---|',
    ...targets.rows,
    '',
    `## Alerts of the last ${window}`,
    '',
    ...(alerts.length
      ? ['| alert | severity | priority | service | now |', '|---|---|---|---|---|', ...alerts]
      : ['No alert fired.']),
    '',
    '## System health',
    '',
    ...health.lines,
    '',
    '## Business KPIs',
    '',
    '| KPI | value |',
    '|---|---|',
    ...kpis,
    '',
  ].join('\n');
  return { markdown, ok };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      prometheus: {
        type: 'string',
        default: process.env.PROMETHEUS_URL ?? 'http://localhost:9090',
      },
      alertmanager: { type: 'string', default: process.env.ALERTMANAGER_URL },
      window: { type: 'string', default: '12h' },
      out: { type: 'string' },
    },
  });
  const report = await healthCheck({
    prometheus: values.prometheus as string,
    alertmanager: values.alertmanager,
    window: values.window as string,
  });
  if (values.out) writeFileSync(values.out, report.markdown);
  process.stdout.write(report.markdown);
  return report.ok ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(`health-check: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 2;
    },
  );
}
