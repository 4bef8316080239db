// Label values cannot merge, forge or multiply series: well-formed values, injective keys, and a
// per-metric series budget with a counted overflow series (issue 14, points 4 and 5).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createMetrics, METRICS } from './index.js';

function fresh(limits?: Parameters<typeof createMetrics>[0]['limits']) {
  const registry = new Registry();
  const metrics = createMetrics({
    serviceName: 'adv',
    registry,
    collectDefaultMetrics: false,
    httpBodySizes: true,
    ...(limits ? { limits } : {}),
  });
  return { registry, metrics };
}

/** Sample lines of one series name (no HELP/TYPE), as printed. */
function lines(body: string, name: string): string[] {
  return body.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
}

/** Every label set printed twice for one series name: what Prometheus would keep only once. */
function duplicates(body: string): string[] {
  const seen = new Set<string>();
  const twice: string[] = [];
  for (const line of body.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const id = line.slice(0, line.lastIndexOf(' '));
    if (seen.has(id)) twice.push(id);
    seen.add(id);
  }
  return twice;
}

describe('label values that would merge or forge series', () => {
  it('makes lone surrogates U+FFFD before they key a series: one series, counted twice', async () => {
    const { metrics } = fresh();
    metrics.recordWorkflowExecution('a', 'x\uD800y', 'e', 'success', 10);
    metrics.recordWorkflowExecution('b', 'x\uDBFFy', 'e', 'success', 10);
    metrics.setQueueSize('q\uDC00', 1);
    metrics.setQueueSize('q\uDFFF', 2);
    metrics.http.start('GET').end({ route: '/r\uD800', statusCode: 200 });
    metrics.http.start('GET').end({ route: '/r\uDBFF', statusCode: 200 });
    const { body } = await metrics.expose();
    expect(duplicates(body)).toEqual([]);
    expect(lines(body, 'workflow_executions_total')).toEqual([
      'workflow_executions_total{service="adv",workflow_name="x\uFFFDy",engine_type="e",status="success"} 2',
    ]);
    expect(lines(body, 'workflow_queue_size')).toEqual([
      'workflow_queue_size{service="adv",queue="q\uFFFD"} 2',
    ]);
    expect(body).toContain(
      'http_server_request_duration_seconds_count{service="adv",http_request_method="GET",http_route="/r\uFFFD",http_response_status_code="200"} 2',
    );
  });

  it('keeps long values that share a beginning apart: cut, with a digest of the whole value', async () => {
    const { registry, metrics } = fresh({ maxLabelValues: 3 });
    const base = `/long/${'a'.repeat(130)}`;
    for (const route of [`${base}/users/:id`, `${base}/orders/:id`, `${base}/users/:id`]) {
      metrics.http.start('GET').end({ route, statusCode: 200 });
    }
    const body = await registry.metrics();
    const counts = lines(body, 'http_server_request_duration_seconds_count');
    expect(counts).toHaveLength(2);
    const routes = counts.map((line) => /http_route="([^"]*)"/.exec(line)?.[1] ?? '');
    for (const route of routes) {
      expect(route).toHaveLength(128);
      expect(route).toMatch(/^\/long\/a+~[0-9a-f]{12}$/);
    }
    expect(new Set(routes).size).toBe(2);
    expect(counts.map((line) => line.slice(line.lastIndexOf(' ') + 1)).sort()).toEqual(['1', '2']);
    // each cut value counts against the label's limit like any other: the fourth is an overflow
    for (const tail of ['/a', '/b']) {
      metrics.http.start('GET').end({ route: `${base}${tail}`, statusCode: 200 });
    }
    const after = await registry.metrics();
    expect(lines(after, 'http_server_request_duration_seconds_count').join('\n')).toContain(
      'http_route="__overflow__"',
    );
    expect(lines(after, METRICS.labelOverflow.name).join('\n')).toMatch(/ 1$/m);
    expect(duplicates(after)).toEqual([]);
  });

  it('keeps a service name with lone surrogates well-formed on every series', async () => {
    const registry = new Registry();
    const metrics = createMetrics({
      serviceName: 's\uD800',
      registry,
      collectDefaultMetrics: false,
    });
    metrics.recordEngineCall('e', 'op', 'success', 1);
    const { body } = await metrics.expose();
    expect(body).toContain('engine_calls_total{service="s\uFFFD",');
    // No lone surrogate left anywhere in the body.
    expect(body).not.toMatch(/\p{Cs}/u);
  });

  it('keeps apart label sets that prom-client would key alike (issue 14 reproduction)', async () => {
    const { metrics } = fresh();
    metrics.recordWorkflowExecution(
      'a',
      'y,service:adv,status:failure,workflow_name:w',
      'x',
      'success',
      10,
    );
    metrics.recordWorkflowExecution(
      'b',
      'w',
      'x,service:adv,status:success,workflow_name:y',
      'failure',
      20000,
    );
    const { body } = await metrics.expose();
    expect(lines(body, 'workflow_executions_total')).toEqual([
      'workflow_executions_total{service="adv",workflow_name="y,service:adv,status:failure,workflow_name:w",engine_type="x",status="success"} 1',
      'workflow_executions_total{service="adv",workflow_name="w",engine_type="x,service:adv,status:success,workflow_name:y",status="failure"} 1',
    ]);
    expect(lines(body, 'workflow_execution_duration_seconds_sum')).toEqual([
      'workflow_execution_duration_seconds_sum{service="adv",workflow_name="y,service:adv,status:failure,workflow_name:w",engine_type="x",status="success"} 0.01',
      'workflow_execution_duration_seconds_sum{service="adv",workflow_name="w",engine_type="x,service:adv,status:success,workflow_name:y",status="failure"} 20',
    ]);
  });

  it('keeps forged engine calls apart, and routes of two services on one registry', async () => {
    const { registry, metrics } = fresh();
    // prom-client keys both `engine_type:e,operation:o,service:adv,status:failure,operation:p,…`.
    metrics.recordEngineCall('e', 'o,service:adv,status:failure,operation:p', 'success', 1);
    metrics.recordEngineCall('e,operation:o,service:adv,status:failure', 'p', 'success', 1);
    // …and both `…,http_route:/x,service:y,service:z,` for these two services.
    const z = createMetrics({ serviceName: 'z', registry, collectDefaultMetrics: false });
    const yz = createMetrics({
      serviceName: 'y,service:z',
      registry,
      collectDefaultMetrics: false,
    });
    z.http.start('GET').end({ route: '/x,service:y', statusCode: 200 });
    yz.http.start('GET').end({ route: '/x', statusCode: 200 });
    const { body } = await metrics.expose();
    expect(duplicates(body)).toEqual([]);
    expect(lines(body, 'engine_calls_total')).toEqual([
      'engine_calls_total{service="adv",engine_type="e",operation="o,service:adv,status:failure,operation:p",status="success"} 1',
      'engine_calls_total{service="adv",engine_type="e,operation:o,service:adv,status:failure",operation="p",status="success"} 1',
    ]);
    expect(lines(body, 'http_server_request_duration_seconds_count')).toEqual([
      'http_server_request_duration_seconds_count{service="z",http_request_method="GET",http_route="/x,service:y",http_response_status_code="200"} 1',
      'http_server_request_duration_seconds_count{service="y,service:z",http_request_method="GET",http_route="/x",http_response_status_code="200"} 1',
    ]);
  });
});

