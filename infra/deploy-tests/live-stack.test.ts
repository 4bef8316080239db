// validate-monitoring.sh and the 09:00 health check against a real Prometheus and Alertmanager,
// scraping exporters made with the real @ai-orchestrator/metrics package: they report what is
// true, and a target taken down or a missed objective shows as a failure.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  requireBinary,
  startAlertmanager,
  startPrometheus,
  type AlertmanagerServer,
  type PrometheusServer,
} from '@ai-orchestrator/testkit';
import { startFixtureExporter, type FixtureExporter } from './fixture-exporter.js';
import { SCRIPTS, TSX } from './paths.js';
import { fastRules, RULE_FILES } from './fast-rules.js';
import { run, until, type Run } from './run.js';

const prometheusBin = requireBinary('prometheus');
const alertmanagerBin = requireBinary('prometheus-alertmanager');

function prometheusConfig(alertmanager: string, exporters: FixtureExporter[]): string {
  return stringify({
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    rule_files: RULE_FILES,
    alerting: {
      alertmanagers: [{ static_configs: [{ targets: [alertmanager.replace('http://', '')] }] }],
    },
    // As shipped: no honor_labels, the target's `service` label wins over the library's own.
    scrape_configs: exporters.map((e) => ({
      job_name: e.service,
      static_configs: [{ targets: [e.target], labels: { service: e.service } }],
    })),
  });
}

