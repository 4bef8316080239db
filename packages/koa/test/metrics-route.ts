// createMetricsHandler on a router of the app's own (405 on the in-app path is in the conformance suite).
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
  it('serves metrics from createMetricsHandler mounted on a router, with its own auth', async () => {
    const { registry, app } = setup(KoaOf, {
      metricsPath: false,
      ignorePaths: ['/ops/metrics', '/ops/private-metrics'],
    });
    const ops = new RouterOf({ prefix: '/ops' });
    ops.get('/metrics', createMetricsHandler({ registry }));
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

  it('rejects bad createMetricsHandler options with a TypeError naming the field', () => {
    expect(() => createMetricsHandler('svc' as never)).toThrow(
      new TypeError(
        'createMetricsHandler: options must be an object { registry?, auth?, timeoutMs? }, got "svc"',
      ),
    );
    expect(() => createMetricsHandler({ registry: {} as never })).toThrow(
      new TypeError('createMetricsHandler: registry must be a prom-client Registry, got an object'),
    );
    expect(() => createMetricsHandler({ auth: { type: 'token' } as never })).toThrow(
      new TypeError(`createMetricsHandler: auth.type must be 'bearer' or 'basic', got "token"`),
    );
    // The former name is the same function.
    expect(createMetricsRoute).toBe(createMetricsHandler);
  });
}
