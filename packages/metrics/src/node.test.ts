import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { instrumentRequest, resolveAdapterOptions } from './adapter.js';
import { createMetrics, METRICS } from './index.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

async function sample(
  registry: Registry,
  name: string,
  labels: Record<string, string>,
): Promise<number | undefined> {
  const family = name.replace(/_(sum|count|bucket)$/, '');
  const metric = await (registry.getSingleMetric(name) ?? registry.getSingleMetric(family))!.get();
  const found = metric.values.find(
    (v) =>
      ((v as { metricName?: string }).metricName ?? name) === name &&
      Object.entries(labels).every(([k, val]) => v.labels[k] === val),
  );
  return found?.value;
}

describe('instrumentRequest on real Node HTTP', () => {
  it('counts the real size of a streamed, chunked response', async () => {
    const registry = new Registry();
    const metrics = createMetrics({
      serviceName: 'node',
      registry,
      collectDefaultMetrics: false,
      httpBodySizes: true,
    });
    const url = await listen((req, res) => {
      instrumentRequest(metrics.http, req, res, () => '/stream');
      res.write('a'.repeat(1000));
      setTimeout(() => {
        res.write(Buffer.alloc(500));
        res.end('€'); // 3 bytes in UTF-8
      }, 5);
    });
    const res = await fetch(`${url}/stream`);
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    expect((await res.arrayBuffer()).byteLength).toBe(1503);
    await new Promise((r) => setTimeout(r, 20));
    expect(
      await sample(registry, 'http_server_response_body_size_bytes_sum', { http_route: '/stream' }),
    ).toBe(1503);
  });

  it('counts a client abort as 499 and returns active requests to zero', async () => {
    const registry = new Registry();
    const metrics = createMetrics({ serviceName: 'node', registry, collectDefaultMetrics: false });
    let closed!: () => void;
    const done = new Promise<void>((resolve) => (closed = resolve));
    const url = await listen((req, res) => {
      instrumentRequest(metrics.http, req, res, () => '/slow');
      res.on('close', () => setImmediate(closed));
      res.write('partial');
    });
    const req = request(`${url}/slow`, (res) => {
      res.once('data', () => req.destroy());
    });
    req.on('error', () => {});
    req.end();
    await done;
    expect(
      await sample(registry, 'http_server_request_duration_seconds_count', {
        http_response_status_code: '499',
      }),
    ).toBe(1);
    expect(
      await sample(registry, METRICS.httpServerActiveRequests.name, { http_request_method: 'GET' }),
    ).toBe(0);
  });

  it('counts the whole body for two recorders on one response, and for a later wrapper', async () => {
    const registry = new Registry();
    const sized = { registry, collectDefaultMetrics: false, httpBodySizes: true };
    const one = createMetrics({ serviceName: 'one', ...sized });
    const two = createMetrics({ serviceName: 'two', ...sized });
    let ended!: () => void;
    const done = new Promise<void>((resolve) => (ended = resolve));
    const url = await listen((req, res) => {
      instrumentRequest(one.http, req, res, () => '/twice');
      instrumentRequest(two.http, req, res, () => '/twice');
      // A wrapper installed after ours (compression, another library) still reaches Node.
      const write = res.write;
      res.write = function (this: typeof res, ...args: unknown[]) {
        return (write as (...a: unknown[]) => boolean).apply(this, args);
      } as typeof res.write;
      res.on('finish', () => setImmediate(ended));
      res.write('12345');
      res.end('678');
    });
    expect(await (await fetch(`${url}/twice`)).text()).toBe('12345678');
    await done;
    for (const service of ['one', 'two']) {
      expect(await sample(registry, 'http_server_response_body_size_bytes_sum', { service })).toBe(
        8,
      );
    }
  });

  it('times a response once per recorder when two instances of an adapter see it', async () => {
    const registry = new Registry();
    const one = createMetrics({ serviceName: 'one', registry, collectDefaultMetrics: false });
    const two = createMetrics({ serviceName: 'two', registry, collectDefaultMetrics: false });
    let ended!: () => void;
    const done = new Promise<void>((resolve) => (ended = resolve));
    const url = await listen((req, res) => {
      // an app and its sub-app, each with the middleware, on one metrics object; another on its own
      const outer = instrumentRequest(one.http, req, res, () => '/outer/:id');
      expect(instrumentRequest(one.http, req, res, () => '/:id')).toBe(outer);
      expect(instrumentRequest(two.http, req, res, () => '/two')).not.toBe(outer);
      res.on('close', () => setImmediate(ended));
      res.end('ok');
    });
    expect(await (await fetch(`${url}/outer/1`)).text()).toBe('ok');
    await done;
    const count = 'http_server_request_duration_seconds_count';
    expect(await sample(registry, count, { service: 'one', http_route: '/outer/:id' })).toBe(1);
    expect(await sample(registry, count, { service: 'one', http_route: '/:id' })).toBeUndefined();
    expect(await sample(registry, count, { service: 'two', http_route: '/two' })).toBe(1);
  });

  it('resolves adapter options: service name string, ignored paths, metrics path', () => {
    const registry = new Registry();
    const resolved = resolveAdapterOptions('test', {
      serviceName: 'svc',
      registry,
      collectDefaultMetrics: false,
      ignorePaths: ['/health', /^\/internal\//],
    });
    expect(resolved.metrics.serviceName).toBe('svc');
    expect(resolved.classify('/metrics?x=1')).not.toBe('record');
    expect(resolved.classify('/health')).toBe('ignore');
    expect(resolved.classify('/internal/debug')).toBe('ignore');
    expect(resolved.classify('/users/1')).toBe('record');
    expect(resolved.classify('/metrics')).toBe('metrics');
    expect(() => resolveAdapterOptions('express', { metricsPath: 'metrics' })).toThrow(
      /express: metricsPath must be a path starting with "\/" or false, got "metrics"/,
    );
    expect(() => resolveAdapterOptions('koa', { ignorePaths: [42 as never] })).toThrow(
      /koa: ignorePaths\[0\] must be a string or a RegExp, got 42/,
    );
  });
});
