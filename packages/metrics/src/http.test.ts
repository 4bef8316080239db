import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { CONTRACT, createMetrics, METRICS } from './index.js';

async function activeRequests(registry: Registry): Promise<number> {
  const gauge = await registry.getSingleMetric(METRICS.httpServerActiveRequests.name)!.get();
  return gauge.values.reduce((sum, v) => sum + v.value, 0);
}

describe('HTTP recorder', () => {
  it('keeps active requests right through end, abort and double calls', async () => {
    const registry = new Registry();
    const { http, expose } = createMetrics({
      serviceName: 'api',
      registry,
      collectDefaultMetrics: false,
    });
    const a = http.start('GET');
    const b = http.start('POST');
    const c = http.start('GET');
    expect(await activeRequests(registry)).toBe(3);
    a.end({ route: '/a', statusCode: 200 });
    a.end({ route: '/a', statusCode: 500 });
    b.abort({ route: '/b' });
    b.end({ route: '/b', statusCode: 200 });
    c.end({ route: '/c', statusCode: 500 });
    expect(await activeRequests(registry)).toBe(0);
    expect(a.done && b.done && c.done).toBe(true);
    const { body } = await expose();
    expect(body).toContain('http_route="/a",http_response_status_code="200"} 1');
    expect(body).not.toContain('http_route="/a",http_response_status_code="500"');
    expect(body).toContain(
      'http_server_request_duration_seconds_count{service="api",http_request_method="POST",http_route="/b",http_response_status_code="499"} 1',
    );
    expect(body).not.toContain('http_route="/b",http_response_status_code="200"');
  });

  it('never throws into the request, even with nonsense input', async () => {
    const registry = new Registry();
    const { http } = createMetrics({ serviceName: 'api', registry, collectDefaultMetrics: false });
    const timer = http.start(undefined as never);
    expect(() =>
      timer.end({
        route: 42 as never,
        statusCode: Number.NaN,
        requestBytes: -1,
        responseBytes: Infinity,
      }),
    ).not.toThrow();
    expect(await activeRequests(registry)).toBe(0);
  });

  it('records no body sizes unless asked to (opt-in, as in the OpenTelemetry conventions)', async () => {
    const registry = new Registry();
    const { http, expose } = createMetrics({
      serviceName: 'api',
      registry,
      collectDefaultMetrics: false,
    });
    expect(http.bodySizes).toBe(false);
    http
      .start('PUT')
      .end({ route: '/files/:id', statusCode: 201, requestBytes: 9, responseBytes: 9 });
    const { body } = await expose();
    expect(body).not.toContain('body_size');
    expect(body).toContain(
      'http_server_request_duration_seconds_count{service="api",http_request_method="PUT",http_route="/files/:id",http_response_status_code="201"} 1',
    );
    expect(() =>
      createMetrics({ serviceName: 'x', registry, httpBodySizes: 'yes' as never }),
    ).toThrow(/createMetrics: httpBodySizes must be true or false, got "yes"/);
  });

  it('registers exactly the HTTP metrics the contract marks as default, and the rest on opt-in', () => {
    const http = CONTRACT.filter((def) => def.name.startsWith('http_server_'));
    const registered = (httpBodySizes: boolean) => {
      const registry = new Registry();
      createMetrics({ serviceName: 'api', registry, collectDefaultMetrics: false, httpBodySizes });
      const names = new Set(registry.getMetricsAsArray().map((metric) => metric.name));
      return http.filter((def) => names.has(def.name)).map((def) => def.name);
    };
    expect(registered(false)).toEqual(
      http.filter((def) => def.optIn === undefined).map((def) => def.name),
    );
    expect(registered(true)).toEqual(http.map((def) => def.name));
    expect(http.filter((def) => def.optIn === 'httpBodySizes').map((def) => def.name)).toEqual([
      'http_server_request_body_size_bytes',
      'http_server_response_body_size_bytes',
    ]);
  });

  it('records sizes only when they are known', async () => {
    const registry = new Registry();
    const { http, expose } = createMetrics({
      serviceName: 'api',
      registry,
      collectDefaultMetrics: false,
      httpBodySizes: true,
    });
    expect(http.bodySizes).toBe(true);
    http
      .start('PUT')
      .end({ route: '/files/:id', statusCode: 201, requestBytes: 2048, responseBytes: 10 });
    http.start('PUT').end({ route: '/files/:id', statusCode: 201 });
    const { body } = await expose();
    expect(body).toContain(
      'http_server_request_body_size_bytes_sum{service="api",http_request_method="PUT",http_route="/files/:id",http_response_status_code="201"} 2048',
    );
    expect(body).toContain(
      'http_server_request_body_size_bytes_count{service="api",http_request_method="PUT",http_route="/files/:id",http_response_status_code="201"} 1',
    );
    expect(body).toContain(
      'http_server_request_duration_seconds_count{service="api",http_request_method="PUT",http_route="/files/:id",http_response_status_code="201"} 2',
    );
  });
});
