// No scrape target can claim another identity: the real Prometheus runs the scrape configs of
// docker-compose and of the rendered Kubernetes overlay against a target that exposes its own
// `service`, `namespace`, `job`, `pod`, `node` and `cluster`, and the stored series keep the
// identity discovery gave them. Kubernetes discovery is replaced by file discovery carrying the
// same __meta_kubernetes_* labels, so the relabelling under test is the shipped one.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { requireBinary, startPrometheus, type PrometheusServer } from '@ai-orchestrator/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { configMap, kustomize } from './kube.js';
import { INFRA, read } from './paths.js';

const prometheusBin = requireBinary('prometheus');
const kubectl = requireBinary('kubectl');

// What a hostile or misconfigured target exposes: every identity label of somebody else.
const FORGED = {
  service: 'payments',
  namespace: 'kube-system',
  job: 'admin',
  instance: 'forged:1',
  pod: 'payments-0',
  node: 'other-node',
  cluster: 'prod-eu',
};
const EXPOSITION =
  '# TYPE forged_identity gauge\n' +
  `forged_identity{${Object.entries(FORGED)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',')}} 1\n`;
const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';

interface ScrapeConfig {
  job_name: string;
  honor_labels?: boolean;
  scheme?: string;
  static_configs?: { targets: string[]; labels?: Record<string, string> }[];
  kubernetes_sd_configs?: { role: string }[];
  file_sd_configs?: { files: string[] }[];
  [key: string]: unknown;
}

/** Scrape configs of a Prometheus config, pointed at `target` (HTTP jobs only). */
function pointedAt(configText: string, target: string): ScrapeConfig[] {
  const jobs = (parse(configText) as { scrape_configs: ScrapeConfig[] }).scrape_configs;
  return jobs
    .filter((job) => job.scheme !== 'https')
    .map((job) => {
      const copy: ScrapeConfig = { ...job, scrape_interval: '1s' };
      if (copy.static_configs) {
        copy.static_configs = copy.static_configs.map((s) => ({
          ...s,
          targets: s.targets.map(() => target),
        }));
      }
      if (copy.kubernetes_sd_configs) {
        delete copy.kubernetes_sd_configs;
        copy.file_sd_configs = [{ files: [`${job.job_name}.json`] }];
      }
      return copy;
    });
}

/** What the endpoints discovery reports for a pod of Service demo-gateway in namespace shop. */
const endpointsTarget = (target: string): string =>
  JSON.stringify([
    {
      targets: [target],
      labels: {
        __meta_kubernetes_service_label_monitoring: 'enabled',
        __meta_kubernetes_endpoint_port_name: 'metrics',
        __meta_kubernetes_service_name: 'demo-gateway',
        __meta_kubernetes_namespace: 'shop',
        __meta_kubernetes_pod_name: 'demo-gateway-7d9f',
        __meta_kubernetes_pod_node_name: 'node-a',
      },
    },
  ]);

describe.skipIf(!prometheusBin)('scrape labels: a target cannot overwrite its identity', () => {
  let target: Server;
  let address = '';
  const servers: PrometheusServer[] = [];

  beforeAll(async () => {
    // With the Content-Type every exporter sends: Prometheus 3 refuses a scrape without one.
    target = createServer((_, res) =>
      res.setHeader('content-type', PROMETHEUS_TEXT).end(EXPOSITION),
    );
    target.listen(0, '127.0.0.1');
    await once(target, 'listening');
    address = `127.0.0.1:${(target.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const s of servers) await s.stop();
    target?.closeAllConnections();
    target?.close();
  });

  async function scraped(
    jobs: ScrapeConfig[],
    files: Record<string, string> = {},
    count = jobs.length,
  ): Promise<Record<string, string>[]> {
    const prometheus = await startPrometheus(
      prometheusBin as string,
      stringify({ global: { scrape_interval: '1s' }, scrape_configs: jobs }),
      files,
    );
    servers.push(prometheus);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const { result } = await prometheus.api<{ result: { metric: Record<string, string> }[] }>(
        'query',
        { query: 'forged_identity' },
      );
      if (result.length >= count) return result.map((r) => r.metric);
      await sleep(250);
    }
    const { activeTargets } = await prometheus.api<{
      activeTargets: { scrapePool: string; health: string; lastError: string }[];
    }>('targets');
    const why = activeTargets.map((t) => `${t.scrapePool} ${t.health} ${t.lastError}`.trim());
    throw new Error(`not every job scraped the target: ${why.join('; ') || 'no targets'}`);
  }

  it('docker compose: job, service and instance stay the ones prometheus.yml sets', async () => {
    const jobs = pointedAt(read(join(INFRA, 'prometheus/prometheus.yml')), address);
    expect(jobs.map((j) => j.job_name)).toEqual([
      'demo-services',
      'node-exporter',
      'prometheus',
      'alertmanager',
    ]);
    const expected = jobs.flatMap((job) =>
      (job.static_configs ?? []).map((s) => ({ job: job.job_name, service: s.labels?.service })),
    );
    expect(expected).toHaveLength(6);
    const series = await scraped(jobs, {}, expected.length);
    for (const { job, service } of expected) {
      const s = series.find((m) => m.job === job && m.service === service);
      expect(s, `${job} ${service}`).toMatchObject({
        instance: address,
        exported_service: FORGED.service,
        exported_job: FORGED.job,
        exported_instance: FORGED.instance,
      });
    }
  });

  it.skipIf(!kubectl)(
    'Kubernetes (production overlay): job, service, namespace, pod and node come from discovery; cluster from the external label',
    async () => {
      const config = configMap(
        kustomize(kubectl as string, 'overlays/production'),
        'prometheus-config',
      ).data?.['prometheus.yml'] as string;
      const jobs = pointedAt(config, address);
      expect(jobs.map((j) => j.job_name)).toEqual(['kubernetes-services']);
      const [series] = await scraped(jobs, {
        'kubernetes-services.json': endpointsTarget(address),
      });
      expect(series).toMatchObject({
        job: 'demo-gateway',
        service: 'demo-gateway',
        namespace: 'shop',
        pod: 'demo-gateway-7d9f',
        node: 'node-a',
        exported_service: FORGED.service,
        exported_namespace: FORGED.namespace,
        exported_job: FORGED.job,
        exported_pod: FORGED.pod,
        exported_node: FORGED.node,
        exported_cluster: FORGED.cluster,
      });
      // `cluster` is left to the external label, which a scraped one would otherwise beat.
      expect(series?.cluster).toBeUndefined();
    },
  );

  it('no shipped scrape config honours a target’s labels (federation aside)', () => {
    const texts = [
      read(join(INFRA, 'prometheus/prometheus.yml')),
      read(join(INFRA, 'k8s/base/prometheus/prometheus.yml')),
      read(join(INFRA, 'k8s/overlays/production/prometheus.yml')),
      read(join(INFRA, 'k8s/examples/sharding.yml')),
    ];
    for (const text of texts) {
      for (const job of (parse(text) as { scrape_configs: ScrapeConfig[] }).scrape_configs) {
        expect(job.honor_labels ?? false, job.job_name).toBe(false);
      }
    }
    expect(read(join(INFRA, 'k8s/operator/servicemonitor.yaml'))).not.toMatch(
      /honorLabels:\s*true/,
    );
  });
});
