// What only Koa has: apps without a router, ctx.throw and error middleware, bodies Koa writes
// (raw, fixed, web bodies on Koa 3), and the metrics route (metrics-route.ts).
import { bodyBytes, requestCounts, send } from '@ai-orchestrator/testkit/conformance';
import type Koa from 'koa';
import mountApp from 'koa-mount';
import { createMetricsMiddleware } from '../src/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { KoaClass, RouterClass } from './driver.js';
import { koaServers, setup } from './route-templates.js';
import { metricsRouteTests } from './metrics-route.js';
import { webBodyTests } from './web-bodies.js';

export function koaSpecificTests(
  label: string,
  KoaOf: KoaClass,
  RouterOf: RouterClass,
  major: 2 | 3,
): void {
  describe(`${label}: Koa middleware, errors and bodies`, () => {
    const servers = koaServers();
    afterEach(() => servers.closeAll());

    it('labels every request of an app without a router __unmatched__', async () => {
      const { registry, app } = setup(KoaOf);
      app.use((ctx) => {
        ctx.body = 'plain';
      });
      const { url, settled } = await servers.serve(app);
      await send(`${url}/a`);
      await send(`${url}/b/c?q=1`);
      await settled();
      expect(await requestCounts(registry)).toEqual({ 'GET __unmatched__ 200': 2 });
    });

    it('labels a rewritten URL by the route it reached, and a mounted app by its mount, root included', async () => {
      // a rewrite before the adapter: `/legacy/users/7` reaches the router as `/users/7`
      const rewrite: Koa.Middleware = (ctx, next) => {
        if (ctx.path.startsWith('/legacy/')) ctx.url = ctx.url.slice('/legacy'.length);
        return next();
      };
      const { registry, app } = setup(KoaOf, {}, [rewrite]);
      const router = new RouterOf();
      router.get('/users/:id', (ctx) => {
        ctx.body = 'user';
      });
      app.use(router.routes());
      // a koa-mount app with its own router, its root route included
      const inner = new KoaOf();
      const innerRouter = new RouterOf();
      innerRouter.get('/', (ctx) => {
        ctx.body = 'root';
      });
      innerRouter.get('/items/:id', (ctx) => {
        ctx.body = 'item';
      });
      inner.use(
        createMetricsMiddleware({
          serviceName: 'koa-test',
          registry,
          collectDefaultMetrics: false,
        }),
      );
      inner.use(innerRouter.routes());
      const outer = new KoaOf();
      outer.use(mountApp('/api', inner));
      const plain = await servers.serve(app);
      expect((await send(`${plain.url}/legacy/users/7`)).body).toBe('user');
      await plain.settled();
      const mounted = await servers.serve(outer);
      for (const path of ['/api', '/api?x=1', '/api/', '/api/items/3']) {
        expect([path, (await send(mounted.url + path)).status]).toEqual([path, 200]);
      }
      await mounted.settled();
      expect(await requestCounts(registry)).toEqual({
        'GET /users/:id 200': 1,
        'GET /api/ 200': 3,
        'GET /api/items/:id 200': 1,
      });
    });

    it("leaves a mounted app's metrics path to the outer instance of the same metrics object", async () => {
      const { registry, app } = setup(KoaOf, { auth: { type: 'bearer', token: 'koa-token-1' } });
      const inner = new KoaOf();
      inner.use(
        createMetricsMiddleware({
          serviceName: 'koa-test',
          registry,
          collectDefaultMetrics: false,
        }),
      );
      inner.use((ctx) => {
        ctx.body = 'inner';
      });
      app.use(mountApp('/api', inner));
      const { url } = await servers.serve(app);
      expect((await send(`${url}/metrics`)).status).toBe(401);
      const inside = await send(`${url}/api/metrics`);
      expect(inside.body).toBe('inner');
      expect(inside.body).not.toContain('http_server_request_duration_seconds');
    });

    it('counts ctx.throw with the status Koa sends', async () => {
      const { registry, app } = setup(KoaOf);
      const router = new RouterOf();
      router.get('/forbidden', (ctx) => ctx.throw(403, 'no'));
      app.use(router.routes());
      const { url, settled } = await servers.serve(app);
      expect((await send(`${url}/forbidden`)).status).toBe(403);
      await settled();
      expect(await requestCounts(registry)).toEqual({ 'GET /forbidden 403': 1 });
    });

    it('counts the status an error-handling middleware sends, mounted before or after it', async () => {
      const teapot: Koa.Middleware = async (ctx, next) => {
        try {
          await next();
        } catch {
          ctx.status = 418;
          ctx.body = 'teapot';
        }
      };
      const router = new RouterOf();
      router.get('/brew', async () => {
        await Promise.resolve();
        throw new Error('no coffee');
      });
      const outer = setup(KoaOf, {}, [teapot]);
      outer.app.use(router.routes());
      const inner = setup(KoaOf);
      inner.app.use(teapot).use(router.routes());
      for (const { app, registry } of [outer, inner]) {
        const { url, settled } = await servers.serve(app);
        const reply = await send(`${url}/brew`);
        expect([reply.status, reply.body]).toEqual([418, 'teapot']);
        await settled();
        expect(await requestCounts(registry)).toEqual({ 'GET /brew 418': 1 });
      }
    });

    it('counts the bytes of a fixed body, a raw response and an empty one', async () => {
      const { registry, app } = setup(KoaOf, { httpBodySizes: true });
      const router = new RouterOf();
      router.get('/fixed', (ctx) => {
        ctx.body = 'x'.repeat(200);
      });
      router.get('/raw', (ctx) => {
        ctx.respond = false; // the handler writes Node's response itself
        ctx.res.statusCode = 202;
        ctx.res.write('12345');
        ctx.res.end('678');
      });
      router.post('/upload', (ctx) => {
        ctx.status = 204;
      });
      app.use(router.routes());
      const { url, settled } = await servers.serve(app);
      expect((await send(`${url}/fixed`)).headers['content-length']).toBe('200');
      expect((await send(`${url}/raw`)).status).toBe(202);
      const upload = await send(`${url}/upload`, { method: 'POST', body: 'y'.repeat(321) });
      expect(upload.status).toBe(204);
      await settled();
      expect(await bodyBytes(registry, 'response')).toEqual({
        '/fixed': 200,
        '/raw': 8,
        '/upload': 0,
      });
      expect((await bodyBytes(registry, 'request'))['/upload']).toBe(321);
      expect(await requestCounts(registry)).toMatchObject({
        'GET /raw 202': 1,
        'POST /upload 204': 1,
      });
    });

    if (major >= 3) webBodyTests(KoaOf, RouterOf, servers);

    metricsRouteTests(KoaOf, RouterOf, servers);
  });
}