describe.skipIf(!prometheusBin || !alertmanagerBin)('a live Prometheus and Alertmanager', () => {
  let prometheus: PrometheusServer;
  let alertmanager: AlertmanagerServer;
  let gateway: FixtureExporter;
  let engine: FixtureExporter | undefined;

  const validate = (): Promise<Run> =>
    run('bash', [
      join(SCRIPTS, 'validate-monitoring.sh'),
      '--prometheus',
      prometheus.url,
      '--alertmanager',
      alertmanager.url,
      '--grafana',
      'none',
      '--jaeger',
      'none',
      // One Alertmanager whose only receiver is `nobody`; delivery is proven in
      // validate-monitoring.test.ts, against a heartbeat receiver.
      '--heartbeat-receiver',
      'nobody',
      '--delivery-wait',
      '0',
    ]);
  const healthCheck = (): Promise<Run> =>
    run(TSX, [
      join(SCRIPTS, 'health-check.ts'),
      '--prometheus',
      prometheus.url,
      '--alertmanager',
      alertmanager.url,
      '--window',
      '10m',
    ]);
  const query = async (
    promql: string,
  ): Promise<{ metric: Record<string, string>; value: [number, string] }[]> =>
    (
      await prometheus.api<{
        result: { metric: Record<string, string>; value: [number, string] }[];
      }>('query', { query: promql })
    ).result;
  const targetHealth = async (): Promise<Record<string, string>> => {
    const data = await prometheus.api<{
      activeTargets: { labels: { job: string }; health: string }[];
    }>('targets');
    return Object.fromEntries(data.activeTargets.map((t) => [t.labels.job, t.health]));
  };

  beforeAll(async () => {
    alertmanager = await startAlertmanager(
      alertmanagerBin as string,
      'route:\n  receiver: nobody\nreceivers:\n  - name: nobody\n',
    );
    gateway = await startFixtureExporter({ service: 'demo-gateway' });
    prometheus = await startPrometheus(
      prometheusBin as string,
      prometheusConfig(alertmanager.url, [gateway]),
      fastRules(),
      // Firing alerts are re-sent every second, not every minute, so Watchdog reaches Alertmanager.
      ['--rules.alert.resend-delay=1s'],
    );
    await until(
      'the gateway target to be up',
      async () => (await targetHealth())['demo-gateway'] === 'up',
    );
    await until('Alertmanager to settle and hold the Watchdog', async () => {
      const watchdog = (await (
        await fetch(`${alertmanager.url}/api/v2/alerts?filter=alertname%3D%22Watchdog%22`)
      ).json()) as unknown[];
      const status = (await (await fetch(`${alertmanager.url}/api/v2/status`)).json()) as {
        cluster: { status: string };
      };
      return status.cluster.status === 'ready' && watchdog.length > 0;
    });
  });

  afterAll(async () => {
    await prometheus?.stop();
    await alertmanager?.stop();
    await gateway?.stop();
    await engine?.stop();
  });

  it('validate-monitoring.sh passes a healthy stack and skips what is not deployed', async () => {
    const result = await validate();
    expect(result.stdout).toContain(`✓ Prometheus ready at ${prometheus.url}`);
    const p = prometheus.url;
    const am = alertmanager.url;
    expect(result.stdout).toMatch(
      new RegExp(`^✓ ${p}: target demo-gateway 127\\.0\\.0\\.1:\\d+ up$`, 'm'),
    );
    expect(result.stdout).toMatch(
      new RegExp(`^✓ ${p}: rules loaded and healthy \\(\\d+ rules\\)$`, 'm'),
    );
    expect(result.stdout).toContain(`✓ ${p}: sends alerts to 1 Alertmanager(s)`);
    expect(result.stdout).toContain(`✓ ${p}: Watchdog firing`);
    expect(result.stdout).toContain(`✓ Alertmanager ready at ${am}`);
    expect(result.stdout).toContain(`✓ ${am}: cluster ready (1 peers, expected 1)`);
    expect(result.stdout).toContain(`✓ ${am}: configuration valid (last reload successful)`);
    expect(result.stdout).toContain(`✓ ${am}: Watchdog active, routed to nobody`);
    expect(result.stdout).toContain('- Grafana (skipped: not deployed)');
    expect(result.stdout).toContain('- Jaeger (skipped: not deployed)');
    expect(result.stdout).toContain('- Watchdog delivered end to end (skipped: --delivery-wait 0)');
    expect(result.stdout).toMatch(/^\d+ passed, 0 failed, 3 skipped$/m);
    expect(result.code, result.stdout).toBe(0);
  });

  it('the health check reports the targets met, the KPIs and system health as Markdown', async () => {
    await until('the recording rules of the three targets', async () => {
      const found = await Promise.all(
        [
          'service:http_server_request_duration_seconds:p95_5m',
          'service:http_server_errors:ratio_rate5m',
          'service:workflow_executions:success_ratio_rate5m',
          'window:business_active_users:max',
        ].map(async (rule) => (await query(rule)).length > 0),
      );
      return found.every(Boolean);
    });
    const result = await healthCheck();
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^# Daily health check, /m);
    expect(result.stdout).toContain('**Result: all targets met.**');
    expect(result.stdout).toMatch(
      /^\| p95 latency \| demo-gateway \| < 1 s \| [\d.]+ s \| ✅ pass \|$/m,
    );
    expect(result.stdout).toMatch(
      /^\| error rate \| demo-gateway \| < 1 % \| 0\.00 % \| ✅ pass \|$/m,
    );
    expect(result.stdout).toMatch(
      /^\| workflow success \| demo-gateway \| > 95 % \| 100\.00 % \| ✅ pass \|$/m,
    );
    expect(result.stdout).toContain('| monthly active users | 1234 |');
    expect(result.stdout).toContain('| monthly recurring revenue (USD) | 4200.00 |');
    expect(result.stdout).toContain('- Scrape targets up: 1 of 1');
    expect(result.stdout).toMatch(/- Alertmanager: cluster \w+/);
    expect(result.code).toBe(0);
  });

  it('the health check fails when a service misses the error-rate target', async () => {
    engine = await startFixtureExporter({ service: 'demo-engine', errorRatio: 0.2 });
    writeFileSync(
      join(prometheus.dir, 'prometheus.yml'),
      prometheusConfig(alertmanager.url, [gateway, engine]),
    );
    const reload = await fetch(`${prometheus.url}/-/reload`, { method: 'POST' });
    expect(reload.status).toBe(200);
    await until(
      'the engine error ratio',
      async () =>
        (await query('service:http_server_errors:ratio_rate5m{service="demo-engine"} > 0.01'))
          .length > 0,
    );
    const result = await healthCheck();
    expect(result.stdout).toContain('**Result: targets missed.**');
    expect(result.stdout).toMatch(
      /^\| error rate \| demo-engine \| < 1 % \| [\d.]+ % \| ❌ fail \|$/m,
    );
    expect(result.stdout).toMatch(
      /^\| error rate \| demo-gateway \| < 1 % \| 0\.00 % \| ✅ pass \|$/m,
    );
    expect(result.code).toBe(1);
  });

  it('validate-monitoring.sh shows ✗ for a target taken down, and exits 1', async () => {
    await until(
      'the engine target to be up',
      async () => (await targetHealth())['demo-engine'] === 'up',
    );
    await engine?.stop();
    engine = undefined;
    await until(
      'the engine target to be down',
      async () => (await targetHealth())['demo-engine'] === 'down',
    );
    const result = await validate();
    expect(result.stdout).toMatch(/^✗ \S+: target demo-engine 127\.0\.0\.1:\d+ down: .+$/m);
    expect(result.stdout).toMatch(/^✓ \S+: target demo-gateway 127\.0\.0\.1:\d+ up$/m);
    expect(result.stdout).toMatch(/^\d+ passed, 1 failed, 3 skipped$/m);
    expect(result.code).toBe(1);
  });

  it('validate-monitoring.sh reports a component that does not answer as failed, not skipped', async () => {
    const result = await run('bash', [
      join(SCRIPTS, 'validate-monitoring.sh'),
      '--prometheus',
      'http://127.0.0.1:9',
      '--alertmanager',
      'none',
      '--grafana',
      'none',
      '--jaeger',
      'none',
    ]);
    expect(result.stdout).toContain('✗ Prometheus ready at http://127.0.0.1:9');
    expect(result.stdout).toMatch(/^0 passed, 1 failed, 4 skipped$/m);
    expect(result.code).toBe(1);
  });

  it('the health check rejects a bad window with a TypeError naming it', async () => {
    const result = await run(TSX, [
      join(SCRIPTS, 'health-check.ts'),
      '--prometheus',
      prometheus.url,
      '--window',
      'last night',
    ]);
    expect(result.stderr).toContain(
      'window must be a Prometheus duration such as 12h, got "last night"',
    );
    expect(result.code).toBe(2);
  });
});
