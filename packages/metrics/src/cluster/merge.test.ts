import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import {
  parseOpenMetrics,
  promtoolCheckMetrics,
  requireBinary,
  requireOpenMetricsParser,
} from '@ai-orchestrator/testkit';
import { METRICS } from '../contract.js';
import { render } from '../exposition.js';
import { createMetrics } from '../metrics.js';
import { ensureGauge } from '../registry.js';
import {
  merge,
  options,
  samples,
  snapshotOf,
  TRACE,
  worker,
  type Source,
} from '../../test/cluster.js';

const promtool = requireBinary('promtool');
const python = requireOpenMetricsParser();

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
