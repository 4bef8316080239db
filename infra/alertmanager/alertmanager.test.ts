// alertmanager.yml checked by amtool (syntax, routing table, templates) and by a live
// Alertmanager on loopback whose receivers all point at a local webhook.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  requireBinary,
  startAlertmanager,
  tempDir,
  type AlertmanagerServer,
} from '@ai-orchestrator/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { alertmanagerTestCopy } from '../lib/alertmanager-test-config.js';
import { inlineCredentials } from '../lib/credentials.js';
import { receiversByPriority } from '../lib/routing.js';
import { alertRules, loadRuleGroups } from '../lib/rules.js';
import { Webhook } from '../lib/webhook.js';

const DIR = fileURLToPath(new URL('.', import.meta.url));
const CONFIG = readFileSync(join(DIR, 'alertmanager.yml'), 'utf8');
const amtool = requireBinary('amtool');
const alertmanager = requireBinary('prometheus-alertmanager');

interface Route {
  receiver?: string;
  matchers?: string[];
  mute_time_intervals?: string[];
  group_wait?: string;
  repeat_interval?: string;
  routes?: Route[];
}
const config = parse(CONFIG) as {
  route: Route;
  receivers: { name: string }[];
  inhibit_rules: unknown[];
  time_intervals: { name: string; time_intervals: unknown[] }[];
};
const table = parse(readFileSync(join(DIR, 'routing-table.yaml'), 'utf8')) as {
  labels: Record<string, string>;
  receivers: string[];
}[];

