// The behaviour every supported Koa major must show, over real HTTP on 127.0.0.1.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { PassThrough, Readable } from 'node:stream';
import type Router from '@koa/router';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import type Koa from 'koa';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMetricsHandler, createMetricsMiddleware, createMetricsRoute } from './index.js';
import {
  active,
  bodyBytes,
  closeServers,
  counts,
  deferred,
  listen,
  send,
  type Deferred,
} from './testing.js';
import type { KoaMonitoringOptions } from './types.js';

export type KoaClass = typeof Koa;
export type RouterClass = typeof Router;

function setup(Koa: KoaClass, options: Omit<KoaMonitoringOptions, 'registry'> = {}) {
  const registry = new Registry();
  const app = new Koa();
  app.silent = true; // the thrown test errors are expected; keep Koa from logging them
  const monitor = createMetricsMiddleware({
    serviceName: 'koa-test',
    registry,
    collectDefaultMetrics: false,
    ...options,
  });
  return { registry, app, monitor };
}

function serve(app: Koa, configure?: Parameters<typeof listen>[1]): Promise<string> {
  const callback = app.callback();
  return listen((req, res) => void callback(req, res), configure);
}

/** Resolves when the server has closed the response the client gave up on. */
function onServerClose(done: Deferred): Koa.Middleware {
  return async (ctx, next) => {
    ctx.res.once('close', () => setImmediate(done.resolve));
    await next();
  };
}

/** Route templates: the full path, router prefixes and nested routers joined. */
export function defineRouteTemplateTests(label: string, Koa: KoaClass, Router: RouterClass): void {
  describe(`route templates: ${label}`, () => {
    afterEach(closeServers);

    it('labels requests with the full @koa/router template, prefixes and nested routers included', async () => {
      const { registry, app, monitor } = setup(Koa);
      const api = new Router({ prefix: '/api' });
      api.get('/users/:id', (ctx) => {
        ctx.body = { id: ctx.params.id };
      });
      const items = new Router();
      items.get('/items/:itemId', (ctx) => {
        ctx.body = 'item';
      });
      const v1 = new Router();
      v1.use('/v1', items.routes());
      const orders = new Router();
      orders.get('/:orderId/lines/:line', (ctx) => {
        ctx.body = 'line';
      });
      const shop = new Router({ prefix: '/shop' });
      shop.use('/orders', orders.routes());
      const root = new Router();
      root.get('/', (ctx) => {
        ctx.body = 'home';
      });
      app.use(monitor);
      for (const router of [api, v1, shop, root]) {
        app.use(router.routes()).use(router.allowedMethods());
      }
      const url = await serve(app);

      for (const path of [
        '/api/users/1',
        '/api/users/2',
        '/v1/items/9',
        '/shop/orders/7/lines/2',
      ]) {
        expect((await send(url + path)).status).toBe(200);
      }
      expect((await send(`${url}/`)).status).toBe(200);
      expect((await send(`${url}/api/nope/1`)).status).toBe(404);
      expect((await send(`${url}/api/users/1`, { method: 'DELETE' })).status).toBe(405);

      await expect
        .poll(() => counts(registry))
        .toEqual({
          'GET /api/users/:id 200': 2,
          'GET /v1/items/:itemId 200': 1,
          'GET /shop/orders/:orderId/lines/:line 200': 1,
          'GET / 200': 1,
          'GET __unmatched__ 404': 1,
          'DELETE __unmatched__ 405': 1,
        });
    });

    it('reads the template at the end, so router middleware and later routers do not change it', async () => {
      const { registry, app, monitor } = setup(Koa);
      const router = new Router({ prefix: '/api' });
      router.use(async (_ctx, next) => next()); // a router-level middleware layer
      router.get('/things/:id', async (ctx, next) => {
        ctx.body = 'thing';
        await next();
      });
      app.use(monitor).use(router.routes());
      app.use((ctx) => {
        ctx.set('x-after-router', '1'); // plain middleware after the router
      });
      const url = await serve(app);
      expect((await send(`${url}/api/things/3`)).headers['x-after-router']).toBe('1');
      await expect.poll(() => counts(registry)).toEqual({ 'GET /api/things/:id 200': 1 });
    });
  });
}

