// One suite for every supported Express major: each test is real HTTP on 127.0.0.1.
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { CLIENT_CLOSED_STATUS, METRICS, UNMATCHED_ROUTE } from '@ai-orchestrator/metrics';
import type * as OtelApi from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import type express from 'express';
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMetricsHandler, createMetricsMiddleware } from './index.js';
import { closeAll, listen, sample, samples, sendAll } from './testing.js';

export type Express = typeof express;

// The OpenTelemetry API copy the metrics core resolves: the workspace may hold two versions,
// and an app's single copy is what a span and the core must share.
const { context, trace } = createRequire(
  createRequire(import.meta.url).resolve('@ai-orchestrator/metrics/package.json'),
)('@opentelemetry/api') as typeof OtelApi;

const DURATION_COUNT = `${METRICS.httpServerRequestDuration.name}_count`;
const RESPONSE_SUM = `${METRICS.httpServerResponseBodySize.name}_sum`;
const ACTIVE = METRICS.httpServerActiveRequests.name;
const OPENMETRICS = 'application/openmetrics-text; version=1.0.0';

const ok: RequestHandler = (_req, res) => {
  res.send('ok');
};

/** A fresh registry and middleware options that record into it only. */
function fresh(extra: Record<string, unknown> = {}) {
  const registry = new Registry();
  return {
    registry,
    options: { serviceName: 'express-test', registry, collectDefaultMetrics: false, ...extra },
  };
}

/** Routes with the Express 4 or 5 syntax for a param, a wildcard and an optional segment. */
function syntax(major: 4 | 5) {
  return major === 5
    ? { wildcard: '/files/*splat', optional: '/users{/:opt}' }
    : { wildcard: '/files/*', optional: '/users/:opt?' };
}

async function count(registry: Registry, labels: Record<string, string>) {
  return sample(registry, DURATION_COUNT, labels);
}

async function routes(registry: Registry): Promise<string[]> {
  const all = await samples(registry, DURATION_COUNT);
  return all
    .map(
      (s) =>
        `${s.labels.http_request_method} ${s.labels.http_route} ${s.labels.http_response_status_code}`,
    )
    .sort();
}

