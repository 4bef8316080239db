// The operator path delivers alerts: the AlertmanagerConfig generated from alertmanager.yml is
// merged into kube-prometheus-stack's default configuration (everything to `null`) by the
// Prometheus Operator's own code (operator-config/, built by `pnpm servers`), and every alert of
// the rule files then reaches the receivers of its priority, checked with amtool, from any
// namespace; a real Alertmanager running the merged configuration delivers to the webhook URLs
// of the Secret.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { requireBinary, startAlertmanager, tempDir } from '@ai-orchestrator/testkit';
import { alertmanagerConfig } from '../lib/alertmanager-config.js';
import { receiversByPriority } from '../lib/routing.js';
import { alertRules, loadRuleGroups } from '../lib/rules.js';
import { Webhook } from '../lib/webhook.js';
import { helmValues, operatorObjects } from '../scripts/operator-objects.js';
import { requireGoTool } from './go-tool.js';
import { validateObject, type KubeObject } from './kube.js';
import { INFRA, listDir, read } from './paths.js';

const operatorConfig = requireGoTool('operator-config');
const amtool = requireBinary('amtool');
const alertmanager = requireBinary('alertmanager');
const CHART_CONFIG = join(INFRA, 'deploy-tests/fixtures/kube-prometheus-stack-alertmanager.yaml');
const AM_CONFIG = read(join(INFRA, 'alertmanager/alertmanager.yml'));
const objects = operatorObjects([], { release: 'kps', namespace: 'monitoring' });
const amConfig = objects.find((o) => o.kind === 'AlertmanagerConfig') as KubeObject;

/** The Secret the AlertmanagerConfig reads, one made-up value per referenced key unless given. */
function secretFor(
  config: KubeObject,
  given: Record<string, string> = {},
): Record<string, unknown> {
  const keys = new Set<string>();
  JSON.stringify(config, (_, v: unknown) => {
    const ref = v as { name?: string; key?: string } | null;
    if (ref && ref.name === 'alertmanager-secrets' && typeof ref.key === 'string')
      keys.add(ref.key);
    return v;
  });
  const value = (k: string) =>
    k.endsWith('-url') ? `https://hooks.example.invalid/${k}` : `test-${k}`;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'alertmanager-secrets', namespace: 'monitoring' },
    stringData: Object.fromEntries([...keys].map((k) => [k, given[k] ?? value(k)])),
  };
}

interface OperatorRoute {
  groupWait?: string;
  groupInterval?: string;
  routes?: OperatorRoute[];
  [key: string]: unknown;
}

/** The AlertmanagerConfig's route with every group wait and interval cut to a second. */
function shortened(spec: unknown): OperatorRoute {
  const cut = (r: OperatorRoute): OperatorRoute => ({
    ...r,
    ...(r.groupWait !== undefined && { groupWait: r.groupWait === '0s' ? '0s' : '1s' }),
    ...(r.groupInterval !== undefined && { groupInterval: '1s' }),
    ...(r.routes && { routes: r.routes.map(cut) }),
  });
  return cut((spec as { route: OperatorRoute }).route);
}

