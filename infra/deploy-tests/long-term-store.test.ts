// The long-term store, live: two Prometheus replicas of the production config (distinct
// `replica` external labels, dropped by its write_relabel_configs) scrape the same targets and
// remote-write to VictoriaMetrics (single node, -dedup.minScrapeInterval = the scrape interval,
// as vmselect and vmstorage run in production). It holds one series per target, keeps one sample
// per interval of the two written, and the series go on without a gap when one replica stops.
import {
  requireBinary,
  startPrometheus,
  startVictoriaMetrics,
  type PrometheusServer,
  type VictoriaMetricsServer,
} from '@ai-orchestrator/testkit';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { durationSeconds } from '../lib/rules.js';
import { fastRules } from './fast-rules.js';
import { startFixtureExporter, type FixtureExporter } from './fixture-exporter.js';
import { replicaConfig, TEST_SCRAPE_INTERVAL } from './ha-stack.js';
import { until } from './run.js';

const prometheusBin = requireBinary('prometheus');
const vmBin = requireBinary('victoria-metrics');
const INTERVAL_MS = durationSeconds(TEST_SCRAPE_INTERVAL) * 1000;
const SERVICES = ['demo-gateway', 'demo-engine'];

interface Exported {
  metric: Record<string, string>;
  timestamps: number[];
}

/** Largest step between consecutive timestamps, in ms. */
const largestStep = (ts: readonly number[]): number =>
  Math.max(0, ...ts.slice(1).map((t, i) => t - (ts[i] as number)));

