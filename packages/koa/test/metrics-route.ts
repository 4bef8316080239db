// The in-app metrics path beyond GET/HEAD, and createMetricsRoute on a router of the app's own.
import { requestCounts, send } from '@ai-orchestrator/testkit/conformance';
import { expect, it } from 'vitest';
import { createMetricsHandler, createMetricsRoute } from '../src/index.js';
import type { KoaClass, RouterClass } from './driver.js';
import { setup, type koaServers } from './route-templates.js';

export function metricsRouteTests(
  KoaOf: KoaClass,
  RouterOf: RouterClass,
  servers: ReturnType<typeof koaServers>,
): void {
  it('answers other methods on the in-app metrics path 405, and does not record them', async () => {
    const { registry, app } = setup(KoaOf);
    const { url, settled } = await servers.serve(app);
    const post = await send(`${url}/metrics`, { method: 'POST' });
    expect([post.status, post.headers.allow]).toEqual([405, 'GET, HEAD']);
    await settled();
    expect(await requestCounts(registry)).toEqual({});
  });

  it('serves metrics from createMetricsRoute mounted on a router, with its own auth', async () => {
    const { registry, app } = setup(KoaOf, {
      metricsPath: false,
      ignorePaths: ['/ops/metrics', '/ops/private-metrics'],
    });
    const ops = new RouterOf({ prefix: '/ops' });
    ops.get('/metrics', createMetricsRoute({ registry }));
    ops.get(
      '/private-metrics',
      createMetricsHandler({
        registry,
        auth: { type: 'basic', username: 'prom', password: 'pw' },
      }),
    );
    ops.get('/status', (ctx) => {
      ctx.body = 'up';
    });
    app.use(ops.routes());
    const { url, settled } = await servers.serve(app);
    await send(`${url}/ops/status`);
    const scraped = await send(`${url}/ops/metrics`);
    expect(scraped.status).toBe(200);
    expect(scraped.body).toContain('http_route="/ops/status"');
    expect((await send(`${url}/ops/private-metrics`)).status).toBe(401);
    const basic = `Basic ${Buffer.from('prom:pw').toString('base64')}`;
    const privateScrape = await send(`${url}/ops/private-metrics`, {
      headers: { authorization: basic },
    });
    expect(privateScrape.status).toBe(200);
    await settled();
    expect(await requestCounts(registry)).toEqual({ 'GET /ops/status 200': 1 });
  });

  it('rejects bad createMetricsRoute options with a TypeError naming the field', () => {
    expect(() => createMetricsRoute('svc' as never)).toThrow(
      new TypeError(
        'createMetricsRoute: options must be an object { registry?, auth? }, got "svc"',
      ),
    );
    expect(() => createMetricsRoute({ auth: { type: 'token' } as never })).toThrow(TypeError);
    expect(createMetricsHandler).toBe(createMetricsRoute);
  });
}