function gcFunction(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

describe('series budget', () => {
  it('holds 100 workflow names x 100 engines x 4 statuses within the budget and 48 MB of heap', async () => {
    const gc = gcFunction();
    gc();
    const before = process.memoryUsage().heapUsed;
    const { registry, metrics } = fresh();
    const statuses = ['success', 'failure', 'timeout', 'cancelled'] as const;
    for (let w = 0; w < 100; w++) {
      for (let e = 0; e < 100; e++) {
        for (const status of statuses) {
          metrics.recordWorkflowExecution(
            `wf-${w}-${e}`,
            `workflow-${w}`,
            `engine-${e}`,
            status,
            5,
          );
        }
      }
    }
    const { body } = await metrics.expose();
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    // Before the budget: 640k lines, an 82 MB body and about 619 MB of heap.
    expect(grown).toBeLessThan(48 * 1024 * 1024);
    expect(body.length).toBeLessThan(4 * 1024 * 1024);
    const series = lines(body, 'workflow_executions_total');
    // 1000 admitted label sets, plus one overflow series per status.
    expect(series).toHaveLength(1004);
    const total = series.reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    expect(total).toBe(40_000);
    expect(series).toContain(
      'workflow_executions_total{service="adv",workflow_name="__overflow__",engine_type="__overflow__",status="failure"} 9750',
    );
    const overflow = await registry.getSingleMetric(METRICS.seriesOverflow.name)!.get();
    expect(overflow.values).toEqual([
      { labels: { service: 'adv', metric: 'workflow_executions_total' }, value: 39_000 },
    ]);
    expect(lines(body, 'workflow_execution_duration_seconds_count')).toHaveLength(1004);
  });

  it('is configurable per metric, and the HTTP histograms share one budget', async () => {
    const { registry, metrics } = fresh({
      maxSeries: 3,
      perMetricSeries: { http_server_request_duration_seconds: 2 },
    });
    for (const route of ['/a', '/b', '/c', '/d']) {
      metrics.http.start('GET').end({ route, statusCode: 200, responseBytes: 10 });
    }
    for (const queue of ['q1', 'q2', 'q3', 'q4']) metrics.setQueueSize(queue, 1);
    const { body } = await metrics.expose();
    expect(lines(body, 'http_server_response_body_size_bytes_count')).toEqual([
      'http_server_response_body_size_bytes_count{service="adv",http_request_method="GET",http_route="/a",http_response_status_code="200"} 1',
      'http_server_response_body_size_bytes_count{service="adv",http_request_method="GET",http_route="/b",http_response_status_code="200"} 1',
      'http_server_response_body_size_bytes_count{service="adv",http_request_method="GET",http_route="__overflow__",http_response_status_code="__overflow__"} 2',
    ]);
    expect(lines(body, 'workflow_queue_size')).toEqual([
      'workflow_queue_size{service="adv",queue="q1"} 1',
      'workflow_queue_size{service="adv",queue="q2"} 1',
      'workflow_queue_size{service="adv",queue="q3"} 1',
      'workflow_queue_size{service="adv",queue="__overflow__"} 1',
    ]);
    const overflow = await registry.getSingleMetric(METRICS.seriesOverflow.name)!.get();
    expect(overflow.values.map((v) => [v.labels.metric, v.value])).toEqual([
      ['http_server_request_duration_seconds', 2],
      ['workflow_queue_size', 1],
    ]);
  });

  it('rejects a bad budget with a TypeError naming the field', () => {
    expect(() => fresh({ maxSeries: 0 })).toThrow(
      /createMetrics: limits.maxSeries must be an integer >= 1, got 0/,
    );
    expect(() => fresh({ perMetricSeries: { x: 1.5 } })).toThrow(
      /limits.perMetricSeries.x must be an integer >= 1, got 1.5/,
    );
  });
});