describe('AlertmanagerConfig generated from alertmanager.yml', () => {
  it('is valid against the operator schema and keeps every receiver, route and inhibition', async () => {
    await validateObject(amConfig);
    const spec = amConfig.spec as {
      receivers: { name: string }[];
      route: { routes: unknown[] };
      inhibitRules: unknown[];
      muteTimeIntervals: { name: string }[];
    };
    expect(spec.receivers.map((r) => r.name)).toEqual([
      'heartbeat',
      'automation-webhook',
      'pagerduty-critical',
      'slack-incidents',
      'slack-alerts',
      'email-oncall',
      'slack-business',
      'email-digest',
    ]);
    const source = parse(AM_CONFIG) as { route: { routes: unknown[] }; inhibit_rules: unknown[] };
    expect(spec.route.routes).toHaveLength(source.route.routes.length);
    expect(spec.inhibitRules).toHaveLength(source.inhibit_rules.length);
    expect(spec.muteTimeIntervals.map((m) => m.name)).toEqual(['weekly-maintenance']);
    // Credentials are references to the Secret the kustomize path mounts, never values.
    expect(JSON.stringify(amConfig)).not.toMatch(/_file|\/etc\/alertmanager/);
    const webhooks = (amConfig.spec as { receivers: { webhookConfigs?: unknown[] }[] }).receivers
      .flatMap((r) => r.webhookConfigs ?? [])
      .map((w) => (w as { urlSecret?: unknown; url?: unknown }).urlSecret ?? w);
    expect(webhooks).toEqual([
      { name: 'alertmanager-secrets', key: 'heartbeat-url' },
      { name: 'alertmanager-secrets', key: 'automation-webhook-url' },
    ]);
  });

  it('refuses what the Operator cannot carry, naming the field and the value', () => {
    expect(() =>
      alertmanagerConfig(AM_CONFIG.replace('location: UTC', 'location: Europe/Berlin')),
    ).toThrow(
      new TypeError(
        'alertmanager.yml: time_intervals[0].time_intervals[0].location is "Europe/Berlin"; expected "UTC"',
      ),
    );
    expect(() =>
      alertmanagerConfig(
        AM_CONFIG.replace('/etc/alertmanager/secrets/heartbeat-token', '/tmp/token'),
      ),
    ).toThrow(/receivers\[0\]\.webhook_configs\[0\]\.http_config\.authorization is "\/tmp\/token"/);
    expect(() =>
      alertmanagerConfig(
        AM_CONFIG.replace(
          "    channel: '#incidents'",
          "    channel: '#incidents'\n        icon_emoji: ':fire:'",
        ),
      ),
    ).toThrow(/receivers\[3\]\.slack_configs\[0\]\.icon_emoji is ":fire:"; expected one of/);
    expect(() =>
      alertmanagerConfig(
        AM_CONFIG.replace('/etc/alertmanager/secrets/heartbeat-url', '/run/heartbeat-url'),
      ),
    ).toThrow(
      new TypeError(
        'alertmanager.yml: receivers[0].webhook_configs[0].url_file is "/run/heartbeat-url"; expected a file under /etc/alertmanager/secrets/',
      ),
    );
    expect(() =>
      alertmanagerConfig(
        AM_CONFIG.replace(
          '      - url_file: /etc/alertmanager/secrets/heartbeat-url',
          '      - url: https://hb.example.com/x\n        url_file: /etc/alertmanager/secrets/heartbeat-url',
        ),
      ),
    ).toThrow(/receivers\[0\]\.webhook_configs\[0\]\.url is "https:\/\/hb\.example\.com\/x"/);
  });

  it('tells kube-prometheus-stack the matcher strategy, the templates and the retention', () => {
    const values = helmValues() as {
      alertmanager: { alertmanagerSpec: unknown; templateFiles: Record<string, string> };
      prometheus: { prometheusSpec: { retention: string } };
    };
    expect(values.alertmanager.alertmanagerSpec).toEqual({
      alertmanagerConfigMatcherStrategy: { type: 'OnNamespaceExceptForAlertmanagerNamespace' },
    });
    const templates = join(INFRA, 'alertmanager/templates');
    expect(Object.keys(values.alertmanager.templateFiles)).toEqual(listDir(templates));
    for (const [file, text] of Object.entries(values.alertmanager.templateFiles)) {
      expect(text, file).toBe(read(join(templates, file)));
    }
    expect(values.prometheus.prometheusSpec.retention).toBe('30d');
  });
});

