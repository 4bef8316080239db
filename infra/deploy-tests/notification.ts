// The Grafana link of a notification, as Alertmanager's templates render it (through amtool), and
// what it must point at: the configured Grafana URL, a dashboard that exists, its variables.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@ai-orchestrator/testkit';
import { metricNamesIn } from '../lib/promql.js';
import type { Rule } from '../lib/rules.js';
import { REPO, dashboardFiles, read } from './paths.js';

export interface DashboardInfo {
  readonly uid: string;
  readonly variables: ReadonlySet<string>;
  /** Alerts whose runbook one of its panels links to (`Runbook: <alert>`). */
  readonly alerts: ReadonlySet<string>;
}

/** The committed dashboards by uid. */
export function dashboards(): Map<string, DashboardInfo> {
  const out = new Map<string, DashboardInfo>();
  for (const file of dashboardFiles()) {
    const d = JSON.parse(read(join(REPO, 'dashboards', file))) as {
      uid: string;
      templating: { list: { name: string }[] };
      panels: { links?: { title: string }[] }[];
    };
    const alerts = d.panels.flatMap((p) =>
      (p.links ?? []).map((l) => /^Runbook: (\w+)$/.exec(l.title)?.[1] ?? ''),
    );
    out.set(d.uid, {
      uid: d.uid,
      variables: new Set(d.templating.list.map((v) => v.name)),
      alerts: new Set(alerts.filter(Boolean)),
    });
  }
  return out;
}

/** The Grafana URL of a grafana-url.tmpl: the one line the deployments rewrite (line 2). */
export function grafanaUrlSetting(text: string): string {
  return text.split('\n')[1] ?? '';
}

/** Labels an alert of `rule` carries when it fires: its own plus those of the series it reads. */
export function firingLabels(rule: Rule): Record<string, string> {
  const labels: Record<string, string> = { alertname: rule.alert ?? '', ...rule.labels };
  const names = metricNamesIn(rule.expr);
  if (names.length === 0) return labels; // vector(1): the heartbeat has no target
  if (names.some((n) => /(^|:)node_/.test(n))) {
    return { ...labels, service: 'node-exporter', instance: '10.0.0.7:9100' };
  }
  labels.service = 'demo-engine';
  if (names.some((n) => n.startsWith('slo:'))) labels.slo = 'availability';
  return labels;
}

/** The notification data amtool renders: one firing alert, grouped alone. */
function notificationData(labels: Record<string, string>): string {
  const alert = {
    status: 'firing',
    labels,
    annotations: { summary: 's', description: 'd', runbook_url: 'https://example.com/r.md' },
    startsAt: '2024-01-07T02:30:00Z',
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus:9090/graph',
    fingerprint: 'abc',
  };
  return JSON.stringify({
    receiver: 'slack-alerts',
    status: 'firing',
    alerts: [alert],
    groupLabels: { alertname: labels.alertname },
    commonLabels: labels,
    commonAnnotations: alert.annotations,
    externalURL: 'http://alertmanager:9093',
  });
}

/**
 * Renders `{{ template "<name>" . }}` with amtool from the template files `templates` (file name
 * to text, as a deployment lays them out) for one alert with `labels`; throws on an amtool error.
 */
export function renderTemplate(
  amtool: string,
  templates: Readonly<Record<string, string>>,
  labels: Record<string, string>,
  name = 'aio.grafana.url',
): string {
  const dir = tempDir('amtool-render');
  try {
    for (const [file, text] of Object.entries(templates)) writeFileSync(join(dir.path, file), text);
    writeFileSync(join(dir.path, 'data.json'), notificationData(labels));
    const result = spawnSync(
      amtool,
      [
        'template',
        'render',
        `--template.glob=${join(dir.path, '*.tmpl')}`,
        `--template.text={{ template "${name}" . }}`,
        `--template.data=${join(dir.path, 'data.json')}`,
      ],
      { encoding: 'utf8' },
    );
    if (result.status !== 0) throw new Error(`amtool template render: ${result.stderr}`);
    return result.stdout.trim();
  } finally {
    dir.remove();
  }
}

/** What is wrong with a rendered Grafana link, given the Grafana URL it must start with. */
export function linkProblems(
  link: string,
  grafanaUrl: string,
  known: Map<string, DashboardInfo> = dashboards(),
): string[] {
  const prefix = `${grafanaUrl.replace(/\/$/, '')}/d/`;
  if (!link.startsWith(prefix)) return [`${link} does not start with ${prefix}`];
  const url = new URL(link);
  const uid = url.pathname.split('/')[2] ?? '';
  const dashboard = known.get(uid);
  if (!dashboard) return [`${link}: no dashboard with uid ${uid}`];
  return [...url.searchParams.keys()]
    .filter((k) => k.startsWith('var-') && !dashboard.variables.has(k.slice(4)))
    .map((k) => `${link}: dashboard ${uid} has no variable ${k.slice(4)}`);
}
