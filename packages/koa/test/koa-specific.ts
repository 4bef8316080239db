// What only Koa has: apps without a router, ctx.throw and error middleware, bodies Koa writes
// (raw, fixed, web bodies on Koa 3), and the metrics route (metrics-route.ts).
import { request } from 'node:http';
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

    it('labels the routes of koa-mounted apps with their mount from a middleware in the parent app', async () => {
      const { registry, app } = setup(KoaOf);
      // two versions of one API, mounted side by side: their series must not merge
      for (const version of ['/v1', '/v2']) {
        const inner = new KoaOf();
        const router = new RouterOf();
        router.get('/', (ctx) => {
          ctx.body = 'root';
        });
        router.get('/users/:id', (ctx) => {
          ctx.body = `user ${version}`;
        });
        inner.use(router.routes());
        app.use(mountApp(version, inner));
      }
      // a mounted app that hands a request back to its parent's router
      const passing = new KoaOf();
      passing.use((_ctx, next) => next());
      app.use(mountApp('/shared', passing));
      const parent = new RouterOf();
      parent.get('/shared/status/:code', (ctx) => {
        ctx.body = 'parent';
      });
      app.use(parent.routes());
      const { url, settled } = await servers.serve(app);
      for (const path of ['/v1/users/1', '/v2/users/2', '/v2/Users/3/', '/v1', '/v2/']) {
        expect([path, (await send(url + path)).status]).toEqual([path, 200]);
      }
      expect((await send(`${url}/shared/status/ok`)).body).toBe('parent');
      await settled();
      expect(await requestCounts(registry)).toEqual({
        'GET /v1/users/:id 200': 1,
        'GET /v2/users/:id 200': 2,
        'GET /v1/ 200': 1,
        'GET /v2/ 200': 1,
        'GET /shared/status/:code 200': 1,
      });
    });

    it('labels by mount a response that closes inside the mount, and mounts inside a mounted app', async () => {
      const { registry } = setup(KoaOf);
      const metrics = createMetricsMiddleware({
        serviceName: 'koa-test',
        registry,
        collectDefaultMetrics: false,
        metricsPath: false,
      });
      // the client hangs up while the handler still waits inside the mount
      const version = () => {
        const inner = new KoaOf();
        inner.use(metrics);
        const router = new RouterOf();
        router.get('/slow/:id', async (ctx) => {
          await new Promise((resolve) => ctx.res.once('close', () => setTimeout(resolve, 20)));
          ctx.body = 'late';
        });
        router.get('/users/:id', (ctx) => {
          ctx.body = 'user';
        });
        return inner.use(router.routes());
      };
      const outer = new KoaOf();
      outer.use(mountApp('/v1', version())).use(mountApp('/v2', version()));
      // the middleware in an app mounted at /api, which mounts apps of its own and has routes
      const { registry: nested } = setup(KoaOf);
      const api = new KoaOf();
      api.use(
        createMetricsMiddleware({
          serviceName: 'koa-test',
          registry: nested,
          collectDefaultMetrics: false,
        }),
      );
      for (const mount of ['/v1', '/v2']) {
        const router = new RouterOf().get('/users/:id', (ctx) => {
          ctx.body = `user ${mount}`;
        });
        api.use(mountApp(mount, new KoaOf().use(router.routes())));
      }
      const own = new RouterOf().get('/users/:id', (ctx) => {
        ctx.body = 'api user';
      });
      api.use(own.routes());
      // a request the mounted app hands back to its parent's router, a wildcard route there
      const files = new RouterOf().get('/api/files/*rest', (ctx) => {
        ctx.body = 'file';
      });
      const root = new KoaOf();
      root.use(mountApp('/api', api)).use(files.routes());
      const slow = await servers.serve(outer);
      for (const path of ['/v1/slow/1', '/v2/slow/2']) {
        await new Promise<void>((resolve) => {
          const req = request(slow.url + path).on('error', () => resolve());
          req.end();
          setTimeout(() => {
            req.destroy();
            resolve();
          }, 50);
        });
      }
      expect((await send(`${slow.url}/v2/users/3`)).body).toBe('user');
      await slow.settled();
      expect(await requestCounts(registry)).toEqual({
        'GET /v1/slow/:id 499': 1,
        'GET /v2/slow/:id 499': 1,
        'GET /v2/users/:id 200': 1,
      });
      const served = await servers.serve(root);
      for (const path of ['/api/v1/users/1', '/api/v2/users/2', '/api/users/3', '/api/files/a/b']) {
        expect([path, (await send(served.url + path)).status]).toEqual([path, 200]);
      }
      await served.settled();
      expect(await requestCounts(nested)).toEqual({
        'GET /api/v1/users/:id 200': 1,
        'GET /api/v2/users/:id 200': 1,
        'GET /api/users/:id 200': 1,
        'GET /api/files/*rest 200': 1,
      });
    });

    it('labels wildcard routes in and around mounted apps by where they matched', async () => {
      const text = (body: string) => (ctx: Koa.Context) => {
        ctx.body = body;
      };
      // the middleware in an app mounted at /api: wildcards in apps mounted inside it, and in
      // the /api app itself under a path that repeats its mount
      const { registry: inApi } = setup(KoaOf);
      const api = new KoaOf();
      api.use(
        createMetricsMiddleware({
          serviceName: 'koa-test',
          registry: inApi,
          collectDefaultMetrics: false,
        }),
      );
      for (const version of ['/v1', '/v2']) {
        const router = new RouterOf()
          .get('/:kind/:id/*rest', text(version))
          .get('/*rest', text(version));
        api.use(mountApp(version, new KoaOf().use(router.routes())));
      }
      api.use(new RouterOf().get('/api/*rest', text('self')).routes());
      const root = new KoaOf();
      root.use(mountApp('/api', api));
      // the middleware in the parent: a mounted app hands requests back to a parent catch-all
      const { registry: parent, app } = setup(KoaOf);
      app.use(
        mountApp(
          '/api',
          new KoaOf().use((_ctx, next) => next()),
        ),
      );
      app.use(new RouterOf().get('/:a/:b/*rest', text('deep')).get('/*rest', text('any')).routes());
      const inside = await servers.serve(root);
      for (const path of [
        '/api/v1/a',
        '/api/v2/a',
        '/api/v1/k/1/z',
        '/api/v2/k/1/z',
        '/api/api/x',
        '/api/api/api/x',
      ]) {
        expect([path, (await send(inside.url + path)).status]).toEqual([path, 200]);
      }
      await inside.settled();
      expect(await requestCounts(inApi)).toEqual({
        'GET /api/v1/*rest 200': 1,
        'GET /api/v2/*rest 200': 1,
        'GET /api/v1/:kind/:id/*rest 200': 1,
        'GET /api/v2/:kind/:id/*rest 200': 1,
        'GET /api/api/*rest 200': 2,
      });
      const around = await servers.serve(app);
      for (const path of ['/api/nothing', '/elsewhere', '/api/x/y/z', '/other/x/y/z']) {
        expect([path, (await send(around.url + path)).status]).toEqual([path, 200]);
      }
      await around.settled();
      expect(await requestCounts(parent)).toEqual({
        'GET /*rest 200': 2,
        'GET /:a/:b/*rest 200': 2,
      });
    });

    it("never puts what a rewrite took off a mounted request's URL into its label", async () => {
      // a tenant segment taken off before a mount (middleware in the mounted app), and inside a
      // mounted app (middleware in the parent): the label holds the mount path, never `acme`
      const untenant: Koa.Middleware = (ctx, next) => {
        const tenant = /^\/t\/[^/]+/.exec(ctx.path);
        if (tenant) ctx.url = ctx.url.slice(tenant[0].length);
        return next();
      };
      const users = () =>
        new RouterOf()
          .get('/users/:id', (ctx) => {
            ctx.body = 'user';
          })
          .routes();
      const first = setup(KoaOf);
      first.app.use(users());
      const outer = new KoaOf();
      outer.use(untenant).use(mountApp('/api', first.app));
      const second = setup(KoaOf);
      second.app.use(mountApp('/api', new KoaOf().use(untenant).use(users())));
      for (const [served, reg] of [
        [outer, first.registry],
        [second.app, second.registry],
      ] as const) {
        const { url, settled } = await servers.serve(served);
        const path = served === outer ? '/t/acme/api/users/1' : '/api/t/acme/users/1';
        expect((await send(url + path)).body).toBe('user');
        await settled();
        const labels = Object.keys(await requestCounts(reg));
        expect(labels).toHaveLength(1);
        expect(labels[0]).not.toContain('acme');
      }
      expect(await requestCounts(first.registry)).toEqual({ 'GET /api/users/:id 200': 1 });
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
