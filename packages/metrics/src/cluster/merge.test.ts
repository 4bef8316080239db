import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import {
  parseOpenMetrics,
  promtoolCheckMetrics,
  requireBinary,
  requireOpenMetricsParser,
} from '@ai-orchestrator/testkit';
import { METRICS, OVERFLOW_VALUE } from '../contract.js';
import { render, renderFamilies } from '../exposition.js';
import { createMetrics } from '../metrics.js';
import { ensureGauge } from '../registry.js';
import { seriesBudgets } from '../state.js';
import type { MetricsFormat } from '../types.js';
import type { Origin } from './accumulators.js';
import { Budgets } from './budget.js';
import { Carry } from './carry.js';
import { Merger, type MergeOptions } from './merge.js';
import type { Snapshot } from './protocol.js';
import { snapshotParts } from './snapshot.js';

const promtool = requireBinary('promtool');
const python = requireOpenMetricsParser();
const TRACE = { trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', span_id: '00f067aa0ba902b7' };

/** A registry's snapshot as the primary receives it: in small parts, through JSON (cluster IPC). */
async function snapshotOf(registry: Registry, pid = 4242, takenAt = Date.now()): Promise<Snapshot> {
  const families = [];
  for await (const part of snapshotParts([registry], 7)) families.push(...part);
  const snapshot: Snapshot = { pid, takenAt, families, budgets: seriesBudgets(registry) };
  return JSON.parse(JSON.stringify(snapshot)) as Snapshot;
}

interface Source {
  readonly snapshot: Snapshot;
  readonly worker: string;
}

function options(perWorker = false, overrides = {}): MergeOptions {
  return { budgets: new Budgets(), overrides, perWorker };
}

async function merge(
  sources: readonly Source[],
  format: MetricsFormat = 'text',
  o: MergeOptions = options(),
  carry?: Carry,
) {
  for (const { snapshot } of sources) o.budgets.report(snapshot.budgets);
  const merger = new Merger(o);
  for (const { snapshot, worker } of sources) {
    const local = worker === 'primary';
    const origin: Origin = { worker, pid: snapshot.pid, takenAt: snapshot.takenAt, local };
    for (const family of snapshot.families) merger.add(family, origin);
  }
  carry?.addTo(merger);
  return { body: (await renderFamilies(merger.families(), format)).body, folded: merger.folded() };
}

function worker(serviceName = 'api') {
  const registry = new Registry();
  const metrics = createMetrics({ serviceName, registry, collectDefaultMetrics: false });
  return { registry, metrics };
}

/** `name{labels} value` lines of the text format, as a map. */
function samples(body: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of body.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    found.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return found;
}

describe('merging worker snapshots', () => {
  it('renders one worker exactly as the worker renders its own registry, in both formats', async () => {
    const { registry, metrics } = worker();
    for (let i = 0; i < 20; i++) {
      metrics.http.start('GET').end({ route: `/items/${i % 9}`, statusCode: 200, traceIds: TRACE });
    }
    metrics.http.start('POST').end({ route: '/a,b="c"', statusCode: 500, responseBytes: 90 });
    metrics.recordWorkflowExecution('wf-1', 'summarize', 'openai', 'failure', 1500);
    metrics.recordEngineCall({
      engineType: 'openai',
      operation: 'chat',
      status: 'success',
      durationMs: 80,
      tokens: { input: 10, output: 3 },
    });
    metrics.setQueueSize('default', 7);
    new Counter({
      name: 'app_jobs_total',
      help: 'Jobs.',
      labelNames: ['kind'],
      registers: [registry],
    }).inc({ kind: 'x\ny' }, 2);
    const snapshot = await snapshotOf(registry);
    for (const format of ['text', 'openmetrics'] as const) {
      const own = (await render(registry, format)).body;
      expect((await merge([{ snapshot, worker: '0' }], format)).body).toBe(own);
    }
  });

  it('sums counters and histogram buckets, and combines gauges by their contract rule', async () => {
    const sources: Source[] = [];
    for (let w = 0; w < 3; w++) {
      const { registry, metrics } = worker();
      for (let i = 0; i <= w; i++) metrics.http.start('GET').end({ route: '/x', statusCode: 200 });
      metrics.http.start('GET'); // one request in flight per worker
      metrics.setQueueSize('default', 10 * (w + 1));
      metrics.recordWorkflowExecution('wf', 'summarize', 'openai', 'success', 100 * (w + 1));
      // Every worker reads the same shared store; its value may lag by a refresh.
      ensureGauge(registry, METRICS.businessActiveUsers).set(
        { service: 'api', window: '1d' },
        40 + w,
      );
      sources.push({ snapshot: await snapshotOf(registry, 100 + w), worker: String(w) });
    }
    const got = samples((await merge(sources)).body);
    const http =
      'service="api",http_request_method="GET",http_route="/x",http_response_status_code="200"';
    expect(got.get(`http_server_request_duration_seconds_count{${http}}`)).toBe(6);
    expect(got.get(`http_server_active_requests{service="api",http_request_method="GET"}`)).toBe(3);
    expect(got.get('workflow_queue_size{service="api",queue="default"}')).toBe(60);
    expect(got.get('business_active_users{service="api",window="1d"}')).toBe(42);
    const wf = 'service="api",workflow_name="summarize",engine_type="openai",status="success"';
    expect(got.get(`workflow_executions_total{${wf}}`)).toBe(3);
    expect(got.get(`workflow_execution_duration_seconds_bucket{${wf},le="0.1"}`)).toBe(1);
    expect(got.get(`workflow_execution_duration_seconds_bucket{${wf},le="0.25"}`)).toBe(2);
    expect(got.get(`workflow_execution_duration_seconds_bucket{${wf},le="0.5"}`)).toBe(3);
    expect(got.get(`workflow_execution_duration_seconds_sum{${wf}}`)).toBeCloseTo(0.6, 10);
  });

  it('takes process figures once per process, lag from the worst worker, the newest start', async () => {
    const sources: Source[] = [];
    const runtime = [
      { pid: 7, rss: 100, lag: 0.01, min: 0.001, start: 1000 },
      { pid: 7, rss: 100, lag: 0.2, min: 0.002, start: 1000 }, // a second thread of process 7
      { pid: 8, rss: 50, lag: 0.05, min: 0.0005, start: 2000 },
    ];
    for (const [w, r] of runtime.entries()) {
      const registry = new Registry();
      const gauge = (name: string, value: number) =>
        new Gauge({ name, help: name, registers: [registry] }).set(value);
      gauge('process_resident_memory_bytes', r.rss);
      gauge('nodejs_eventloop_lag_p99_seconds', r.lag);
      gauge('nodejs_eventloop_lag_min_seconds', r.min);
      gauge('process_start_time_seconds', r.start);
      gauge('nodejs_heap_size_used_bytes', 10);
      sources.push({ snapshot: await snapshotOf(registry, r.pid), worker: String(w) });
    }
    const got = samples((await merge(sources)).body);
    expect(got.get('process_resident_memory_bytes')).toBe(150);
    expect(got.get('nodejs_eventloop_lag_p99_seconds')).toBe(0.2);
    expect(got.get('nodejs_eventloop_lag_min_seconds')).toBe(0.0005);
    expect(got.get('process_start_time_seconds')).toBe(2000);
    expect(got.get('nodejs_heap_size_used_bytes')).toBe(30);
  });

  it("honours prom-client's aggregator and the caller's rules; keeps a worker label per worker", async () => {
    const sources: Source[] = [];
    for (let w = 0; w < 2; w++) {
      const registry = new Registry();
      const make = (name: string, aggregator?: 'average' | 'omit' | 'first') =>
        new Gauge({
          name,
          help: name,
          registers: [registry],
          ...(aggregator ? { aggregator } : {}),
        });
      make('app_average', 'average').set(w === 0 ? 2 : 4);
      make('app_omitted', 'omit').set(1);
      make('app_first', 'first').set(w + 5);
      make('app_cache_entries').set(w + 1);
      sources.push({ snapshot: await snapshotOf(registry, 10 + w), worker: String(w) });
    }
    const body = (await merge(sources, 'text', options(false, { app_cache_entries: 'worker' })))
      .body;
    const got = samples(body);
    expect(got.get('app_average')).toBe(3);
    expect(body).not.toContain('app_omitted');
    expect(got.get('app_first')).toBe(5);
    expect(got.get('app_cache_entries{worker="0"}')).toBe(1);
    expect(got.get('app_cache_entries{worker="1"}')).toBe(2);
    const perWorker = samples((await merge(sources, 'text', options(true))).body);
    expect(perWorker.get('app_average{worker="1"}')).toBe(4);
  });

  it('keeps the newest exemplar of each bucket', async () => {
    const sources: Source[] = [];
    for (let w = 0; w < 2; w++) {
      const { registry, metrics } = worker();
      const ids = { trace_id: `${w}`.repeat(32), span_id: `${w}`.repeat(16) };
      metrics.http.start('GET').end({ route: '/x', statusCode: 200, traceIds: ids });
      sources.push({ snapshot: await snapshotOf(registry), worker: String(w) });
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const body = (await merge(sources, 'openmetrics')).body;
    expect(body).toContain(`trace_id="${'1'.repeat(32)}"`);
    expect(body).not.toContain(`trace_id="${'0'.repeat(32)}"`);
  });

  it.skipIf(!promtool || !python)(
    'serves a merge with default metrics that promtool and the strict OpenMetrics parser accept',
    async () => {
      const sources: Source[] = [];
      for (let w = 0; w < 2; w++) {
        const registry = new Registry();
        const metrics = createMetrics({ serviceName: 'api', registry });
        metrics.http.start('GET').end({ route: '/x', statusCode: 200, traceIds: TRACE });
        sources.push({ snapshot: await snapshotOf(registry, 50 + w), worker: String(w) });
      }
      const text = (await merge(sources)).body;
      expect(text).toContain('process_cpu_seconds_total{service="api"}');
      expect(promtoolCheckMetrics(promtool as string, text)).toEqual({ code: 0, output: '' });
      const om = (await merge(sources, 'openmetrics')).body;
      expect(() => parseOpenMetrics(python as string, om)).not.toThrow();
    },
  );
});

describe('the series budget after merging', () => {
  it('admits the budget over all workers and folds the rest into __overflow__, totals kept', async () => {
    const sources: Source[] = [];
    for (let w = 0; w < 3; w++) {
      const registry = new Registry();
      const metrics = createMetrics({
        serviceName: 'api',
        registry,
        collectDefaultMetrics: false,
        limits: { perMetricSeries: { workflow_executions_total: 3 } },
      });
      // Each worker fills its own budget of 3 with names no other worker has, then overflows.
      for (let i = 0; i < 4; i++) {
        metrics.recordWorkflowExecution(`wf-${i}`, `w${w}-${i}`, 'openai', 'success', 10);
      }
      sources.push({ snapshot: await snapshotOf(registry), worker: String(w) });
    }
    const { body, folded } = await merge(sources);
    const counts = [...samples(body)].filter(([name]) =>
      name.startsWith('workflow_executions_total{'),
    );
    expect(counts.length).toBe(4); // 3 admitted + the overflow series
    expect(counts.reduce((sum, [, value]) => sum + value, 0)).toBe(12);
    const overflow = `workflow_executions_total{service="api",workflow_name="${OVERFLOW_VALUE}",engine_type="${OVERFLOW_VALUE}",status="success"}`;
    expect(samples(body).get(overflow)).toBe(3 + 6);
    expect(folded.get('workflow_executions_total')).toBe(6);
    const histogram = [...samples(body)].filter(([name]) =>
      name.startsWith('workflow_execution_duration_seconds_count{'),
    );
    expect(histogram.length).toBe(4);
  });
});

describe('counter carry-over', () => {
  it('keeps an exited worker’s totals so sums never go backwards; gauges of the dead go', async () => {
    const o = options();
    const carry = new Carry(o);
    const a = worker();
    const b = worker();
    a.metrics.recordWorkflowExecution('wf', 'summarize', 'openai', 'success', 10);
    a.metrics.setQueueSize('default', 5);
    b.metrics.recordWorkflowExecution('wf', 'summarize', 'openai', 'success', 10);
    const lastOfA = await snapshotOf(a.registry, 1);
    const before = samples(
      (
        await merge(
          [
            { snapshot: lastOfA, worker: '0' },
            { snapshot: await snapshotOf(b.registry, 2), worker: '1' },
          ],
          'text',
          o,
        )
      ).body,
    );
    carry.keep(lastOfA, '0'); // worker 0 exits; its replacement starts from zero
    const c = worker();
    b.metrics.recordWorkflowExecution('wf', 'summarize', 'openai', 'success', 10);
    const after = samples(
      (
        await merge(
          [
            { snapshot: await snapshotOf(c.registry, 3), worker: '0' },
            { snapshot: await snapshotOf(b.registry, 2), worker: '1' },
          ],
          'text',
          o,
          carry,
        )
      ).body,
    );
    const wf = 'service="api",workflow_name="summarize",engine_type="openai",status="success"';
    expect(before.get(`workflow_executions_total{${wf}}`)).toBe(2);
    expect(after.get(`workflow_executions_total{${wf}}`)).toBe(3);
    expect(after.get(`workflow_execution_duration_seconds_count{${wf}}`)).toBe(3);
    expect(after.get('workflow_queue_size{service="api",queue="default"}')).toBeUndefined();
    for (const [name, value] of before) {
      if (name.includes('_total') || name.includes('_seconds_'))
        expect(after.get(name)).toBeGreaterThanOrEqual(value);
    }
  });

  it('does not carry process CPU of a worker thread, whose process still runs', async () => {
    const o = options();
    const carry = new Carry(o);
    const registry = new Registry();
    new Counter({ name: 'process_cpu_seconds_total', help: 'cpu', registers: [registry] }).inc(9);
    carry.keep(await snapshotOf(registry, process.pid), '0');
    const cluster = new Carry(o);
    cluster.keep(await snapshotOf(registry, process.pid + 1), '0');
    const live = { snapshot: await snapshotOf(registry, process.pid), worker: 'primary' };
    expect(
      samples((await merge([live], 'text', o, carry)).body).get('process_cpu_seconds_total'),
    ).toBe(9);
    expect(
      samples((await merge([live], 'text', o, cluster)).body).get('process_cpu_seconds_total'),
    ).toBe(18);
  });
});

describe('snapshots', () => {
  it('read histograms that are not plain prom-client ones through get()', async () => {
    class Custom extends Histogram {}
    const registry = new Registry();
    const h = new Custom({
      name: 'custom_seconds',
      help: 'c',
      buckets: [1],
      registers: [registry],
    });
    h.observe(0.5);
    const snapshot = await snapshotOf(registry);
    expect(snapshot.families[0]?.kind).toBe('values');
    expect((await merge([{ snapshot, worker: '0' }])).body).toBe(
      (await render(registry, 'text')).body,
    );
  });
});
