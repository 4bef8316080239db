// The long-term store of the production overlay, as kubectl renders it: the VictoriaMetrics
// cluster (vminsert, vmselect, vmstorage) wired the way its docs ask for an HA Prometheus pair.
// Both replicas write identical series to vminsert (`replica` dropped by write relabelling),
// vmselect and vmstorage deduplicate at the scrape interval, every vmstorage node is listed on
// the right port, the replication factor fits the node count, and Grafana's long-term
// datasource reaches vmselect's Prometheus API. long-term-store.test.ts runs the same dedup live.
import { join } from 'node:path';
import {
  requireBinary,
  SERVERS,
  startVictoriaMetrics,
  type VictoriaMetricsServer,
} from '@ai-orchestrator/testkit';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { durationSeconds } from '../lib/rules.js';
import { configMap, find, kustomize, type KubeObject } from './kube.js';
import { INFRA, read } from './paths.js';

const kubectl = requireBinary('kubectl');
const vmBin = requireBinary('victoria-metrics');

interface Container {
  name: string;
  image: string;
  args: string[];
  ports: { name: string; containerPort: number }[];
}
interface Service {
  ports: { name: string; port: number; targetPort: string }[];
  selector: Record<string, string>;
}
interface PrometheusConfig {
  global: { scrape_interval: string; external_labels: Record<string, string> };
  scrape_configs: { job_name: string; scrape_interval?: string }[];
  remote_write: { url: string; write_relabel_configs?: unknown[] }[];
}

const container = (o: KubeObject): Container =>
  (o.spec as { template: { spec: { containers: Container[] } } }).template.spec
    .containers[0] as Container;
/** The values of `-name=value` flags, in order. */
const flag = (c: Container, name: string): string[] =>
  c.args.filter((a) => a.startsWith(`-${name}=`)).map((a) => a.slice(name.length + 2));