function amtoolRun(args: string[]): { code: number; output: string } {
  const result = spawnSync(amtool as string, args, { cwd: DIR, encoding: 'utf8' });
  return { code: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}

describe.skipIf(!amtool)('amtool', () => {
  it('check-config accepts alertmanager.yml and its templates', () => {
    const { code, output } = amtoolRun(['check-config', 'alertmanager.yml']);
    expect(output).toContain('1 templates');
    expect(code, output).toBe(0);
  });

  it.each(table.map((row) => [JSON.stringify(row.labels), row] as const))(
    'routes %s to the expected receivers',
    (_, row) => {
      const labels = Object.entries(row.labels).map(([k, v]) => `${k}=${v}`);
      const { code, output } = amtoolRun([
        'config',
        'routes',
        'test',
        '--config.file=alertmanager.yml',
        `--verify.receivers=${row.receivers.join(',')}`,
        ...labels,
      ]);
      expect(code, output).toBe(0);
    },
  );

  it('routes every alert of the rule files to the receivers of its priority', () => {
    const failures: string[] = [];
    for (const rule of alertRules(loadRuleGroups())) {
      const labels = { alertname: rule.alert as string, ...rule.labels };
      const expected = receiversByPriority(labels);
      const { code, output } = amtoolRun([
        'config',
        'routes',
        'test',
        '--config.file=alertmanager.yml',
        `--verify.receivers=${expected.join(',')}`,
        ...Object.entries(labels).map(([k, v]) => `${k}=${v}`),
      ]);
      if (code !== 0) failures.push(`${JSON.stringify(labels)}: ${output.trim()}`);
    }
    expect(failures).toEqual([]);
  });

  it('reports a wrong expectation (the check can fail)', () => {
    const { code } = amtoolRun([
      'config',
      'routes',
      'test',
      '--config.file=alertmanager.yml',
      '--verify.receivers=slack-alerts',
      'priority=P0',
    ]);
    expect(code).not.toBe(0);
  });

  it('renders Slack and e-mail messages with summary, description, runbook and Grafana link', () => {
    const tmp = tempDir('amtool-template');
    try {
      const alert = {
        status: 'firing',
        labels: {
          alertname: 'HighErrorRate',
          service: 'demo-engine',
          severity: 'warning',
          priority: 'P1',
        },
        annotations: {
          summary: 'High 5xx error rate on demo-engine',
          description: '6% of the requests to demo-engine answered 5xx',
          runbook_url:
            'https://github.com/ai-orchestrator/monitoring/blob/main/infra/runbooks/high-error-rate.md',
        },
        startsAt: '2024-01-07T02:30:00Z',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus:9090/graph',
        fingerprint: 'abc',
      };
      const data = {
        receiver: 'slack-alerts',
        status: 'firing',
        alerts: [alert],
        groupLabels: { alertname: 'HighErrorRate', service: 'demo-engine' },
        commonLabels: alert.labels,
        commonAnnotations: alert.annotations,
        externalURL: 'http://alertmanager:9093',
      };
      const file = join(tmp.path, 'data.json');
      writeFileSync(file, JSON.stringify(data));
      for (const name of ['aio.slack.text', 'aio.email.html']) {
        const { code, output } = amtoolRun([
          'template',
          'render',
          '--template.glob=templates/*.tmpl',
          `--template.text={{ template "${name}" . }}`,
          `--template.data=${file}`,
        ]);
        expect(code, output).toBe(0);
        expect(output, name).toContain('High 5xx error rate on demo-engine');
        expect(output, name).toContain('6% of the requests to demo-engine answered 5xx');
        expect(output, name).toContain(alert.annotations.runbook_url);
        expect(output, name).toContain(
          'http://localhost:3000/d/aio-system-overview?orgId=1&var-service=demo-engine',
        );
      }
      const title = amtoolRun([
        'template',
        'render',
        '--template.glob=templates/*.tmpl',
        '--template.text={{ template "aio.title" . }}',
        `--template.data=${file}`,
      ]);
      expect(title.output.trim()).toBe('[FIRING:1] P1 HighErrorRate on demo-engine');
    } finally {
      tmp.remove();
    }
  });
});

describe('alertmanager.yml', () => {
  const routes = config.route.routes ?? [];
  const routesTo = (receiver: string) => routes.filter((r) => r.receiver === receiver);

  it('has a routing-table row for every priority and every receiver', () => {
    const priorities = new Set(table.map((r) => r.labels.priority));
    for (const p of ['P0', 'P1', 'P2']) expect(priorities, p).toContain(p);
    const covered = new Set(table.flatMap((r) => r.receivers));
    for (const r of config.receivers) expect(covered, r.name).toContain(r.name);
  });

  it('pages P0 fast: short group wait and repeat', () => {
    for (const r of [...routesTo('pagerduty-critical'), ...routesTo('slack-incidents')]) {
      expect(r).toMatchObject({ group_wait: '10s', repeat_interval: '30m' });
    }
  });

  it('mutes P1 and P2 (never P0, the heartbeat or automation) on Sunday 02:00-04:00 UTC', () => {
    for (const r of routes) {
      const muted = r.matchers?.some((m) => /priority="P[12]"/.test(m)) ?? false;
      expect(r.mute_time_intervals ?? [], r.receiver).toEqual(muted ? ['weekly-maintenance'] : []);
    }
    expect(config.time_intervals).toEqual([
      {
        name: 'weekly-maintenance',
        time_intervals: [
          {
            weekdays: ['sunday'],
            times: [{ start_time: '02:00', end_time: '04:00' }],
            location: 'UTC',
          },
        ],
      },
    ]);
  });

  it('keeps secrets out of git: credentials, webhook URLs included, only through *_file fields', () => {
    expect(inlineCredentials(parse(CONFIG))).toEqual([]);
    expect(CONFIG).not.toMatch(/hooks\.slack\.com/);
    const heartbeat = '      - url_file: /etc/alertmanager/secrets/heartbeat-url';
    expect(CONFIG).toContain(heartbeat);
    const leaked = (from: string, to: string) => inlineCredentials(parse(CONFIG.replace(from, to)));
    expect(leaked(heartbeat, '      - url: https://hb.example.com/ping/t0ken')).toEqual([
      'receivers[0].webhook_configs[0].url is inline; use url_file',
    ]);
    expect(leaked(heartbeat, '      - url_file: /tmp/heartbeat-url')).toEqual([
      'receivers[0].webhook_configs[0].url_file is "/tmp/heartbeat-url"; expected a file under /etc/alertmanager/secrets/',
    ]);
    expect(
      leaked(
        'smtp_auth_password_file: /etc/alertmanager/secrets/smtp-password',
        'smtp_auth_password: x',
      ),
    ).toEqual(['global.smtp_auth_password is inline; use smtp_auth_password_file']);
  });
});

// ---------------------------------------------------------------- live Alertmanager

// The real window is Sunday 02:00-04:00 UTC; a run inside it moves it to Wednesday so P1/P2
// deliveries stay deterministic. Routes and inhibitions stay identical.
function liveTimeIntervals(now = new Date()): unknown[] | undefined {
  const inWindow = now.getUTCDay() === 0 && now.getUTCHours() >= 2 && now.getUTCHours() < 4;
  if (!inWindow) return undefined;
  return [
    {
      name: 'weekly-maintenance',
      time_intervals: [
        {
          weekdays: ['wednesday'],
          times: [{ start_time: '02:00', end_time: '04:00' }],
          location: 'UTC',
        },
      ],
    },
  ];
}

const P0 = ['automation-webhook', 'pagerduty-critical', 'slack-incidents'];
const P1 = ['automation-webhook', 'email-oncall', 'slack-alerts'];
const P2 = ['automation-webhook', 'email-digest', 'slack-business'];
const LEVEL: Record<string, [string, string]> = {
  P0: ['critical', 'P0'],
  P1: ['warning', 'P1'],
  P2: ['info', 'P2'],
};

/** An alert as Prometheus posts it, at priority P0, P1 or P2. */
function alert(name: string, priority: string, labels: Record<string, string> = {}) {
  const [severity, p] = LEVEL[priority] as [string, string];
  return {
    labels: { alertname: name, severity, priority: p, ...labels },
    annotations: { summary: `${name} test`, description: 'posted by the test', runbook_url: 'x' },
    startsAt: new Date().toISOString(),
  };
}

interface AlertState {
  labels: Record<string, string>;
  status: { state: string; inhibitedBy: string[] };
}

describe.skipIf(!alertmanager)('live Alertmanager with the test copy of alertmanager.yml', () => {
  const webhook = new Webhook();
  let am: AlertmanagerServer;

  beforeAll(async () => {
    await webhook.start();
    am = await startAlertmanager(
      alertmanager as string,
      alertmanagerTestCopy(CONFIG, webhook.url, liveTimeIntervals()),
    );
  });

  afterAll(async () => {
    await am?.stop();
    await webhook.stop();
  });

  async function post(alerts: ReturnType<typeof alert>[]): Promise<void> {
    const res = await fetch(`${am.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts),
    });
    expect(res.status).toBe(200);
  }

  /** Alertmanager's view of the alert with exactly these labels among its own. */
  async function stateOf(name: string, labels: Record<string, string>): Promise<AlertState> {
    const all = (await (await fetch(`${am.url}/api/v2/alerts`)).json()) as AlertState[];
    const found = all.find(
      (a) =>
        a.labels.alertname === name && Object.entries(labels).every(([k, v]) => a.labels[k] === v),
    );
    if (!found) throw new Error(`Alertmanager has no ${name} ${JSON.stringify(labels)}`);
    return found;
  }

  /** Waits until each expected alert reached its receivers, then checks nothing else did. */
  async function expectDeliveries(
    expected: [string, Record<string, string>, string[]][],
  ): Promise<void> {
    await webhook.until(() =>
      expected.every(
        ([name, labels, receivers]) => webhook.receiversOf(name, labels).length >= receivers.length,
      ),
    );
    for (const [name, labels, receivers] of expected) {
      expect(webhook.receiversOf(name, labels), `${name} ${JSON.stringify(labels)}`).toEqual(
        receivers,
      );
    }
  }

  async function expectSuppressed(name: string, labels: Record<string, string>): Promise<void> {
    const a = await stateOf(name, labels);
    expect(a.status.state, `${name} ${JSON.stringify(labels)}`).toBe('suppressed');
    expect(a.status.inhibitedBy.length).toBe(1);
    expect(webhook.receiversOf(name, labels)).toEqual([]);
  }

  it('delivers by priority; a page mutes the ticket of the same SLO and service', async () => {
    const orchestrator = { service: 'demo-orchestrator', slo: 'availability' };
    await post([
      alert('Watchdog', 'P2'),
      alert('ServiceDown', 'P0', { service: 'demo-gateway', job: 'demo', instance: 'gw-0:9464' }),
      alert('HighErrorRate', 'P1', { service: 'demo-engine' }),
      alert('SLOAvailabilityBudgetBurn', 'P0', orchestrator),
      alert('SLOAvailabilityBudgetBurn', 'P1', orchestrator),
      alert('LowUserActivity', 'P2', { service: 'demo-engine' }),
    ]);
    await expectDeliveries([
      ['Watchdog', {}, ['heartbeat']],
      ['ServiceDown', { service: 'demo-gateway' }, P0],
      ['HighErrorRate', { service: 'demo-engine' }, P1],
      ['SLOAvailabilityBudgetBurn', orchestrator, P0],
      ['LowUserActivity', { service: 'demo-engine' }, P2],
    ]);
    await expectSuppressed('SLOAvailabilityBudgetBurn', { ...orchestrator, severity: 'warning' });
  });

  it('a down target mutes only its own alerts: another node and the service-wide pages still go out', async () => {
    const nodeA = { job: 'node-exporter', instance: 'node-a:9100', service: 'node-exporter' };
    const nodeB = { ...nodeA, instance: 'node-b:9100' };
    const gateway = { service: 'demo-gateway', namespace: 'apps' };
    await post([
      alert('ServiceDown', 'P0', nodeA),
      alert('DiskSpaceLow', 'P0', { ...nodeA, mountpoint: '/' }),
      alert('DiskSpaceLow', 'P0', { ...nodeB, mountpoint: '/' }),
      // One of the gateway's pods is unreachable; the gateway as a whole still burns its budget.
      alert('ServiceDown', 'P0', { ...gateway, job: 'demo-gateway', instance: '10.0.0.7:9464' }),
      alert('SLOLatencyBudgetBurn', 'P0', { ...gateway, slo: 'latency' }),
      alert('HighErrorRate', 'P1', gateway),
    ]);
    await expectDeliveries([
      ['DiskSpaceLow', { instance: 'node-b:9100' }, P0],
      ['SLOLatencyBudgetBurn', gateway, P0],
      ['HighErrorRate', gateway, P1],
    ]);
    await expectSuppressed('DiskSpaceLow', { instance: 'node-a:9100' });
    expect((await stateOf('DiskSpaceLow', { instance: 'node-b:9100' })).status.state).toBe(
      'active',
    );
  });

  it('a service scaled to zero pages once as ServiceAbsent; with targets down, once as ServiceDown', async () => {
    const engineDown = { service: 'demo-engine', job: 'demo-engine', instance: '10.0.0.9:9464' };
    await post([
      alert('ServiceAbsent', 'P0', { service: 'demo-orchestrator' }),
      alert('ServiceDown', 'P0', engineDown),
      alert('ServiceAbsent', 'P0', { service: 'demo-engine' }),
    ]);
    await expectDeliveries([
      ['ServiceAbsent', { service: 'demo-orchestrator' }, P0],
      ['ServiceDown', { service: 'demo-engine' }, P0],
    ]);
    await expectSuppressed('ServiceAbsent', { service: 'demo-engine' });
  });

  it('Prometheus reaching no Alertmanager pages once, not also for each partial symptom', async () => {
    const prom = { job: 'prometheus', instance: 'prometheus-0:9090', service: 'prometheus' };
    await post([
      alert('PrometheusErrorSendingAlertsToAnyAlertmanager', 'P0', prom),
      alert('PrometheusErrorSendingAlertsToSomeAlertmanagers', 'P1', {
        ...prom,
        alertmanager: 'http://am-1:9093/api/v2/alerts',
      }),
      alert('PrometheusNotificationsDropped', 'P1', prom),
    ]);
    await expectDeliveries([['PrometheusErrorSendingAlertsToAnyAlertmanager', prom, P0]]);
    await expectSuppressed('PrometheusErrorSendingAlertsToSomeAlertmanagers', prom);
    await expectSuppressed('PrometheusNotificationsDropped', prom);
  });
});
