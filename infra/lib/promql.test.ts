import { Registry, collectDefaultMetrics } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { PROM_CLIENT_DEFAULT_METRICS } from './external-metrics.js';
import { knownMetrics, metricNamesIn } from './promql.js';

describe('metricNamesIn', () => {
  it('collects selector names through functions, aggregations and binary operators', () => {
    const expr =
      'histogram_quantile(0.95, sum by (le) (rate(http_server_request_duration_seconds_bucket{service="a"}[5m])))' +
      ' / on (service) group_left service:http_server_requests:rate5m offset 5m';
    expect(metricNamesIn(expr)).toEqual([
      'http_server_request_duration_seconds_bucket',
      'service:http_server_requests:rate5m',
    ]);
  });

  it('reads __name__ matchers, including literal alternatives, and subqueries', () => {
    expect(metricNamesIn('{__name__="up", job="x"}')).toEqual(['up']);
    expect(metricNamesIn("{__name__=~'node_load1|node_load5'}")).toEqual([
      'node_load1',
      'node_load5',
    ]);
    expect(metricNamesIn('max_over_time(workflow_queue_size[1h:5m])')).toEqual([
      'workflow_queue_size',
    ]);
    // A real regex names no single metric.
    expect(metricNamesIn('{__name__=~"node_.+"}')).toEqual([]);
  });

  it('returns each name once and nothing for metric-free expressions', () => {
    expect(metricNamesIn('up == 0 or up')).toEqual(['up']);
    expect(metricNamesIn('vector(1)')).toEqual([]);
  });

  it('throws a TypeError naming the expression on a syntax error or bad input', () => {
    expect(() => metricNamesIn('sum(rate(up[5m])')).toThrow(TypeError);
    expect(() => metricNamesIn('sum(rate(up[5m])')).toThrow(/syntax error.*sum\(rate/);
    expect(() => metricNamesIn('')).toThrow(/expr: expected a non-empty PromQL string/);
    expect(() => metricNamesIn(42 as unknown as string)).toThrow(TypeError);
  });
});

describe('knownMetrics', () => {
  it('holds the contract series, the recording rules and the external exporters', () => {
    const known = knownMetrics();
    for (const name of [
      'http_server_request_duration_seconds_bucket',
      'workflow_executions_total',
      'business_active_users',
      'service:http_server_requests:rate5m',
      'slo:sli_error:ratio_rate30d',
      'up',
      'ALERTS',
      'node_cpu_seconds_total',
      'nodejs_eventloop_lag_p99_seconds',
    ]) {
      expect(known, name).toContain(name);
    }
    expect(known.has('http_requests_total')).toBe(false);
  });

  it("lists exactly prom-client's default metrics", async () => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const names = (await registry.getMetricsAsJSON()).flatMap((m) =>
      String(m.type) === 'histogram'
        ? ['_bucket', '_sum', '_count'].map((s) => m.name + s)
        : [m.name],
    );
    expect([...names].sort()).toEqual([...PROM_CLIENT_DEFAULT_METRICS].sort());
  });
});
