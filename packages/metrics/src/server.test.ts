import { Gauge, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createMetrics,
  createMetricsHandler,
  createNodeMetricsHandler,
  startMetricsServer,
  type MetricsServer,
} from './index.js';
import { openWarning } from './server.js';

/** Collects process warnings until stop() is called. */
function captureWarnings(): { stop(): string[] } {
  const seen: string[] = [];
  const listener = (warning: Error): void => {
    seen.push(warning.message);
  };
  process.on('warning', listener);
  return {
    stop() {
      process.off('warning', listener);
      return seen;
    },
  };
}

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

  it('refuses malformed credentials, even when they decode to the right ones', async () => {
    server = await startMetricsServer({
      port: 0,
      host: '127.0.0.1',
      registry: registryWithData(),
      auth: { type: 'basic', username: 'prom', password: 'pa:ss' },
    });
    const good = Buffer.from('prom:pa:ss').toString('base64'); // cHJvbTpwYTpzcw==
    const status = async (authorization: string) =>
      (await fetch(server!.url, { headers: { Authorization: authorization } })).status;
    expect(await status(`Basic ${good}`)).toBe(200);
    expect(await status(`basic ${good}`)).toBe(200);
    for (const bad of [
      `Basic ${good}!!!`, // junk Node's base64 decoder skips
      `Basic ${good.slice(0, 4)} ${good.slice(4)}`, // a space inside
      `Basic ${good.replace(/=+$/, '')}`, // padding missing
      `Basic ${good}==`, // padding doubled
      `Basic  ${good}`, // two spaces
      `Basic ${Buffer.from('prom:pa:ss\xff', 'latin1').toString('base64')}`, // not UTF-8
      `Basic ${Buffer.from('prompa').toString('base64')}`, // no colon
      'Basic', // no credentials
      `Basic${good}`, // no space
    ]) {
      expect([bad, await status(bad)]).toEqual([bad, 401]);
    }
  });

  it("answers 500 without the collector's words, logs once, counts, and keeps serving", async () => {
    const registry = registryWithData();
    let broken = true;
    new Gauge({
      name: 'flaky_gauge',
      help: 'Fails while broken.',
      registers: [registry],
      collect() {
        if (broken) throw new Error('backend unavailable at postgres://admin:hunter2@db');
        this.set(1);
      },
    });
    const warnings = captureWarnings();
    server = await startMetricsServer({ port: 0, host: '127.0.0.1', registry });
    for (let i = 0; i < 3; i++) {
      const res = await fetch(server.url);
      expect(res.status).toBe(500);
      expect(await res.text()).toBe('metrics collection failed\n');
    }
    await new Promise((resolve) => setImmediate(resolve));
    const logged = warnings.stop().filter((w) => w.includes('collector_failed'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain('backend unavailable');
    broken = false;
    const ok = await fetch(server.url);
    expect(ok.status).toBe(200);
    const body = await ok.text();
    expect(body).toContain('flaky_gauge 1');
    expect(body).toContain(
      'metrics_scrape_errors_total{service="svc",reason="collector_failed"} 3',
    );
  });

  it('answers 503 when a collector hangs past timeoutMs, and counts it', async () => {
    const registry = registryWithData();
    let hang = true;
    new Gauge({
      name: 'slow_gauge',
      help: 'Hangs while told to.',
      registers: [registry],
      async collect() {
        if (hang) await new Promise(() => {});
      },
    });
    server = await startMetricsServer({ port: 0, host: '127.0.0.1', registry, timeoutMs: 200 });
    const res = await fetch(server.url);
    expect(res.status).toBe(503);
    expect(await res.text()).toBe('metrics collection timed out\n');
    hang = false;
    const ok = await fetch(server.url);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain(
      'metrics_scrape_errors_total{service="svc",reason="timeout"} 1',
    );
  });

  it('resolves every close(), the second one too', async () => {
    const s = await startMetricsServer({
      port: 0,
      host: '127.0.0.1',
      registry: registryWithData(),
    });
    await expect(s.close()).resolves.toBeUndefined();
    await expect(s.close()).resolves.toBeUndefined();
    await expect(fetch(s.url)).rejects.toThrow();
  });

  it('rejects a taken port with an error naming port and host, and nothing crashes', async () => {
    server = await startMetricsServer({ port: 0, host: '127.0.0.1', registry: registryWithData() });
    const taken = startMetricsServer({ port: server.port, host: '127.0.0.1' });
    await expect(taken).rejects.toThrow(
      `startMetricsServer: cannot listen on 127.0.0.1:${server.port}: port ${server.port} on 127.0.0.1 is already in use`,
    );
    await expect(taken).rejects.toMatchObject({ code: 'EADDRINUSE' });
    expect((await fetch(server.url)).status).toBe(200);
  });

  it('warns about the default host without auth, and not once the host is chosen', () => {
    expect(openWarning({}, '0.0.0.0', 9464)).toMatch(
      /metrics server on 0.0.0.0:9464 \(all interfaces\) has no auth/,
    );
    expect(openWarning({ host: '0.0.0.0' }, '0.0.0.0', 9464)).toBeUndefined();
    expect(openWarning({ auth: { type: 'bearer', token: 't' } }, '0.0.0.0', 1)).toBeUndefined();
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

describe('createNodeMetricsHandler', () => {
  it('serves the registry from a plain http server, GET and HEAD only', async () => {
    const handler = createNodeMetricsHandler({ registry: registryWithData() });
    // The handler answers every failure itself; its promise never rejects.
    const http = createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;
      const scraped = await fetch(url);
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain(
        'workflow_queue_size{service="svc",queue="default"} 3',
      );
      const posted = await fetch(url, { method: 'POST' });
      expect([posted.status, posted.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    } finally {
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    }
  });

  it('rejects bad options at creation with a TypeError naming the call and the field', () => {
    expect(() => createNodeMetricsHandler('svc' as never)).toThrow(
      new TypeError(
        'createNodeMetricsHandler: options must be an object { registry?, auth?, timeoutMs? }, got "svc"',
      ),
    );
    expect(() => createNodeMetricsHandler({ registry: {} as never })).toThrow(
      new TypeError(
        'createNodeMetricsHandler: registry must be a prom-client Registry, got an object',
      ),
    );
    expect(() => createNodeMetricsHandler({ timeoutMs: 0 })).toThrow(
      new TypeError('createNodeMetricsHandler: timeoutMs must be an integer >= 1, got 0'),
    );
    // The first name still works, and its errors say the name that was called.
    expect(() => createMetricsHandler({ auth: { type: 'bearer', token: '' } })).toThrow(
      /^createMetricsHandler: auth\.token must be a string with at least one non-whitespace character, got ""$/,
    );
    expect(typeof createMetricsHandler({ registry: new Registry() })).toBe('function');
  });
});
