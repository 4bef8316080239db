// The conformance driver of the Koa adapter: one app with @koa/router and the suite's routes.
import { PassThrough, Readable } from 'node:stream';
import { createMetrics, type Metrics } from '@ai-orchestrator/metrics';
import {
  errorOf,
  listen,
  readBody,
  STALLED_CHUNK,
  STREAM_CHUNKS,
  type AdapterDriver,
} from '@ai-orchestrator/testkit/conformance';
import type Router from '@koa/router';
import type Koa from 'koa';
import mountApp from 'koa-mount';
import { createMetricsMiddleware } from '../src/index.js';
import type { KoaMonitoringOptions } from '../src/types.js';

export type KoaClass = typeof Koa;
export type RouterClass = typeof Router;

/** Serves a Koa app on a free loopback port. */
export function serveKoa(app: Koa) {
  const callback = app.callback();
  return listen((req, res) => void callback(req, res));
}

export function koaDriver(
  name: string,
  KoaOf: KoaClass,
  RouterOf: RouterClass,
): AdapterDriver<Metrics> {
  return {
    name,
    entryPoint: 'createMetricsMiddleware',
    createMetrics,
    start(options, hooks, mount) {
      const app = new KoaOf();
      app.silent = true; // the thrown test errors are expected; keep Koa from logging them
      const router = new RouterOf();
      router.get('/ok', (ctx) => {
        ctx.body = 'ok';
      });
      router.get('/users/:id', (ctx) => {
        ctx.body = { id: ctx.params.id };
      });
      router.get('/throw', () => {
        throw new Error('sync boom');
      });
      router.get('/reject', async () => {
        await new Promise((resolve) => setImmediate(resolve));
        throw new Error('async boom');
      });
      router.get('/stream', (ctx) => {
        ctx.body = Readable.from(STREAM_CHUNKS);
      });
      router.get('/stalled', (ctx) => {
        const body = new PassThrough();
        body.write(STALLED_CHUNK);
        ctx.body = body; // Koa pipes it once the chain returns; it never ends
        void hooks.hang(ctx.res);
      });
      router.all('/hang', async (ctx) => {
        await hooks.hang(ctx.res, await readBody(ctx.req));
        ctx.body = 'late';
      });
      router.post('/echo', async (ctx) => {
        ctx.body = await readBody(ctx.req);
      });
      // Under a mount: the adapter and the router in an app mounted with koa-mount.
      const inner = mount === undefined ? app : new KoaOf();
      inner.use(createMetricsMiddleware(options)).use(router.routes());
      if (mount !== undefined) app.use(mountApp(mount, inner));
      return serveKoa(app);
    },
    setupError: (options) =>
      errorOf(() => createMetricsMiddleware(options as KoaMonitoringOptions)),
  };
}