export function defineKoaSuite(
  label: string,
  Koa: KoaClass,
  Router: RouterClass,
  major: 2 | 3,
): void {
  defineRouteTemplateTests(label, Koa, Router);

  describe(`koa-monitoring on ${label}`, () => {
    afterEach(closeServers);

    it('labels every request of an app without a router __unmatched__', async () => {
      const { registry, app, monitor } = setup(Koa);
      app.use(monitor).use((ctx) => {
        ctx.body = 'plain';
      });
      const url = await serve(app);
      await send(`${url}/a`);
      await send(`${url}/b/c?q=1`);
      await expect.poll(() => counts(registry)).toEqual({ 'GET __unmatched__ 200': 2 });
    });

    it('counts a sync throw, an async rejection and ctx.throw with the status Koa sends', async () => {
      const { registry, app, monitor } = setup(Koa);
      const router = new Router();
      router.get('/sync', () => {
        throw new Error('sync boom');
      });
      router.get('/async', async () => {
        await Promise.resolve();
        throw new Error('async boom');
      });
      router.get('/forbidden', (ctx) => ctx.throw(403, 'no'));
      app.use(monitor).use(router.routes());
      const url = await serve(app);
      expect((await send(`${url}/sync`)).status).toBe(500);
      expect((await send(`${url}/async`)).status).toBe(500);
      expect((await send(`${url}/forbidden`)).status).toBe(403);
      await expect
        .poll(() => counts(registry))
        .toEqual({
          'GET /sync 500': 1,
          'GET /async 500': 1,
          'GET /forbidden 403': 1,
        });
      expect(await active(registry)).toBe(0);
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
      const router = new Router();
      router.get('/brew', async () => {
        await Promise.resolve();
        throw new Error('no coffee');
      });
      const outer = setup(Koa);
      outer.app.use(teapot).use(outer.monitor).use(router.routes());
      const inner = setup(Koa);
      inner.app.use(inner.monitor).use(teapot).use(router.routes());
      for (const { app, registry } of [outer, inner]) {
        const url = await serve(app);
        const reply = await send(`${url}/brew`);
        expect([reply.status, reply.body]).toEqual([418, 'teapot']);
        await expect.poll(() => counts(registry)).toEqual({ 'GET /brew 418': 1 });
      }
    });

    it('counts a client abort as 499 and returns the active gauge to zero', async () => {
      const { registry, app, monitor } = setup(Koa);
      const streamClosed = deferred();
      const pendingArrived = deferred();
      const pendingClosed = deferred();
      const router = new Router();
      router.get('/stream', onServerClose(streamClosed), (ctx) => {
        const body = new PassThrough();
        body.write('partial'); // never ended: the client leaves first
        ctx.body = body;
      });
      router.get('/pending', onServerClose(pendingClosed), async (ctx) => {
        pendingArrived.resolve();
        await once(ctx.res, 'close'); // a handler still working when the client leaves
      });
      app.use(monitor).use(router.routes());
      const url = await serve(app);

      const streaming = request(`${url}/stream`, (res) =>
        res.once('data', () => streaming.destroy()),
      );
      streaming.on('error', () => {});
      streaming.end();
      await streamClosed.promise;

      const pending = request(`${url}/pending`);
      pending.on('error', () => {});
      pending.end();
      await pendingArrived.promise;
      pending.destroy();
      await pendingClosed.promise;

      expect(await counts(registry)).toEqual({ 'GET /stream 499': 1, 'GET /pending 499': 1 });
      expect(await active(registry)).toBe(0);
    });

    it('returns the active gauge to zero when the server times a request out', async () => {
      const { registry, app, monitor } = setup(Koa);
      const closed = deferred();
      const router = new Router();
      router.get('/stuck', onServerClose(closed), async (ctx) => {
        await once(ctx.res, 'close');
      });
      app.use(monitor).use(router.routes());
      // No 'timeout' listener: Node destroys the idle socket.
      const url = await serve(app, (server) => server.setTimeout(50));
      await expect(send(`${url}/stuck`)).rejects.toThrow(/socket hang up|ECONNRESET/);
      await closed.promise;
      expect(await counts(registry)).toEqual({ 'GET /stuck 499': 1 });
      expect(await active(registry)).toBe(0);
    });

    it('counts the real size of streamed, fixed and raw bodies, and of the request body', async () => {
      const { registry, app, monitor } = setup(Koa);
      const router = new Router();
      router.get('/stream', (ctx) => {
        ctx.body = Readable.from([Buffer.alloc(1000), 'a'.repeat(500), '€']); // 1503 bytes
      });
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
      app.use(monitor).use(router.routes());
      const url = await serve(app);

      const streamed = await send(`${url}/stream`);
      expect(streamed.headers['transfer-encoding']).toBe('chunked');
      expect(Buffer.byteLength(streamed.body)).toBe(1503);
      expect((await send(`${url}/fixed`)).headers['content-length']).toBe('200');
      expect((await send(`${url}/raw`)).status).toBe(202);
      expect((await send(`${url}/upload`, { method: 'POST', body: 'y'.repeat(321) })).status).toBe(
        204,
      );

      await expect
        .poll(() => bodyBytes(registry, 'response'))
        .toEqual({
          '/stream': 1503,
          '/fixed': 200,
          '/raw': 8,
          '/upload': 0,
        });
      expect((await bodyBytes(registry, 'request'))['/upload']).toBe(321);
      expect(await counts(registry)).toMatchObject({ 'GET /raw 202': 1, 'POST /upload 204': 1 });
    });

    // Koa 3 added web bodies; Koa 2 would serialise them as JSON.
    if (major >= 3)
      it('counts the real size of Koa 3 web bodies: ReadableStream, Blob, Response', async () => {
        const { registry, app, monitor } = setup(Koa);
        const router = new Router();
        router.get('/web-stream', (ctx) => {
          ctx.body = new ReadableStream<Uint8Array>({
            start(controller) {
              controller.enqueue(new Uint8Array(700));
              controller.enqueue(new TextEncoder().encode('done'));
              controller.close();
            },
          });
        });
        router.get('/blob', (ctx) => {
          ctx.body = new Blob(['0123456789']);
        });
        router.get('/response', (ctx) => {
          ctx.body = new Response('hello from fetch');
        });
        app.use(monitor).use(router.routes());
        const url = await serve(app);
        expect(Buffer.byteLength((await send(`${url}/web-stream`)).body)).toBe(704);
        expect((await send(`${url}/blob`)).body).toBe('0123456789');
        expect((await send(`${url}/response`)).body).toBe('hello from fetch');
        await expect
          .poll(() => bodyBytes(registry, 'response'))
          .toEqual({
            '/web-stream': 704,
            '/blob': 10,
            '/response': 16,
          });
      });

    it('keeps 10,000 random 404 paths to one __unmatched__ series per method and status', async () => {
      const { registry, app, monitor } = setup(Koa);
      const router = new Router();
      router.get('/users/:id', (ctx) => {
        ctx.body = 'user';
      });
      app.use(monitor).use(router.routes()).use(router.allowedMethods());
      const url = await serve(app);
      const agent = new Agent({ keepAlive: true, maxSockets: 16 });
      const total = 10_000;
      let next = 0;
      const worker = async () => {
        while (next < total) {
          const i = next++;
          const path = `/${randomBytes(6).toString('hex')}/${i}`;
          await send(url + path, { method: i % 2 === 0 ? 'GET' : 'POST', agent });
        }
      };
      await Promise.all(Array.from({ length: 16 }, worker));
      agent.destroy();

      await expect
        .poll(() => counts(registry))
        .toEqual({
          'GET __unmatched__ 404': total / 2,
          'POST __unmatched__ 404': total / 2,
        });
      const text = await registry.metrics();
      expect(text.match(/^http_server_request_duration_seconds_count\{/gm)).toHaveLength(2);
      expect(text).not.toContain('="__overflow__"');
    });

    describe('with an active OpenTelemetry span', () => {
      const contextManager = new AsyncLocalStorageContextManager();
      beforeAll(() => {
        contextManager.enable();
        context.setGlobalContextManager(contextManager);
      });
      afterAll(() => {
        context.disable();
      });

      it('serves trace_id exemplars on the duration histogram in OpenMetrics only', async () => {
        const { registry, app, monitor } = setup(Koa);
        const router = new Router();
        router.get('/traced', (ctx) => {
          ctx.body = 'traced';
        });
        app.use(monitor).use(router.routes());
        const callback = app.callback();
        const span = new BasicTracerProvider().getTracer('koa-test').startSpan('GET /traced');
        const { traceId, spanId } = span.spanContext();
        // Like an OpenTelemetry HTTP instrumentation: the request runs inside its server span.
        const url = await listen((req, res) => {
          const spanned =
            req.url === '/traced' ? trace.setSpan(context.active(), span) : context.active();
          context.with(spanned, () => void callback(req, res));
        });
        expect((await send(`${url}/traced`)).status).toBe(200);
        span.end();
        await expect.poll(() => counts(registry)).toEqual({ 'GET /traced 200': 1 });

        const om = await send(`${url}/metrics`, {
          headers: { accept: 'application/openmetrics-text; version=1.0.0' },
        });
        expect(om.headers['content-type']).toMatch(
          /^application\/openmetrics-text; version=1\.0\.0/,
        );
        expect(om.body).toMatch(
          new RegExp(
            `http_server_request_duration_seconds_bucket\\{[^}]*http_route="/traced"[^}]*\\} 1 # \\{trace_id="${traceId}",span_id="${spanId}"\\}`,
          ),
        );
        expect((await send(`${url}/metrics`)).body).not.toContain(traceId);
      });
    });

    it('serves /metrics in-app, text or OpenMetrics, GET and HEAD only, and never records it', async () => {
      const { registry, app, monitor } = setup(Koa);
      app.use(monitor).use((ctx) => {
        ctx.body = 'a';
      });
      const url = await serve(app);
      await send(`${url}/a`);
      await expect.poll(() => counts(registry)).toEqual({ 'GET __unmatched__ 200': 1 });

      const text = await send(`${url}/metrics`);
      expect(text.status).toBe(200);
      expect(text.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(text.body).toContain(
        'http_server_request_duration_seconds_count{service="koa-test",http_request_method="GET",http_route="__unmatched__",http_response_status_code="200"} 1',
      );
      const om = await send(`${url}/metrics?x=1`, {
        headers: { accept: 'application/openmetrics-text; version=1.0.0' },
      });
      expect(om.body.endsWith('# EOF\n')).toBe(true);
      const head = await send(`${url}/metrics`, { method: 'HEAD' });
      expect([head.status, head.body]).toEqual([200, '']);
      const post = await send(`${url}/metrics`, { method: 'POST' });
      expect([post.status, post.headers.allow]).toEqual([405, 'GET, HEAD']);
      expect(await counts(registry)).toEqual({ 'GET __unmatched__ 200': 1 });
    });

    it('serves a custom metricsPath, and nothing in-app with metricsPath: false', async () => {
      const custom = setup(Koa, { metricsPath: '/internal/metrics' });
      custom.app.use(custom.monitor);
      const customUrl = await serve(custom.app);
      expect((await send(`${customUrl}/internal/metrics`)).body).toContain('# TYPE');
      expect((await send(`${customUrl}/metrics`)).status).toBe(404);

      const off = setup(Koa, { metricsPath: false });
      off.app.use(off.monitor);
      const offUrl = await serve(off.app);
      expect((await send(`${offUrl}/metrics`)).status).toBe(404);

      await expect.poll(() => counts(custom.registry)).toEqual({ 'GET __unmatched__ 404': 1 });
      await expect.poll(() => counts(off.registry)).toEqual({ 'GET __unmatched__ 404': 1 });
    });

    it('does not record ignorePaths', async () => {
      const { registry, app, monitor } = setup(Koa, { ignorePaths: ['/healthz', /^\/internal\//] });
      const router = new Router();
      router.get('/healthz', (ctx) => {
        ctx.body = 'ok';
      });
      router.get('/internal/:what', (ctx) => {
        ctx.body = 'internal';
      });
      router.get('/work', (ctx) => {
        ctx.body = 'work';
      });
      app.use(monitor).use(router.routes());
      const url = await serve(app);
      for (const path of ['/healthz', '/healthz?probe=1', '/internal/cache', '/work']) {
        expect((await send(url + path)).status).toBe(200);
      }
      await expect.poll(() => counts(registry)).toEqual({ 'GET /work 200': 1 });
    });

    it('protects the in-app metrics with auth', async () => {
      const { app, monitor } = setup(Koa, { auth: { type: 'bearer', token: 's3cret' } });
      app.use(monitor);
      const url = await serve(app);
      const denied = await send(`${url}/metrics`);
      expect([denied.status, denied.headers['www-authenticate']]).toEqual([
        401,
        'Bearer realm="metrics"',
      ]);
      const allowed = await send(`${url}/metrics`, { headers: { authorization: 'Bearer s3cret' } });
      expect(allowed.status).toBe(200);
    });

    it('serves metrics from createMetricsRoute mounted on a router, with its own auth', async () => {
      const { registry, app, monitor } = setup(Koa, {
        metricsPath: false,
        ignorePaths: ['/ops/metrics', '/ops/private-metrics'],
      });
      const ops = new Router({ prefix: '/ops' });
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
      app.use(monitor).use(ops.routes());
      const url = await serve(app);
      await send(`${url}/ops/status`);
      await expect.poll(() => counts(registry)).toEqual({ 'GET /ops/status 200': 1 });

      const scraped = await send(`${url}/ops/metrics`);
      expect(scraped.status).toBe(200);
      expect(scraped.body).toContain('http_route="/ops/status"');
      expect((await send(`${url}/ops/private-metrics`)).status).toBe(401);
      const basic = `Basic ${Buffer.from('prom:pw').toString('base64')}`;
      const privateScrape = await send(`${url}/ops/private-metrics`, {
        headers: { authorization: basic },
      });
      expect(privateScrape.status).toBe(200);
      expect(await counts(registry)).toEqual({ 'GET /ops/status 200': 1 });
    });
  });
}
