// The pinned VictoriaMetrics as Prometheus's remote_write target, both real: what Prometheus
// scrapes lands in VictoriaMetrics and is read back through its Prometheus query API.
import {
  requireBinary,
  startPrometheus,
  startVictoriaMetrics,
  type PrometheusServer,
  type VictoriaMetricsServer,
} from '@ai-orchestrator/testkit';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';

const prometheusBin = requireBinary('prometheus');
const vmBin = requireBinary('victoria-metrics');

describe.skipIf(!prometheusBin || !vmBin)('remote_write to VictoriaMetrics', () => {
  let vm: VictoriaMetricsServer;
  let prometheus: PrometheusServer;

  beforeAll(async () => {
    vm = await startVictoriaMetrics(vmBin as string, { dedupMinScrapeInterval: '1s' });
    prometheus = await startPrometheus(
      prometheusBin as string,
      stringify({
        global: { scrape_interval: '1s', external_labels: { replica: 'a' } },
        scrape_configs: [
          {
            job_name: 'victoria-metrics',
            static_configs: [{ targets: [vm.url.replace('http://', '')] }],
          },
        ],
        remote_write: [{ url: vm.remoteWriteUrl, queue_config: { batch_send_deadline: '1s' } }],
      }),
    );
  });

  afterAll(async () => {
    await prometheus?.stop();
    await vm?.stop();
  });

  it('stores the scraped series with the external labels, readable through the query API', async () => {
    type Result = { result: { metric: Record<string, string>; value: [number, string] }[] };
    let data: Result = { result: [] };
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && data.result.length === 0) {
      data = await vm.api<Result>('query', { query: 'up{job="victoria-metrics"}' });
      if (data.result.length === 0) await sleep(500);
    }
    expect(data.result).toHaveLength(1);
    expect(data.result[0]?.metric).toMatchObject({ job: 'victoria-metrics', replica: 'a' });
    expect(data.result[0]?.value[1]).toBe('1');
  });
});
