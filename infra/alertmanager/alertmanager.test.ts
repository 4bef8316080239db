// alertmanager.yml checked by amtool (syntax, routing table, templates) and by a live
// Alertmanager on loopback whose receivers all point at a local webhook.
import { spawnSync } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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

  it('keeps secrets out of git: credentials only through *_file fields', () => {
    expect(CONFIG).not.toMatch(
      /^\s*(api_url|routing_key|service_key|auth_password|smtp_auth_password|credentials|slack_api_url|bearer_token):/m,
    );
    expect(CONFIG).not.toMatch(/hooks\.slack\.com/);
    for (const m of CONFIG.matchAll(/^\s*[a-z_]+_file: (.+)$/gm)) {
      expect(m[1]).toMatch(/^\/etc\/alertmanager\/secrets\//);
    }
  });
});

// ---------------------------------------------------------------- live Alertmanager

interface Delivery {
  receiver: string;
  alerts: { labels: Record<string, string> }[];
}

class Webhook extends EventEmitter {
  readonly deliveries: Delivery[] = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const payload = JSON.parse(body) as Delivery;
        this.deliveries.push({ ...payload, receiver: (req.url ?? '').slice(1) });
        res.end('ok');
        this.emit('delivery');
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  receiversOf(alertname: string, service?: string): string[] {
    return this.deliveries
      .filter((d) =>
        d.alerts.some(
          (a) => a.labels.alertname === alertname && (!service || a.labels.service === service),
        ),
      )
      .map((d) => d.receiver)
      .sort();
  }

  /** Resolves when `done()` holds after a delivery; rejects after `ms`. */
  async until(done: () => boolean, ms = 30_000): Promise<void> {
    if (done()) return;
    const timeout = AbortSignal.timeout(ms);
    while (!done()) {
      await once(this, 'delivery', { signal: timeout }).catch(() => {
        throw new Error(`webhook: condition not met; got ${JSON.stringify(this.deliveries)}`);
      });
    }
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }
}

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

  const alert = (labels: Record<string, string>) => ({
    labels,
    annotations: {
      summary: `${labels.alertname} test`,
      description: 'posted by the test',
      runbook_url: 'x',
    },
    startsAt: new Date().toISOString(),
  });

  it('delivers by priority and reports inhibited alerts as suppressed', async () => {
    const alerts = [
      alert({ alertname: 'Watchdog', severity: 'info', priority: 'P2' }),
      alert({
        alertname: 'ServiceDown',
        severity: 'critical',
        priority: 'P0',
        service: 'demo-gateway',
      }),
      alert({
        alertname: 'HighErrorRate',
        severity: 'warning',
        priority: 'P1',
        service: 'demo-gateway',
      }),
      alert({
        alertname: 'HighErrorRate',
        severity: 'warning',
        priority: 'P1',
        service: 'demo-engine',
      }),
      alert({
        alertname: 'SLOAvailabilityBudgetBurn',
        severity: 'critical',
        priority: 'P0',
        service: 'demo-orchestrator',
        slo: 'availability',
      }),
      alert({
        alertname: 'SLOAvailabilityBudgetBurn',
        severity: 'warning',
        priority: 'P1',
        service: 'demo-orchestrator',
        slo: 'availability',
      }),
      alert({
        alertname: 'LowUserActivity',
        severity: 'info',
        priority: 'P2',
        service: 'demo-engine',
      }),
    ];
    const res = await fetch(`${am.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts),
    });
    expect(res.status).toBe(200);

    const expected: [string, string | undefined, string[]][] = [
      ['Watchdog', undefined, ['heartbeat']],
      [
        'ServiceDown',
        'demo-gateway',
        ['automation-webhook', 'pagerduty-critical', 'slack-incidents'],
      ],
      ['HighErrorRate', 'demo-engine', ['automation-webhook', 'email-oncall', 'slack-alerts']],
      [
        'SLOAvailabilityBudgetBurn',
        'demo-orchestrator',
        ['automation-webhook', 'pagerduty-critical', 'slack-incidents'],
      ],
      ['LowUserActivity', 'demo-engine', ['automation-webhook', 'email-digest', 'slack-business']],
    ];
    await webhook.until(() =>
      expected.every(
        ([name, service, receivers]) =>
          webhook.receiversOf(name, service).length >= receivers.length,
      ),
    );
    for (const [name, service, receivers] of expected) {
      expect(webhook.receiversOf(name, service), `${name} ${service}`).toEqual(receivers);
    }

    // Inhibited: ServiceDown mutes its service; critical mutes warning of the same alert and service.
    const state = (await (await fetch(`${am.url}/api/v2/alerts`)).json()) as {
      labels: Record<string, string>;
      status: { state: string; inhibitedBy: string[] };
    }[];
    const find = (name: string, service: string, severity: string) =>
      state.find(
        (a) =>
          a.labels.alertname === name &&
          a.labels.service === service &&
          a.labels.severity === severity,
      );
    for (const [name, service, severity] of [
      ['HighErrorRate', 'demo-gateway', 'warning'],
      ['SLOAvailabilityBudgetBurn', 'demo-orchestrator', 'warning'],
    ] as const) {
      const a = find(name, service, severity);
      expect(a?.status.state, `${name} ${service}`).toBe('suppressed');
      expect(a?.status.inhibitedBy.length, `${name} ${service}`).toBe(1);
    }
    expect(find('HighErrorRate', 'demo-engine', 'warning')?.status.state).toBe('active');
    expect(webhook.receiversOf('HighErrorRate', 'demo-gateway')).toEqual([]);
    const fastify = webhook.deliveries.flatMap((d) =>
      d.alerts
        .filter((a) => a.labels.service === 'demo-orchestrator')
        .map((a) => a.labels.severity),
    );
    expect(new Set(fastify)).toEqual(new Set(['critical']));
  });
});
