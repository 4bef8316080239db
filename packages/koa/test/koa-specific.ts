// What only Koa has: apps without a router, ctx.throw and error middleware, bodies Koa writes
// (raw, fixed, web bodies on Koa 3), and the metrics route (metrics-route.ts).
import { bodyBytes, requestCounts, send } from '@ai-orchestrator/testkit/conformance';
import type Koa from 'koa';
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
