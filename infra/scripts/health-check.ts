// The 09:00 routine as a command: what fired overnight, system health, the business KPIs and the
// seed's daily targets (p95 < 1 s, errors < 1 %, workflow success > 95 %) over the window, as
// Markdown; exit 1 when a target is missed, a scrape target is down or a rule fails, 2 on error.
//   tsx infra/scripts/health-check.ts --prometheus URL [--alertmanager URL] [--window 12h]
// Behind the Ingress: MONITORING_BASIC_AUTH=user:password (or MONITORING_BEARER_TOKEN).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { apiClient, type ApiClient, type Auth, type Sample } from './health-check/api.js';
import { OBJECTIVES } from './health-check/objectives.js';

export { OBJECTIVES, type Objective } from './health-check/objectives.js';
export type { Auth } from './health-check/api.js';

export interface HealthCheckOptions {
  readonly prometheus: string;
  readonly alertmanager?: string | undefined;
  /** A Prometheus duration: the night the routine looks back on (default 12h). */
  readonly window?: string;
  readonly now?: Date;
  /** Credentials for Prometheus and Alertmanager behind an authenticating proxy. */
  readonly auth?: Auth;
}

export interface HealthReport {
  readonly markdown: string;
  /** False when a target was missed or had no data, a scrape target is down or a rule fails. */
  readonly ok: boolean;
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

const cell = (text: string): string => text.replace(/\|/g, '\\|');
const num = (s: Sample): number => Number(s.value[1]);

async function targetRows(
  prometheus: ApiClient,
  window: string,
  now: Date,
): Promise<{ rows: string[]; ok: boolean }> {
  const rows: string[] = [];
  let ok = true;
  for (const target of OBJECTIVES) {
    const samples = await prometheus.query(target.query(window), now);
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

async function alertRows(prometheus: ApiClient, window: string, now: Date): Promise<string[]> {
  const fired = await prometheus.query(
    `max_over_time(ALERTS{alertstate="firing"}[${window}])`,
    now,
  );
  // max_over_time drops __name__; drop it from the instant result too so the label sets compare.
  const key = ({ __name__: _name, ...labels }: Record<string, string>): string =>
    JSON.stringify(labels);
  const active = new Set(
    (await prometheus.query('ALERTS{alertstate="firing"}', now)).map((s) => key(s.metric)),
  );
  return fired
    .map((s) => {
      const m = s.metric;
      const still = active.has(key(m));
      return `| ${cell(m.alertname ?? '?')} | ${cell(m.severity ?? '')} | ${cell(m.priority ?? '')} | ${cell(m.service ?? '')} | ${still ? 'still firing' : 'resolved'} |`;
    })
    .sort();
}

interface Health {
  readonly lines: string[];
  readonly down: number;
  readonly failing: number;
}

async function systemHealth(
  prometheus: ApiClient,
  alertmanager: ApiClient | undefined,
  now: Date,
): Promise<Health> {
  const lines: string[] = [];
  const up = await prometheus.query('up', now);
  const down = up.filter((s) => num(s) !== 1);
  lines.push(`- Scrape targets up: ${up.length - down.length} of ${up.length}`);
  for (const s of down)
    lines.push(`  - ❌ down: ${cell(s.metric.job ?? '?')} ${cell(s.metric.instance ?? '')}`);
  const rules = await prometheus.getJson<{
    data: {
      groups: { name: string; rules: { health: string; name: string; lastError?: string }[] }[];
    };
  }>('/api/v1/rules');
  const all = rules.data.groups.flatMap((g) => g.rules.map((r) => ({ ...r, group: g.name })));
  const broken = all.filter((r) => r.health === 'err');
  lines.push(`- Rules loaded: ${all.length}, failing: ${broken.length}`);
  for (const r of broken)
    lines.push(`  - ❌ failing: ${cell(r.group)}/${cell(r.name)}: ${cell(r.lastError ?? '')}`);
  if (alertmanager) {
    const status = await alertmanager.getJson<{ cluster: { status: string; peers?: unknown[] } }>(
      '/api/v2/status',
    );
    const alerts = await alertmanager.getJson<{ status: { state: string } }[]>('/api/v2/alerts');
    const silenced = alerts.filter((a) => a.status.state === 'suppressed').length;
    lines.push(
      `- Alertmanager: cluster ${status.cluster.status} (${status.cluster.peers?.length ?? 0} peers), ` +
        `${alerts.length} alerts active now, ${silenced} of them silenced or inhibited`,
    );
  } else {
    lines.push('- Alertmanager: not checked (no --alertmanager)');
  }
  return { lines, down: down.length, failing: broken.length };
}

async function kpiRows(prometheus: ApiClient, now: Date): Promise<string[]> {
  const users = await prometheus.query('window:business_active_users:max', now);
  const mrr = await prometheus.query('currency:business_monthly_recurring_revenue:max', now);
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
  const prometheusUrl = checkUrl('prometheus', options.prometheus);
  const alertmanagerUrl = options.alertmanager
    ? checkUrl('alertmanager', options.alertmanager)
    : undefined;
  const window = options.window ?? '12h';
  if (!DURATION.test(window)) {
    throw new TypeError(
      `health-check: window must be a Prometheus duration such as 12h, got ${JSON.stringify(window)}`,
    );
  }
  const now = options.now ?? new Date();
  const prometheus = apiClient(prometheusUrl, options.auth);
  const alertmanager = alertmanagerUrl ? apiClient(alertmanagerUrl, options.auth) : undefined;

  const targets = await targetRows(prometheus, window, now);
  const alerts = await alertRows(prometheus, window, now);
  const health = await systemHealth(prometheus, alertmanager, now);
  const kpis = await kpiRows(prometheus, now);
  const healthy = health.down === 0 && health.failing === 0;
  const ok = targets.ok && healthy;
  const result = [
    targets.ok ? 'all targets met' : 'targets missed',
    ...(healthy
      ? []
      : [`stack unhealthy (${health.down} targets down, ${health.failing} rules failing)`]),
  ].join('; ');

  const markdown = [
    `# Daily health check, ${now.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Window: the last ${window}. Prometheus ${prometheusUrl}${alertmanagerUrl ? `, Alertmanager ${alertmanagerUrl}` : ''}.`,
    `**Result: ${result}.**`,
    '',
    '## Targets',
    '',
    `Computed over the whole window from the raw counters and histograms.`,
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
    // From the environment, never the command line (which other users of the host can read).
    auth: {
      basic: process.env.MONITORING_BASIC_AUTH || undefined,
      bearerToken: process.env.MONITORING_BEARER_TOKEN || undefined,
    },
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