export function defineAdapterSuite(name: string, major: 4 | 5, expressOf: Express): void {
  describe(`${name}: express-monitoring`, () => {
    afterEach(closeAll);

    /** The app most tests share: nested routers, a mounted sub-app, errors of each kind. */
    function buildApp(options: Record<string, unknown>, errorHandler?: ErrorRequestHandler) {
      const app = expressOf();
      app.use(createMetricsMiddleware(options));
      const inner = expressOf.Router();
      inner.get('/items/:id', ok);
      inner.get('/sync-throw/:id', () => {
        throw new Error('sync boom');
      });
      inner.get(
        '/async-throw/:id',
        major === 5
          ? async () => {
              await new Promise((resolve) => setImmediate(resolve));
              throw new Error('async boom');
            }
          : (_req, _res, next) => {
              // Express 4 ignores returned promises: a rejection reaches it only through next().
              new Promise((_resolve, reject) =>
                setImmediate(() => reject(new Error('async boom'))),
              ).catch(next);
            },
      );
      const api = expressOf.Router();
      api.use('/v1', inner);
      api.get('/', ok);
      app.use('/api', api);

      const admin = expressOf();
      const reports = expressOf.Router();
      reports.get('/:year', ok);
      reports.get('/:year/fail', () => {
        throw new Error('report failed');
      });
      admin.use('/reports', reports);
      admin.get('/users/:id', ok);
      app.use('/admin', admin);

      app.get(syntax(major).wildcard, ok);
      app.get(syntax(major).optional, ok);
      app.get(/^\/re\/\d+$/, ok);
      app.get(['/one', '/two'], ok);
      app.get('/stream', (_req, res) => {
        res.write('a'.repeat(1000));
        setImmediate(() => {
          res.write(Buffer.alloc(2000));
          res.end('€'); // 3 bytes in UTF-8
        });
      });
      if (errorHandler) app.use(errorHandler);
      return app;
    }

    it('labels requests with the full template through nested routers and sub-apps', async () => {
      const { registry, options } = fresh();
      const { url, settled } = await listen(buildApp(options));
      const paths = [
        '/api/v1/items/42',
        '/api/v1/items/43',
        '/api',
        '/admin/reports/2024',
        '/admin/users/7',
        '/files/a/b/c.txt',
        '/users',
        '/users/9',
        '/re/123',
        '/one',
        '/two',
      ];
      for (const path of paths) expect((await fetch(url + path)).status, path).toBe(200);
      await settled();
      const { wildcard, optional } = syntax(major);
      expect(await routes(registry)).toEqual(
        [
          'GET /^\\/re\\/\\d+$/ 200',
          'GET /admin/reports/:year 200',
          'GET /admin/users/:id 200',
          'GET /api/ 200',
          `GET ${wildcard} 200`,
          'GET /api/v1/items/:id 200',
          'GET /one 200',
          `GET ${optional} 200`,
        ].sort(),
      );
      expect(await count(registry, { http_route: '/api/v1/items/:id' })).toBe(2);
      expect(await count(registry, { http_route: optional })).toBe(2);
      expect(await count(registry, { http_route: '/one' })).toBe(2);
    });

    it('labels a request that matched no route __unmatched__, router prefix or not', async () => {
      const { registry, options } = fresh();
      const { url, settled } = await listen(buildApp(options));
      expect((await fetch(`${url}/api/v1/nope`)).status).toBe(404);
      expect((await fetch(`${url}/admin/nope`)).status).toBe(404);
      expect((await fetch(`${url}/nowhere`)).status).toBe(404);
      expect((await fetch(`${url}/api/v1/items/1`, { method: 'POST' })).status).toBe(404);
      await settled();
      expect(await routes(registry)).toEqual([
        `GET ${UNMATCHED_ROUTE} 404`,
        `POST ${UNMATCHED_ROUTE} 404`,
      ]);
      expect(
        await count(registry, { http_route: UNMATCHED_ROUTE, http_request_method: 'GET' }),
      ).toBe(3);
    });

    it('counts a sync throw and an async rejection as 500 under their route', async () => {
      const { registry, options } = fresh();
      const { url, settled } = await listen(buildApp(options));
      expect((await fetch(`${url}/api/v1/sync-throw/1`)).status).toBe(500);
      expect((await fetch(`${url}/api/v1/async-throw/1`)).status).toBe(500);
      expect((await fetch(`${url}/admin/reports/2024/fail`)).status).toBe(500);
      await settled();
      expect(await routes(registry)).toEqual([
        'GET /admin/reports/:year/fail 500',
        'GET /api/v1/async-throw/:id 500',
        'GET /api/v1/sync-throw/:id 500',
      ]);
      expect(await sample(registry, ACTIVE, { http_request_method: 'GET' })).toBe(0);
    });

    it('counts the status an app error handler sent, with the template the error left', async () => {
      const { registry, options } = fresh();
      const seen: { baseUrl: string; routePath: unknown }[] = [];
      const teapot: ErrorRequestHandler = (_err, req: Request, res, _next) => {
        seen.push({ baseUrl: req.baseUrl, routePath: req.route?.path });
        res.status(418).send('teapot');
      };
      const { url, settled } = await listen(buildApp(options, teapot));
      expect((await fetch(`${url}/api/v1/sync-throw/1`)).status).toBe(418);
      expect((await fetch(`${url}/api/v1/async-throw/2`)).status).toBe(418);
      expect((await fetch(`${url}/admin/reports/2024/fail`)).status).toBe(418);
      await settled();
      // By the time the app's handler runs, Express has restored baseUrl: that is the hard case.
      expect(seen[0]).toEqual({ baseUrl: '', routePath: '/sync-throw/:id' });
      expect(await routes(registry)).toEqual([
        'GET /admin/reports/:year/fail 418',
        'GET /api/v1/async-throw/:id 418',
        'GET /api/v1/sync-throw/:id 418',
      ]);
    });

    it('counts a client abort as 499 and brings active requests back to zero', async () => {
      const { registry, options } = fresh();
      const app = expressOf();
      app.use(createMetricsMiddleware(options));
      app.get('/slow/:id', (_req, res) => {
        res.write('partial'); // and never ends
      });
      const { url, settled } = await listen(app);
      await new Promise<void>((resolve) => {
        const req = request(`${url}/slow/1`, (res) => res.once('data', () => req.destroy()));
        req.on('close', resolve);
        req.on('error', () => {});
        req.end();
      });
      await settled();
      expect(await routes(registry)).toEqual([`GET /slow/:id ${CLIENT_CLOSED_STATUS}`]);
      expect(await sample(registry, ACTIVE, { http_request_method: 'GET' })).toBe(0);
    });

    it('brings active requests back to zero after a server-side timeout', async () => {
      const { registry, options } = fresh();
      const app = expressOf();
      app.use(createMetricsMiddleware(options));
      app.get('/hang', () => {}); // never answers: the server's socket timeout ends it
      const running = await listen(app);
      running.server.setTimeout(100);
      await expect(fetch(`${running.url}/hang`)).rejects.toThrow();
      await running.settled();
      expect(await samples(registry, DURATION_COUNT, { http_route: '/hang' })).toHaveLength(1);
      expect(await sample(registry, ACTIVE, { http_request_method: 'GET' })).toBe(0);
    });

    it('counts the real size of a streamed, chunked response', async () => {
      const { registry, options } = fresh();
      const { url, settled } = await listen(buildApp(options));
      const res = await fetch(`${url}/stream`);
      expect(res.headers.get('transfer-encoding')).toBe('chunked');
      expect((await res.arrayBuffer()).byteLength).toBe(3003);
      await settled();
      expect(await sample(registry, RESPONSE_SUM, { http_route: '/stream' })).toBe(3003);
    });

    it('keeps 10,000 random 404 paths in one __unmatched__ series per method and status', async () => {
      const { registry, options } = fresh();
      const { url, settled } = await listen(buildApp(options));
      const paths = Array.from({ length: 10_000 }, (_, i) => ({
        method: i % 2 === 0 ? 'GET' : 'POST',
        path: `${i % 3 === 0 ? '/api/v1' : ''}/scan/${Math.random().toString(36).slice(2)}/${i}`,
      }));
      const statuses = await sendAll(url, paths);
      expect(statuses.every((s) => s === 404)).toBe(true);
      await settled();
      expect(await routes(registry)).toEqual([
        `GET ${UNMATCHED_ROUTE} 404`,
        `POST ${UNMATCHED_ROUTE} 404`,
      ]);
      expect(await count(registry, { http_request_method: 'GET' })).toBe(5000);
      expect(await count(registry, { http_request_method: 'POST' })).toBe(5000);
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

      it('serves trace_id exemplars on the duration histogram in OpenMetrics', async () => {
        const { options } = fresh();
        const tracer = new BasicTracerProvider().getTracer('express-test');
        const traceIds: string[] = [];
        const app = expressOf();
        app.use((_req, _res, next) => {
          const span = tracer.startSpan('request');
          traceIds.push(span.spanContext().traceId);
          context.with(trace.setSpan(context.active(), span), next);
        });
        app.use(createMetricsMiddleware(options));
        app.get('/traced/:id', ok);
        const { url, settled } = await listen(app);
        expect((await fetch(`${url}/traced/1`)).status).toBe(200);
        await settled();
        const res = await fetch(`${url}/metrics`, { headers: { accept: OPENMETRICS } });
        expect(res.headers.get('content-type')).toContain('application/openmetrics-text');
        const body = await res.text();
        expect(body).toMatch(
          new RegExp(
            `http_server_request_duration_seconds_bucket\\{[^}]*http_route="/traced/:id"[^}]*\\} 1 # \\{trace_id="${traceIds[0]}",span_id="[0-9a-f]{16}"\\}`,
          ),
        );
      });
    });

    it('serves /metrics in-app, in text and OpenMetrics, and never records it', async () => {
      const { registry, options } = fresh();
      const { url, settled } = await listen(buildApp(options));
      await fetch(`${url}/one`);
      const text = await fetch(`${url}/metrics`);
      expect(text.status).toBe(200);
      expect(text.headers.get('content-type')).toContain('text/plain');
      const body = await text.text();
      expect(body).toContain(
        'http_server_request_duration_seconds_count{service="express-test",http_request_method="GET",http_route="/one",http_response_status_code="200"} 1',
      );
      const om = await fetch(`${url}/metrics?x=1`, { headers: { accept: OPENMETRICS } });
      expect(await om.text()).toMatch(/# EOF\n$/);
      await settled();
      expect(await routes(registry)).toEqual(['GET /one 200']);
    });

    it('skips ignorePaths', async () => {
      const { registry, options } = fresh({ ignorePaths: ['/one', /^\/api\//] });
      const { url, settled } = await listen(buildApp(options));
      for (const path of ['/one', '/api/v1/items/1', '/two']) await fetch(url + path);
      await settled();
      expect(await routes(registry)).toEqual(['GET /one 200']); // '/two' is labelled '/one'
    });

    it('with metricsPath false, leaves /metrics to the app and createMetricsHandler', async () => {
      const { registry, options } = fresh({ metricsPath: false });
      const app = buildApp(options);
      expect((await fetch(`${(await listen(app)).url}/metrics`)).status).toBe(404);

      const withHandler = expressOf();
      withHandler.use(createMetricsMiddleware({ ...options, ignorePaths: ['/metrics'] }));
      withHandler.get('/metrics', createMetricsHandler({ registry }));
      const { url } = await listen(withHandler);
      const res = await fetch(`${url}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain(
        `http_route="${UNMATCHED_ROUTE}",http_response_status_code="404"`,
      );
    });

    it('guards the in-app metrics path with auth', async () => {
      const { options } = fresh({ auth: { type: 'bearer', token: 's3cret' } });
      const { url } = await listen(buildApp(options));
      expect((await fetch(`${url}/metrics`)).status).toBe(401);
      const res = await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer s3cret' } });
      expect(res.status).toBe(200);
    });

    it('rejects bad options with a TypeError naming the field', () => {
      expect(() => createMetricsMiddleware(42 as never)).toThrow(TypeError);
      expect(() => createMetricsMiddleware({ metricsPath: 'metrics' })).toThrow(
        /metricsPath.*"metrics"/,
      );
      expect(() => createMetricsMiddleware({ ignorePaths: ['/a', 3 as never] })).toThrow(
        /ignorePaths\[1\]/,
      );
      expect(() => createMetricsMiddleware({ serviceName: '' })).toThrow(/serviceName/);
      expect(() => createMetricsHandler({ auth: { type: 'bearer', token: '' } })).toThrow(
        TypeError,
      );
    });
  });
}
