// The scaling examples of infra/k8s/examples, which infra/CAPACITY.md points to: both pass
// `promtool check config` (the pinned promtool, built with Kubernetes discovery), federation pulls
// every recording rule the repo defines, and the sharding relabelling, run by a real Prometheus
// over stand-in targets, puts every service on exactly one shard, all its pods together.
import { join } from 'node:path';
import { requireBinary, startPrometheus } from '@ai-orchestrator/testkit';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadRuleGroups } from '../lib/rules.js';
import { K8S, read } from './paths.js';
import { checkConfig } from './promtool.js';
import { until } from './run.js';

const promtool = requireBinary('promtool');
const prometheusBin = requireBinary('prometheus');
const EXAMPLES = join(K8S, 'examples');

interface Job {
  job_name: string;
  params?: { 'match[]'?: string[] };
  basic_auth?: { password_file?: string };
  relabel_configs: {
    source_labels?: string[];
    regex?: string;
    action?: string;
    modulus?: number;
  }[];
  kubernetes_sd_configs?: unknown[];
  static_configs?: unknown[];
}

describe.skipIf(!promtool)('the scaling examples pass promtool', () => {
  it.each(['federation.yml', 'sharding.yml'])('%s', (file) => {
    const text = read(join(EXAMPLES, file));
    // promtool opens credential files: the mounted secret becomes a local file.
    const passwords = [...text.matchAll(/password_file: (\S+)/g)].map((m) => m[1] as string);
    const files = Object.fromEntries(passwords.map((p, i) => [`password-${i}`, 'secret']));
    let local = text;
    passwords.forEach((p, i) => (local = local.replaceAll(p, `password-${i}`)));
    const result = checkConfig(promtool as string, local, files);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('SUCCESS');
  });
});

describe('federation', () => {
  it("pulls every recording rule of the repo's rule files", () => {
    const config = parse(read(join(EXAMPLES, 'federation.yml'))) as { scrape_configs: Job[] };
    const matchers = config.scrape_configs.flatMap((j) => j.params?.['match[]'] ?? []);
    const patterns = matchers
      .map((m) => /__name__=~"([^"]+)"/.exec(m)?.[1])
      .filter((p): p is string => p !== undefined)
      .map((p) => new RegExp(`^(?:${p})$`));
    const records = loadRuleGroups().flatMap((g) => g.rules.flatMap((r) => r.record ?? []));
    expect(records.length).toBeGreaterThan(0);
    expect(records.filter((name) => !patterns.some((p) => p.test(name)))).toEqual([]);
  });
});

describe.skipIf(!prometheusBin)('sharding, by a real Prometheus', () => {
  it('puts every service on exactly one of the shards, with all its pods', async () => {
    const config = parse(read(join(EXAMPLES, 'sharding.yml'))) as { scrape_configs: Job[] };
    const job = config.scrape_configs[0] as Job;
    const keep = job.relabel_configs.find((r) => r.source_labels?.[0] === '__tmp_hash');
    const shards = job.relabel_configs.find((r) => r.action === 'hashmod')?.modulus ?? 0;
    expect(keep?.regex).toBe('0');
    expect(shards).toBeGreaterThan(1);
    // Stand-ins for discovered endpoints: 12 services of 4 pods, labelled as discovery would.
    const pods = Array.from({ length: 48 }, (_, i) => ({
      address: `10.0.${i >> 4}.${i & 15}:9464`,
      service: `svc-${i >> 2}`,
    }));
    const discovered = pods.map((pod, i) => ({
      targets: [pod.address],
      labels: {
        __meta_kubernetes_service_label_monitoring: 'enabled',
        __meta_kubernetes_endpoint_port_name: 'metrics',
        __meta_kubernetes_service_name: pod.service,
        __meta_kubernetes_namespace: 'apps',
        __meta_kubernetes_pod_name: `pod-${i}`,
      },
    }));
    // One job per shard, each the example's job with its own shard number in the `keep` regex.
    const jobs = Array.from({ length: shards }, (_, shard) => {
      const copy = structuredClone(job);
      delete copy.kubernetes_sd_configs;
      copy.job_name = `shard-${shard}`;
      copy.static_configs = discovered;
      const k = copy.relabel_configs.find((r) => r.source_labels?.[0] === '__tmp_hash');
      if (k) k.regex = String(shard);
      return copy;
    });
    const prometheus = await startPrometheus(
      prometheusBin as string,
      stringify({ global: { scrape_interval: '1h' }, scrape_configs: jobs }),
    );
    try {
      type Active = {
        scrapePool: string;
        labels: { service: string };
        discoveredLabels: { __address__: string };
      };
      let active: Active[] = [];
      await until('every shard job to have relabelled its targets', async () => {
        active = (await prometheus.api<{ activeTargets: Active[] }>('targets')).activeTargets;
        return new Set(active.map((a) => a.scrapePool)).size === shards;
      });
      // Every pod on exactly one shard...
      const addresses = active.map((a) => a.discoveredLabels.__address__);
      expect(addresses.sort()).toEqual(pods.map((p) => p.address).sort());
      // ...and every service's pods on the same one.
      const shardsOf = new Map<string, Set<string>>();
      for (const a of active) {
        shardsOf.set(
          a.labels.service,
          (shardsOf.get(a.labels.service) ?? new Set()).add(a.scrapePool),
        );
      }
      expect([...shardsOf.values()].map((s) => s.size)).toEqual(Array(12).fill(1));
    } finally {
      await prometheus.stop();
    }
  });
});