describe.skipIf(!prometheusBin || !vmBin)('an HA pair remote-writing to VictoriaMetrics', () => {
  let vm: VictoriaMetricsServer;
  /** The same writes without deduplication: what the store would hold without it. */
  let undeduplicated: VictoriaMetricsServer;
  const exporters: FixtureExporter[] = [];
  const replicas: PrometheusServer[] = [];
  let readyAt = 0;

  /** Timestamps of the samples VictoriaMetrics keeps of one series between two times (ms). */
  async function samples(
    selector: string,
    from: number,
    to: number,
    store = vm,
  ): Promise<number[]> {
    const params = new URLSearchParams({
      'match[]': selector,
      start: String(from / 1000),
      end: String(to / 1000),
    });
    const text = await (await fetch(`${store.url}/api/v1/export?${params.toString()}`)).text();
    // One JSON line per stored block: a series may span several lines.
    const series = new Map<string, number[]>();
    for (const line of text.split('\n').filter(Boolean)) {
      const { metric, timestamps } = JSON.parse(line) as Exported;
      const key = JSON.stringify(Object.entries(metric).sort());
      series.set(key, [...(series.get(key) ?? []), ...timestamps]);
    }
    if (series.size > 1) throw new Error(`${selector}: ${[...series.keys()].join(' ')}`);
    return [...series.values()].flat().sort((x, y) => x - y);
  }

  /** The value of one counter a server exports on its own /metrics (0 when absent). */
  async function counter(url: string, series: RegExp): Promise<number> {
    const text = await (await fetch(`${url}/metrics`)).text();
    const line = text.split('\n').find((l) => series.test(l));
    return Number(line?.split(' ').at(-1) ?? 0);
  }
  const written = (p: PrometheusServer): Promise<number> =>
    counter(p.url, /^prometheus_remote_storage_samples_total\{/);

  beforeAll(async () => {
    vm = await startVictoriaMetrics(vmBin as string, {
      dedupMinScrapeInterval: TEST_SCRAPE_INTERVAL,
    });
    undeduplicated = await startVictoriaMetrics(vmBin as string);
    for (const service of SERVICES) exporters.push(await startFixtureExporter({ service }));
    const targets = exporters.map((e) => ({ service: e.service, target: e.target }));
    for (const replica of ['prometheus-0', 'prometheus-1']) {
      replicas.push(
        await startPrometheus(
          prometheusBin as string,
          replicaConfig({
            replica,
            targets,
            remoteWrite: [vm.remoteWriteUrl, undeduplicated.remoteWriteUrl],
          }),
          fastRules(),
        ),
      );
    }
    await until(
      'both targets and their recorded request rates in VictoriaMetrics',
      async () => {
        const [up, rate] = await Promise.all(
          ['up', 'service:http_server_requests:rate5m'].map(
            async (q) => (await vm.api<{ result: unknown[] }>('query', { query: q })).result.length,
          ),
        );
        return up === SERVICES.length && rate === SERVICES.length;
      },
      60_000,
    );
    readyAt = Date.now();
  });

  afterAll(async () => {
    await Promise.all(replicas.map((p) => p.stop()));
    await vm?.stop();
    await undeduplicated?.stop();
    await Promise.all(exporters.map((e) => e.stop()));
  });

  it('holds one series per target and per recorded aggregate, without the replica label', async () => {
    type Result = { result: { metric: Record<string, string> }[] };
    const up = (await vm.api<Result>('query', { query: 'up' })).result;
    expect(up.map((s) => s.metric.service).sort()).toEqual([...SERVICES].sort());
    for (const { metric } of up) {
      expect(metric.replica).toBeUndefined();
      // The other external labels stay: they say which cluster the series comes from.
      expect(metric).toMatchObject({ cluster: 'ai-orchestrator', monitor: 'ai-orchestrator' });
    }
    const rates = await vm.api<Result>('query', { query: 'service:http_server_requests:rate5m' });
    expect(rates.result.map((s) => s.metric.service).sort()).toEqual([...SERVICES].sort());
  });

  it('gets every sample from both replicas, and keeps one per scrape interval', async () => {
    const [a, b] = await Promise.all(replicas.map(written));
    expect(a, 'prometheus-0 wrote').toBeGreaterThan(0);
    expect(b, 'prometheus-1 wrote').toBeGreaterThan(0);
    const from = readyAt;
    const to = from + 10 * INTERVAL_MS;
    // Remote write sends within a second; give the window's last samples time to arrive.
    await sleep(Math.max(0, to + 3 * INTERVAL_MS - Date.now()));
    const selector = 'up{service="demo-gateway"}';
    const kept = await samples(selector, from, to);
    // Both replicas scrape the target every interval and write the same series: twice the
    // samples, as the store without deduplication holds them, which VictoriaMetrics merges away.
    const both = await samples(selector, from, to, undeduplicated);
    expect(both.length, `${both.length} written, ${kept.length} kept`).toBeGreaterThanOrEqual(
      1.6 * kept.length,
    );
    const merged = await counter(vm.url, /^vm_deduplicated_samples_total\{type="merge"\}/);
    expect(merged).toBeGreaterThan(0);
    // One per interval: never two (deduplicated), never a gap (a busy machine may slip a scrape).
    expect(kept.length).toBeLessThanOrEqual(11);
    expect(kept.length).toBeGreaterThanOrEqual(7);
    expect(largestStep(kept), kept.join(', ')).toBeLessThan(2 * INTERVAL_MS + 500);
  });

  it('goes on without a gap when one replica stops', async () => {
    const stoppedAt = Date.now();
    await replicas[1]?.stop();
    const selector = 'up{service="demo-engine"}';
    await until(
      'samples written after the stop',
      async () => {
        const ts = await samples(selector, stoppedAt, Date.now());
        return (ts.at(-1) ?? 0) >= stoppedAt + 8 * INTERVAL_MS;
      },
      30_000,
    );
    const around = await samples(
      selector,
      stoppedAt - 8 * INTERVAL_MS,
      stoppedAt + 8 * INTERVAL_MS,
    );
    // One sample per interval across the stop: a sleeping scrape may slip, never a missing one.
    expect(around.length).toBeGreaterThanOrEqual(14);
    expect(largestStep(around), around.join(', ')).toBeLessThan(2 * INTERVAL_MS + 500);
  });
});