describe.skipIf(!kubectl)('the long-term store of the production overlay', () => {
  const objects = kubectl ? kustomize(kubectl, 'overlays/production') : [];
  const prometheus = (): PrometheusConfig =>
    parse(
      configMap(objects, 'prometheus-config').data?.['prometheus.yml'] ?? '',
    ) as PrometheusConfig;
  const vminsert = (): Container => container(find(objects, 'Deployment', 'vminsert'));
  const vmselect = (): Container => container(find(objects, 'Deployment', 'vmselect'));
  const vmstorage = (): KubeObject => find(objects, 'StatefulSet', 'vmstorage');

  /** Where a URL lands: the Service of its host, and the container port its port reaches. */
  function resolve(url: string): { service: string; path: string; containerPort: number } {
    const u = new URL(url);
    const svc = find(objects, 'Service', u.hostname).spec as unknown as Service;
    const port = svc.ports.find((p) => p.port === Number(u.port));
    expect(port, `${url}: Service ${u.hostname} has no port ${u.port}`).toBeDefined();
    const workload = objects.find(
      (o) =>
        ['Deployment', 'StatefulSet'].includes(o.kind) &&
        Object.entries(svc.selector).every(
          ([k, v]) =>
            (o.spec as { template: { metadata: { labels: Record<string, string> } } }).template
              .metadata.labels[k] === v,
        ),
    ) as KubeObject;
    const target = container(workload).ports.find((p) => p.name === port?.targetPort);
    return { service: u.hostname, path: u.pathname, containerPort: target?.containerPort ?? -1 };
  }

  it('both replicas remote-write identical series to vminsert', () => {
    const config = prometheus();
    expect(config.remote_write).toHaveLength(1);
    const [write] = config.remote_write;
    expect(resolve(write?.url ?? '')).toEqual({
      service: 'vminsert',
      path: '/insert/0/prometheus/api/v1/write',
      containerPort: 8480,
    });
    expect(flag(vminsert(), 'httpListenAddr')).toEqual([':8480']);
    // replica is the only external label that differs between the two, and it is dropped.
    expect(Object.keys(config.global.external_labels)).toContain('replica');
    expect(write?.write_relabel_configs).toEqual([{ action: 'labeldrop', regex: 'replica' }]);
  });

  it('vmselect and vmstorage deduplicate at the scrape interval, which every job uses', () => {
    const { global, scrape_configs } = prometheus();
    const faster = scrape_configs.filter(
      (j) => j.scrape_interval && j.scrape_interval !== global.scrape_interval,
    );
    expect(faster.map((j) => j.job_name)).toEqual([]);
    expect(flag(vmselect(), 'dedup.minScrapeInterval')).toEqual([global.scrape_interval]);
    expect(flag(container(vmstorage()), 'dedup.minScrapeInterval')).toEqual([
      global.scrape_interval,
    ]);
  });

  it('lists every vmstorage node, on its vminsert and vmselect ports', () => {
    const storage = container(vmstorage());
    const replicas = vmstorage().spec?.replicas as number;
    const service = (vmstorage().spec as { serviceName: string }).serviceName;
    const port = (name: string): number =>
      storage.ports.find((p) => p.name === name)?.containerPort ?? -1;
    const nodes = (p: number): string =>
      Array.from({ length: replicas }, (_, i) => `vmstorage-${i}.${service}:${p}`).join(',');
    expect(flag(vminsert(), 'storageNode')).toEqual([nodes(port('vminsert'))]);
    expect(flag(vmselect(), 'storageNode')).toEqual([nodes(port('vmselect'))]);
    expect(flag(storage, 'vminsertAddr')).toEqual([`:${port('vminsert')}`]);
    expect(flag(storage, 'vmselectAddr')).toEqual([`:${port('vmselect')}`]);
  });

  it('keeps every sample on two nodes, enough of them to lose one, and lets only one go at a time', () => {
    const [factor] = flag(vminsert(), 'replicationFactor').map(Number);
    expect(factor).toBe(2);
    expect(flag(vmselect(), 'replicationFactor').map(Number)).toEqual([factor]);
    // VictoriaMetrics: 2N-1 nodes keep the factor for new samples while N-1 are down.
    expect(vmstorage().spec?.replicas).toBeGreaterThanOrEqual(2 * (factor as number) - 1);
    const pdb = find(objects, 'PodDisruptionBudget', 'vmstorage');
    expect(pdb.spec?.maxUnavailable).toBeLessThanOrEqual((factor as number) - 1);
  });

  it('keeps more than Prometheus does, on the named storage class', () => {
    const [retention] = flag(container(vmstorage()), 'retentionPeriod');
    expect(durationSeconds(retention ?? '')).toBeGreaterThan(durationSeconds('30d'));
    const claim = (
      vmstorage().spec as {
        volumeClaimTemplates: { spec: { storageClassName: string } }[];
      }
    ).volumeClaimTemplates[0];
    expect(claim?.spec.storageClassName).toBe('fast-ssd');
  });

  it('runs the cluster images of the pinned VictoriaMetrics release', () => {
    const release = SERVERS['victoria-metrics'].release;
    for (const c of [vminsert(), vmselect(), container(vmstorage())]) {
      expect(c.image).toBe(`victoriametrics/${c.name}:v${release}-cluster`);
    }
  });

  it("gives Grafana the long-term datasource on vmselect's Prometheus API", () => {
    const data = configMap(objects, 'grafana-datasources').data ?? {};
    const file = read(join(INFRA, 'grafana/long-term/victoriametrics.yml'));
    expect(data['victoriametrics.yml']).toBe(file);
    const { datasources } = parse(file) as {
      datasources: { uid: string; type: string; url: string; jsonData: { timeInterval: string } }[];
    };
    expect(datasources.map((d) => [d.uid, d.type])).toEqual([['victoriametrics', 'prometheus']]);
    expect(resolve(datasources[0]?.url ?? '')).toEqual({
      service: 'vmselect',
      path: '/select/0/prometheus',
      containerPort: 8481,
    });
    expect(flag(vmselect(), 'httpListenAddr')).toEqual([':8481']);
    expect(datasources[0]?.jsonData.timeInterval).toBe(prometheus().global.scrape_interval);
  });

  it.skipIf(!vmBin)('uses retention and dedup values VictoriaMetrics accepts', async () => {
    const storage = container(vmstorage());
    let vm: VictoriaMetricsServer | undefined;
    try {
      vm = await startVictoriaMetrics(vmBin as string, {
        dedupMinScrapeInterval: flag(storage, 'dedup.minScrapeInterval')[0] ?? 'unset',
        extraArgs: flag(storage, 'retentionPeriod').map((v) => `-retentionPeriod=${v}`),
      });
      const flags = await (await fetch(`${vm.url}/flags`)).text();
      expect(flags).toContain(`-retentionPeriod="${flag(storage, 'retentionPeriod')[0]}"`);
    } finally {
      await vm?.stop();
    }
  });
});
