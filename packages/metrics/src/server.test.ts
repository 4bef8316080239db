import { Gauge, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics, startMetricsServer, type MetricsServer } from './index.js';

let server: MetricsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function registryWithData(): Registry {
  const registry = new Registry();
  createMetrics({ serviceName: 'svc', registry, collectDefaultMetrics: false }).setQueueSize(
    'default',
    3,
  );
  return registry;
}

describe('startMetricsServer', () => {
  it('serves /metrics and /healthz on its own port', async () => {
    server = await startMetricsServer({ port: 0, host: '127.0.0.1', registry: registryWithData() });
    const res = await fetch(server.url);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('workflow_queue_size{service="svc",queue="default"} 3');
    const health = await fetch(new URL('/healthz', server.url));
    expect(await health.text()).toBe('ok\n');
    expect((await fetch(new URL('/nope', server.url))).status).toBe(404);
  });

  it('answers OpenMetrics when asked, and HEAD without a body', async () => {
    server = await startMetricsServer({ port: 0, host: '127.0.0.1', registry: registryWithData() });
    const om = await fetch(server.url, {
      headers: { Accept: 'application/openmetrics-text; version=1.0.0' },
    });
    expect(om.headers.get('content-type')).toBe(
      'application/openmetrics-text; version=1.0.0; charset=utf-8',
    );
    expect((await om.text()).endsWith('# EOF\n')).toBe(true);
    const head = await fetch(server.url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('refuses methods other than GET and HEAD with 405', async () => {
    server = await startMetricsServer({ port: 0, host: '127.0.0.1', registry: registryWithData() });
    const res = await fetch(server.url, { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });

  it('checks bearer auth: 401 without or with a wrong token, 200 with it', async () => {
    server = await startMetricsServer({
      port: 0,
      host: '127.0.0.1',
      registry: registryWithData(),
      auth: { type: 'bearer', token: 's3cret' },
    });
    const none = await fetch(server.url);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
    expect((await fetch(server.url, { headers: { Authorization: 'Bearer wrong' } })).status).toBe(
      401,
    );
    expect((await fetch(server.url, { headers: { Authorization: 'Bearer s3cret' } })).status).toBe(
      200,
    );
  });

  it('checks basic auth: 401 without or with wrong credentials, 200 with them', async () => {
    server = await startMetricsServer({
      port: 0,
      host: '127.0.0.1',
      registry: registryWithData(),
      auth: { type: 'basic', username: 'prom', password: 'pa:ss' },
    });
    const basic = (u: string, p: string) => ({
      Authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`,
    });
    const none = await fetch(server.url);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Basic realm="metrics", charset="UTF-8"');
    expect((await fetch(server.url, { headers: basic('prom', 'nope') })).status).toBe(401);
    expect((await fetch(server.url, { headers: { Authorization: 'Bearer pa:ss' } })).status).toBe(
      401,
    );
    expect((await fetch(server.url, { headers: basic('prom', 'pa:ss') })).status).toBe(200);
  });

  it('answers 500 with a short message when collection fails, and keeps serving', async () => {
    const registry = registryWithData();
    let broken = true;
    new Gauge({
      name: 'flaky_gauge',
      help: 'Fails while broken.',
      registers: [registry],
      collect() {
        if (broken) throw new Error('backend unavailable');
        this.set(1);
      },
    });
    server = await startMetricsServer({ port: 0, host: '127.0.0.1', registry });
    const res = await fetch(server.url);
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('metrics collection failed: backend unavailable\n');
    broken = false;
    const ok = await fetch(server.url);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('flaky_gauge 1');
  });

  it('rejects bad options with a TypeError naming the field', async () => {
    await expect(startMetricsServer({ port: 70000 })).rejects.toThrow(
      /startMetricsServer: port must be an integer from 0 to 65535, got 70000/,
    );
    await expect(startMetricsServer({ path: 'metrics' })).rejects.toThrow(
      /path must be a path starting with "\/", got "metrics"/,
    );
    await expect(startMetricsServer({ auth: { type: 'digest' } as never })).rejects.toThrow(
      /auth.type must be 'bearer' or 'basic', got "digest"/,
    );
  });
});