describe.skipIf(!operatorConfig || !amtool)("routes through the Operator's own merge", () => {
  const tmp = tempDir('operator-config');
  const bin = operatorConfig as string;
  // The Operator writes the configuration for the Alertmanager version that will read it.
  const versionOutput = spawnSync(amtool as string, ['--version'], { encoding: 'utf8' });
  const amVersion = /version (\d+\.\d+\.\d+)/.exec(
    `${versionOutput.stdout}${versionOutput.stderr}`,
  )?.[1] as string;

  beforeAll(() => {
    writeFileSync(
      join(tmp.path, 'objects.yaml'),
      [amConfig, secretFor(amConfig)].map((d) => stringify(d)).join('---\n'),
    );
  });
  afterAll(() => tmp.remove());

  /** The configuration the Operator generates for an Alertmanager in namespace monitoring. */
  function merged(strategy: string, objectsFile = 'objects.yaml'): string {
    const result = spawnSync(
      bin,
      [
        `--base=${CHART_CONFIG}`,
        `--objects=${join(tmp.path, objectsFile)}`,
        '--namespace=monitoring',
        `--strategy=${strategy}`,
        `--alertmanager-version=${amVersion}`,
      ],
      { encoding: 'utf8' },
    );
    expect(result.status, result.stderr).toBe(0);
    const file = join(tmp.path, `${strategy}-${objectsFile}`);
    writeFileSync(file, result.stdout);
    return file;
  }

  function routed(config: string, labels: Record<string, string>): string {
    const result = spawnSync(
      amtool as string,
      [
        'config',
        'routes',
        'test',
        `--config.file=${config}`,
        ...Object.entries(labels).map(([k, v]) => `${k}=${v}`),
      ],
      { encoding: 'utf8' },
    );
    expect(result.status, result.stderr).toBe(0);
    return result.stdout.trim();
  }

  const alerts = alertRules(loadRuleGroups()).map((r) => ({
    alertname: r.alert as string,
    ...r.labels,
  }));

  it('without the AlertmanagerConfig, every alert of the rule files goes to the null receiver', () => {
    const config = join(tmp.path, 'chart.yaml');
    writeFileSync(config, read(CHART_CONFIG));
    for (const labels of alerts) expect(routed(config, labels), labels.alertname).toBe('null');
  });

  it.each(['OnNamespaceExceptForAlertmanagerNamespace', 'None'])(
    'with strategy %s, every alert of the rule files reaches the receivers of its priority, from any namespace',
    (strategy) => {
      const config = merged(strategy);
      const problems: string[] = [];
      for (const labels of alerts) {
        for (const namespace of ['monitoring', 'shop']) {
          const expected = receiversByPriority(labels).map(
            (r) => `monitoring/ai-orchestrator/${r}`,
          );
          // The chart's own Watchdog route still catches it after ours.
          if (labels.alertname === 'Watchdog') expected.push('null');
          const got = routed(config, { ...labels, namespace });
          if (got !== expected.join(','))
            problems.push(`${labels.alertname} in ${namespace}: ${got}`);
        }
      }
      expect(problems).toEqual([]);
      const check = spawnSync(amtool as string, ['check-config', config], { encoding: 'utf8' });
      expect(check.status, check.stdout + check.stderr).toBe(0);
    },
  );

  it('with the default strategy (OnNamespace) alerts of other namespaces would be dropped: why --helm-values sets it', () => {
    const config = merged('OnNamespace');
    const serviceDown = { alertname: 'ServiceDown', severity: 'critical', priority: 'P0' };
    expect(routed(config, { ...serviceDown, namespace: 'shop' })).toBe('null');
    expect(routed(config, { ...serviceDown, namespace: 'monitoring' })).toBe(
      receiversByPriority(serviceDown)
        .map((r) => `monitoring/ai-orchestrator/${r}`)
        .join(','),
    );
  });

  it.skipIf(!alertmanager)(
    'delivers to the webhook URLs of the Secret (urlSecret), with the bearer tokens of the Secret',
    async () => {
      const webhook = new Webhook();
      await webhook.start();
      const secret = secretFor(amConfig, {
        'heartbeat-url': `${webhook.url}/heartbeat`,
        'automation-webhook-url': `${webhook.url}/automation-webhook`,
      });
      // Group waits of seconds, not minutes; everything else as generated.
      const quick = { ...amConfig, spec: { ...amConfig.spec, route: shortened(amConfig.spec) } };
      writeFileSync(
        join(tmp.path, 'delivery.yaml'),
        [quick, secret].map((d) => stringify(d)).join('---\n'),
      );
      const am = await startAlertmanager(
        alertmanager as string,
        read(merged('None', 'delivery.yaml')),
      );
      try {
        const shop = { namespace: 'shop', service: 'demo-engine' };
        const res = await fetch(`${am.url}/api/v2/alerts`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(
            ['Watchdog', 'HighErrorRate'].map((name) => ({
              labels: { ...alerts.find((a) => a.alertname === name), ...shop },
            })),
          ),
        });
        expect(res.status).toBe(200);
        const by = (receiver: string, alertname: string) =>
          webhook.deliveries.find(
            (d) =>
              d.receiver === receiver && d.alerts.some((a) => a.labels.alertname === alertname),
          );
        await webhook.until(
          () => !!by('heartbeat', 'Watchdog') && !!by('automation-webhook', 'HighErrorRate'),
        );
        expect(by('heartbeat', 'Watchdog')?.authorization).toBe('Bearer test-heartbeat-token');
        expect(by('automation-webhook', 'HighErrorRate')?.authorization).toBe(
          'Bearer test-automation-token',
        );
        expect(webhook.receiversOf('Watchdog')).toEqual(['heartbeat']);
      } finally {
        await am.stop();
        await webhook.stop();
      }
    },
  );

  it('reports a Secret the AlertmanagerConfig needs but the cluster lacks', () => {
    const file = join(tmp.path, 'no-secret.yaml');
    writeFileSync(file, stringify(amConfig));
    const result = spawnSync(
      bin,
      [`--base=${CHART_CONFIG}`, `--objects=${file}`, '--strategy=None'],
      { encoding: 'utf8' },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/Secret|secret/);
  });
});
