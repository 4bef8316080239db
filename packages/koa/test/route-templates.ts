// Route templates from @koa/router: prefixes and nested routers joined, read at the very end.
import { requestCounts, send, trackResponses, urlOf } from '@ai-orchestrator/testkit/conformance';
import type Koa from 'koa';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetricsMiddleware } from '../src/index.js';
import { serveKoa, type KoaClass, type RouterClass } from './driver.js';

/**
 * A Koa app with the adapter mounted first (after `before`, when given), recording into a
 * fresh registry.
 */
export function setup(
  KoaOf: KoaClass,
  options: Record<string, unknown> = {},
  before: Koa.Middleware[] = [],
) {
  const registry = new Registry();
  const app = new KoaOf();
  app.silent = true; // the thrown test errors are expected; keep Koa from logging them
  for (const middleware of before) app.use(middleware);
  app.use(
    createMetricsMiddleware({
      serviceName: 'koa-test',
      registry,
      collectDefaultMetrics: false,
      ...options,
    }),
  );
  return { registry, app };
}

/** Serving Koa apps for one describe block; `closeAll()` belongs in `afterEach`. */
export function koaServers() {
  const open: { close(): Promise<void> }[] = [];
  return {
    async serve(app: Koa) {
      const running = await serveKoa(app);
      open.push(running);
      return { url: urlOf(running.server), ...trackResponses(running.server) };
    },
    async closeAll() {
      for (const running of open.splice(0)) await running.close();
    },
  };
}

export function routeTemplateTests(label: string, KoaOf: KoaClass, RouterOf: RouterClass): void {
  describe(`route templates: ${label}`, () => {
    const servers = koaServers();
    afterEach(() => servers.closeAll());

    it('labels requests with the full @koa/router template, prefixes and nested routers included', async () => {
      const { registry, app } = setup(KoaOf);
      const api = new RouterOf({ prefix: '/api' });
      api.get('/users/:id', (ctx) => {
        ctx.body = { id: ctx.params.id };
      });
      const items = new RouterOf();
      items.get('/items/:itemId', (ctx) => {
        ctx.body = 'item';
      });
      const v1 = new RouterOf();
      v1.use('/v1', items.routes());
      const orders = new RouterOf();
      orders.get('/:orderId/lines/:line', (ctx) => {
        ctx.body = 'line';
      });
      const shop = new RouterOf({ prefix: '/shop' });
      shop.use('/orders', orders.routes());
      const root = new RouterOf();
      root.get('/', (ctx) => {
        ctx.body = 'home';
      });
      for (const router of [api, v1, shop, root]) {
        app.use(router.routes()).use(router.allowedMethods());
      }
      const { url, settled } = await servers.serve(app);
      for (const path of [
        '/api/users/1',
        '/api/users/2',
        '/v1/items/9',
        '/shop/orders/7/lines/2',
        '/',
      ]) {
        expect((await send(url + path)).status).toBe(200);
      }
      expect((await send(`${url}/api/nope/1`)).status).toBe(404);
      expect((await send(`${url}/api/users/1`, { method: 'DELETE' })).status).toBe(405);
      await settled();
      expect(await requestCounts(registry)).toEqual({
        'GET /api/users/:id 200': 2,
        'GET /v1/items/:itemId 200': 1,
        'GET /shop/orders/:orderId/lines/:line 200': 1,
        'GET / 200': 1,
        'GET __unmatched__ 404': 1,
        'DELETE __unmatched__ 405': 1,
      });
    });

    it('reads the template at the end, so router middleware and later routers do not change it', async () => {
      const { registry, app } = setup(KoaOf);
      const router = new RouterOf({ prefix: '/api' });
      router.use(async (_ctx, next) => next()); // a router-level middleware layer
      router.get('/things/:id', async (ctx, next) => {
        ctx.body = 'thing';
        await next();
      });
      app.use(router.routes());
      app.use((ctx) => {
        ctx.set('x-after-router', '1'); // plain middleware after the router
      });
      const { url, settled } = await servers.serve(app);
      expect((await send(`${url}/api/things/3`)).headers['x-after-router']).toBe('1');
      await settled();
      expect(await requestCounts(registry)).toEqual({ 'GET /api/things/:id 200': 1 });
    });
  });
}
