// The Prometheus Operator resources and the scaling examples: generated from the one copy of the
// rules, valid against the operator's schemas, and accepted by promtool.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { requireBinary } from '@ai-orchestrator/testkit';
import { RULE_FILES, prometheusRules } from '../scripts/prometheus-rules.js';
import { kustomize, parseYamlObjects, validateObject } from './kube.js';
import { INFRA, K8S, SCRIPTS, read } from './paths.js';
import { checkConfig, checkRules } from './promtool.js';

const kubectl = requireBinary('kubectl');
const promtool = requireBinary('promtool');

describe('PrometheusRules for the Prometheus Operator', () => {
  it('are the rule files themselves, one object per file, valid against the operator schema', async () => {
    const rules = prometheusRules();
    expect(rules.map((r) => r.metadata.name)).toEqual([
      'ai-orchestrator-alert-rules',
      'ai-orchestrator-recording-rules',
      'ai-orchestrator-slo-rules',
      'ai-orchestrator-genai-rules',
    ]);
    for (const [i, file] of RULE_FILES.entries()) {
      const rule = rules[i];
      expect(rule?.spec.groups).toEqual(
        (parse(read(join(INFRA, 'prometheus', file))) as { groups: unknown }).groups,
      );
      await validateObject(rule as never);
    }
  });

  it.skipIf(!promtool)('hold groups promtool accepts as rules', () => {
    for (const rule of prometheusRules()) {
      const result = checkRules(promtool as string, stringify({ groups: rule.spec.groups }));
      expect(result.code, `${rule.metadata.name}: ${result.output}`).toBe(0);
    }
  });

  it.skipIf(!kubectl)(
    'come out of `monitoring-setup.sh operator --dry-run --release` with the ServiceMonitor and the AlertmanagerConfig, all labelled for the release',
    async () => {
      const result = spawnSync(
        'bash',
        [
          join(SCRIPTS, 'monitoring-setup.sh'),
          'operator',
          '--dry-run',
          '--release',
          'observability',
          '--namespace',
          'obs',
        ],
        { encoding: 'utf8', env: { ...process.env, KUBECTL: kubectl as string } },
      );
      expect(result.status, result.stderr).toBe(0);
      const objects = parseYamlObjects(result.stdout);
      expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
        'ServiceMonitor/ai-orchestrator-services',
        'PrometheusRule/ai-orchestrator-alert-rules',
        'PrometheusRule/ai-orchestrator-recording-rules',
        'PrometheusRule/ai-orchestrator-slo-rules',
        'PrometheusRule/ai-orchestrator-genai-rules',
        'AlertmanagerConfig/ai-orchestrator',
      ]);
      for (const o of objects) {
        await validateObject(o);
        expect(o.metadata.labels?.release, o.kind).toBe('observability');
        expect(o.metadata.namespace, o.kind).toBe('obs');
      }
      const monitor = objects[0]?.spec as { selector: unknown; endpoints: { port: string }[] };
      expect(monitor.selector).toEqual({ matchLabels: { monitoring: 'enabled' } });
      expect(monitor.endpoints[0]?.port).toBe('metrics');
      const bad = spawnSync(
        'bash',
        [join(SCRIPTS, 'monitoring-setup.sh'), 'dev', '--release', 'x'],
        {
          encoding: 'utf8',
        },
      );
      expect(bad.status).toBe(2);
      expect(bad.stderr).toContain('apply to the operator target only');
    },
  );

  it.skipIf(!kubectl)('operator kustomization renders on its own', () => {
    expect(kustomize(kubectl as string, 'operator').map((o) => o.kind)).toEqual(['ServiceMonitor']);
  });
});

describe.skipIf(!promtool)('scaling examples (infra/k8s/examples)', () => {
  for (const file of ['federation.yml', 'sharding.yml']) {
    it(`${file} is a config promtool accepts`, () => {
      const result = checkConfig(promtool as string, read(join(K8S, 'examples', file)));
      expect(result.code, result.output).toBe(0);
    });
  }

  it('sharding keeps one hashmod bucket and federation pulls only aggregates', () => {
    const sharding = parse(read(join(K8S, 'examples/sharding.yml'))) as {
      scrape_configs: {
        relabel_configs: { action?: string; modulus?: number; regex?: string }[];
      }[];
    };
    const relabel = sharding.scrape_configs[0]?.relabel_configs ?? [];
    const hashmod = relabel.findIndex((r) => r.action === 'hashmod');
    expect(relabel[hashmod]?.modulus).toBeGreaterThan(1);
    expect(relabel[hashmod + 1]).toMatchObject({ action: 'keep', regex: '0' });
    const federation = read(join(K8S, 'examples/federation.yml'));
    expect(federation).toContain('/federate');
    expect(federation).toContain('honor_labels: true');
  });

  it('the opt-in example Service is what the scrape rule selects', async () => {
    const [svc] = parseYamlObjects(read(join(K8S, 'examples/service-opt-in.yaml')));
    await validateObject(svc as never);
    expect(svc?.metadata.labels?.monitoring).toBe('enabled');
    expect((svc?.spec as { ports: { name: string; port: number }[] }).ports).toContainEqual(
      expect.objectContaining({ name: 'metrics', port: 9464 }),
    );
  });
});
