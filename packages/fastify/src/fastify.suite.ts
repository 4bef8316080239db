// One suite, run against Fastify 4 and Fastify 5 over real HTTP on 127.0.0.1.
import { createServer, request, Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import type Fastify5 from 'fastify';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import defaultExport, { fastifyMonitoring, type FastifyMonitoringOptions } from './index.js';

/** The `fastify()` factory of either major, seen through the v5 types. */
export type FastifyFactory = typeof Fastify5;

const DURATION = 'http_server_request_duration_seconds';
const ACTIVE = 'http_server_active_requests';

interface Sample {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

async function samples(registry: Registry, name: string): Promise<Sample[]> {
  const family = name.replace(/_(sum|count|bucket)$/, '');
  const metric = registry.getSingleMetric(family);
  if (!metric) return [];
  const { values } = await metric.get();
  return (values as Sample[]).filter((v) => (v.metricName ?? family) === name);
}

async function value(
  registry: Registry,
  name: string,
  labels: Record<string, string>,
): Promise<number | undefined> {
  const found = (await samples(registry, name)).find((s) =>
    Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return found?.value;
}

async function activeRequests(registry: Registry): Promise<number> {
  return (await samples(registry, ACTIVE)).reduce((sum, s) => sum + s.value, 0);
}

/** Resolves once the server has closed this response (our close listener ran before it). */
function closed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => res.once('close', () => setImmediate(resolve)));
}

/** One GET over a keep-alive agent; resolves with the status once the body is read. */
function get(url: string, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Starts a request and destroys it from the client side once `ready` resolves. */
function abortWhen(url: string, ready: Promise<unknown>, init: { method?: string; body?: string }) {
  const req = request(url, {
    method: init.method ?? 'GET',
    headers: init.body ? { 'content-type': 'text/plain' } : {},
  });
  req.on('error', () => {}); // the client hangs up on purpose
  req.end(init.body);
  ready.then(
    () => req.destroy(),
    () => req.destroy(),
  );
}

export function defineFastifySuite(major: string, Fastify: FastifyFactory): void {
  describe(`fastifyMonitoring on ${major}`, () => {
    let app: FastifyInstance | undefined;
    let registry: Registry;

    afterEach(async () => {
      await app?.close();
      app = undefined;
    });

    async function start(
      options: FastifyMonitoringOptions = {},
      routes: (app: FastifyInstance) => void = () => {},
      server: FastifyServerOptions = {},
    ): Promise<string> {
      registry = new Registry();
      app = Fastify(server);
      await app.register(fastifyMonitoring, {
        serviceName: 'fastify-test',
        registry,
        collectDefaultMetrics: false,
        ...options,
      });
      routes(app);
      await app.listen({ port: 0, host: '127.0.0.1' });
      return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    }

    it('labels the full route template, prefixes of nested plugins included', async () => {
      const url = await start({}, (a) => {
        a.get('/health', async () => 'ok');
        void a.register(
          async (api) => {
            api.get('/users/:id', async () => ({ id: 1 }));
            await api.register(
              async (v1) => {
                v1.get('/workflows/:workflowId/runs', async () => []);
              },
              { prefix: '/v1' },
            );
          },
          { prefix: '/api' },
        );
      });
      for (const path of ['/health', '/api/users/1', '/api/users/2', '/api/v1/workflows/w9/runs']) {
        expect((await fetch(url + path)).status).toBe(200);
      }
      const routes = (await samples(registry, `${DURATION}_count`)).map(
        (s) => `${s.labels.http_request_method} ${s.labels.http_route} ${s.value}`,
      );
      expect(routes.sort()).toEqual([
        'GET /api/users/:id 2',
        'GET /api/v1/workflows/:workflowId/runs 1',
        'GET /health 1',
      ]);
      expect(await activeRequests(registry)).toBe(0);
    });

    it('names a request no route matched __unmatched__, custom not-found handler too', async () => {
      const url = await start({}, (a) => {
        a.setNotFoundHandler((_req, reply) => reply.code(404).send({ missing: true }));
      });
      expect((await fetch(`${url}/no/such/path`)).status).toBe(404);
      expect((await fetch(`${url}/other`, { method: 'POST', body: 'x' })).status).toBe(404);
      expect(
        await value(registry, `${DURATION}_count`, {
          http_request_method: 'GET',
          http_route: '__unmatched__',
          http_response_status_code: '404',
        }),
      ).toBe(1);
      expect(
        await value(registry, `${DURATION}_count`, {
          http_request_method: 'POST',
          http_route: '__unmatched__',
        }),
      ).toBe(1);
    });

    it('counts a sync throw and an async rejection as 500, an error handler as its status', async () => {
      const url = await start({}, (a) => {
        a.get('/sync', () => {
          throw new Error('sync boom');
        });
        a.get('/async', async () => {
          await Promise.resolve();
          throw new Error('async boom');
        });
        void a.register(
          async (teapot) => {
            teapot.setErrorHandler((_error, _req, reply) => reply.code(418).send('teapot'));
            teapot.get('/brew', async () => {
              throw new Error('no coffee');
            });
          },
          { prefix: '/tea' },
        );
      });
      expect((await fetch(`${url}/sync`)).status).toBe(500);
      expect((await fetch(`${url}/async`)).status).toBe(500);
      expect((await fetch(`${url}/tea/brew`)).status).toBe(418);
      for (const [route, status] of [
        ['/sync', '500'],
        ['/async', '500'],
        ['/tea/brew', '418'],
      ] as const) {
        expect(
          await value(registry, `${DURATION}_count`, {
            http_route: route,
            http_response_status_code: status,
          }),
        ).toBe(1);
      }
      expect(await activeRequests(registry)).toBe(0);
    });

    it('counts client aborts as 499, a read POST body too, and active returns to 0', async () => {
      // Fastify runs neither onRequestAbort nor onResponse for the POST: its body was read.
      let arrived!: (res: ServerResponse) => void;
      const release: (() => void)[] = [];
      let uploaded: unknown;
      const slow = (res: ServerResponse) => {
        arrived(res);
        return new Promise<string>((resolve) => release.push(() => resolve('late')));
      };
      const url = await start({}, (a) => {
        a.get('/slow', (_req, reply) => slow(reply.raw));
        a.post('/slow-upload', (req, reply) => {
          uploaded = req.body;
          return slow(reply.raw);
        });
      });
      for (const [method, path, body] of [
        ['GET', '/slow', undefined],
        ['POST', '/slow-upload', 'hello'],
      ] as const) {
        const inHandler = new Promise<ServerResponse>((resolve) => (arrived = resolve));
        abortWhen(url + path, inHandler, { method, ...(body ? { body } : {}) });
        await closed(await inHandler);
      }
      expect(uploaded).toBe('hello');
      release.forEach((finish) => finish()); // handlers that end after the client left
      await new Promise((resolve) => setImmediate(resolve));
      expect(
        await value(registry, `${DURATION}_count`, {
          http_request_method: 'GET',
          http_route: '/slow',
          http_response_status_code: '499',
        }),
      ).toBe(1);
      expect(
        await value(registry, `${DURATION}_count`, {
          http_request_method: 'POST',
          http_route: '/slow-upload',
          http_response_status_code: '499',
        }),
      ).toBe(1);
      expect(
        await value(registry, 'http_server_request_body_size_bytes_sum', {
          http_route: '/slow-upload',
        }),
      ).toBe(5);
      expect((await samples(registry, `${DURATION}_count`)).length).toBe(2);
      expect(await activeRequests(registry)).toBe(0);
    });

    it('returns active requests to 0 when the server times the connection out', async () => {
      let timedOut!: Promise<void>;
      const url = await start(
        {},
        (a) => {
          a.get('/stuck', (_req, reply) => {
            timedOut = closed(reply.raw);
            return new Promise<never>(() => {}); // never answers: connectionTimeout ends it
          });
        },
        { connectionTimeout: 200 },
      );
      const failed = fetch(`${url}/stuck`).then(
        () => 'answered',
        () => 'hung up',
      );
      expect(await failed).toBe('hung up');
      await timedOut;
      expect(await activeRequests(registry)).toBe(0);
      expect(await value(registry, `${DURATION}_count`, { http_route: '/stuck' })).toBe(1);
    });

    it('counts the real size of a streamed, chunked response', async () => {
      const url = await start({}, (a) => {
        a.get('/stream', (_req, reply) => {
          const chunks = ['a'.repeat(1000), Buffer.alloc(500), '€']; // '€' is 3 bytes
          return reply.type('text/plain').send(Readable.from(chunks));
        });
        a.get('/json', async () => ({ hello: 'world' }));
      });
      const res = await fetch(`${url}/stream`);
      expect(res.headers.get('transfer-encoding')).toBe('chunked');
      expect((await res.arrayBuffer()).byteLength).toBe(1503);
      const json = await fetch(`${url}/json`);
      const jsonBytes = (await json.arrayBuffer()).byteLength;
      expect(
        await value(registry, 'http_server_response_body_size_bytes_sum', {
          http_route: '/stream',
        }),
      ).toBe(1503);
      expect(
        await value(registry, 'http_server_response_body_size_bytes_sum', { http_route: '/json' }),
      ).toBe(jsonBytes);
    });

    it('keeps 10,000 random 404 paths in one __unmatched__ series per method and status', async () => {
      const url = await start({}, (a) => {
        a.get('/users/:id', async () => 'user');
      });
      const agent = new Agent({ keepAlive: true, maxSockets: 16 });
      const total = 10_000;
      let next = 0;
      const statuses = new Map<number, number>();
      const worker = async () => {
        while (next < total) {
          next += 1;
          const path = `/${Math.random().toString(36).slice(2)}/${next}?q=${next}`;
          const status = await get(url + path, agent);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }
      };
      try {
        await Promise.all(Array.from({ length: 16 }, worker));
      } finally {
        agent.destroy();
      }
      expect(statuses).toEqual(new Map([[404, total]]));
      const series = await samples(registry, `${DURATION}_count`);
      expect(series).toEqual([
        {
          labels: {
            service: 'fastify-test',
            http_request_method: 'GET',
            http_route: '__unmatched__',
            http_response_status_code: '404',
          },
          value: total,
          metricName: `${DURATION}_count`,
        },
      ]);
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
        const tracer = new BasicTracerProvider().getTracer('fastify-test');
        const ids: { traceId: string; spanId: string }[] = [];
        // What the OpenTelemetry http instrumentation does: a span active around the request.
        const serverFactory = (handler: (req: IncomingMessage, res: ServerResponse) => void) =>
          createServer((req, res) => {
            const span = tracer.startSpan(`${req.method} ${req.url}`);
            if (req.url === '/traced') ids.push(span.spanContext());
            res.once('close', () => span.end());
            context.with(trace.setSpan(context.active(), span), () => handler(req, res));
          });
        const url = await start(
          {},
          (a) => {
            a.get('/traced', async () => 'traced');
          },
          { serverFactory } as FastifyServerOptions,
        );
        expect((await fetch(`${url}/traced`)).status).toBe(200);
        const om = await fetch(`${url}/metrics`, {
          headers: { accept: 'application/openmetrics-text; version=1.0.0' },
        });
        expect(om.headers.get('content-type')).toContain('application/openmetrics-text');
        const body = await om.text();
        const [{ traceId, spanId }] = ids as [{ traceId: string; spanId: string }];
        expect(body).toMatch(
          new RegExp(
            `${DURATION}_bucket\\{[^}]*http_route="/traced"[^}]*\\} 1 # \\{trace_id="${traceId}",span_id="${spanId}"\\}`,
          ),
        );
        const text = await (await fetch(`${url}/metrics`)).text();
        expect(text).not.toContain(traceId);
      });
    });

    it('serves /metrics in text and OpenMetrics, HEAD too, and does not record it', async () => {
      const url = await start({}, (a) => {
        a.get('/ping', async () => 'pong');
      });
      await fetch(`${url}/ping`);
      const text = await fetch(`${url}/metrics?debug=1`);
      expect(text.status).toBe(200);
      expect(text.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      const body = await text.text();
      expect(body).toContain(
        `${DURATION}_count{service="fastify-test",http_request_method="GET",http_route="/ping",http_response_status_code="200"} 1`,
      );
      const om = await fetch(`${url}/metrics`, {
        headers: { accept: 'application/openmetrics-text; version=1.0.0' },
      });
      expect((await om.text()).endsWith('# EOF\n')).toBe(true);
      const head = await fetch(`${url}/metrics`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(await head.text()).toBe('');
      const routes = (await samples(registry, `${DURATION}_count`)).map((s) => s.labels.http_route);
      expect(routes).toEqual(['/ping']);
    });

    it('ignores the configured paths and serves metrics on a custom path', async () => {
      const url = await start(
        { ignorePaths: ['/healthz', /^\/internal\//], metricsPath: '/ops/metrics' },
        (a) => {
          a.get('/healthz', async () => 'ok');
          a.get('/internal/debug', async () => 'dbg');
          a.get('/work', async () => 'done');
        },
      );
      for (const path of ['/healthz', '/internal/debug', '/work', '/ops/metrics']) {
        expect((await fetch(url + path)).status).toBe(200);
      }
      expect((await fetch(`${url}/metrics`)).status).toBe(404);
      const routes = (await samples(registry, `${DURATION}_count`)).map((s) => s.labels.http_route);
      expect(routes.sort()).toEqual(['/work', '__unmatched__']);
    });

    it('serves no in-app route with metricsPath: false', async () => {
      const url = await start({ metricsPath: false });
      expect((await fetch(`${url}/metrics`)).status).toBe(404);
      expect(
        await value(registry, `${DURATION}_count`, {
          http_route: '__unmatched__',
          http_response_status_code: '404',
        }),
      ).toBe(1);
    });

    it('asks for credentials on the in-app metrics route when auth is set', async () => {
      const url = await start({ auth: { type: 'bearer', token: 's3cret' } });
      const denied = await fetch(`${url}/metrics`);
      expect(denied.status).toBe(401);
      expect(denied.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const ok = await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer s3cret' } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('# TYPE http_server_request_duration_seconds histogram');
    });

    it('fails ready() with a TypeError naming the bad option', async () => {
      for (const [options, message] of [
        [
          { metricsPath: 'metrics' },
          /fastifyMonitoring: metricsPath must be a path .* got "metrics"/,
        ],
        [
          { ignorePaths: [42] },
          /fastifyMonitoring: ignorePaths\[0\] must be a string or a RegExp, got 42/,
        ],
        [{ serviceName: '' }, /fastifyMonitoring: serviceName/],
      ] as const) {
        const bad = Fastify();
        void bad.register(defaultExport, options as unknown as FastifyMonitoringOptions);
        const error: unknown = await bad.ready().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(TypeError);
        expect((error as Error).message).toMatch(message);
        await bad.close();
      }
    });

    it('records into metrics the app already created, with the default export', async () => {
      const { createMetrics } = await import('@ai-orchestrator/metrics');
      const shared = new Registry();
      const metrics = createMetrics({
        serviceName: 'shared',
        registry: shared,
        collectDefaultMetrics: false,
      });
      app = Fastify();
      await app.register(defaultExport, { metrics });
      app.get('/shared', async () => 'ok');
      await app.listen({ port: 0, host: '127.0.0.1' });
      const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      await fetch(`${url}/shared`);
      expect(app.hasPlugin('@ai-orchestrator/fastify-monitoring')).toBe(true);
      expect(
        await value(shared, `${DURATION}_count`, { service: 'shared', http_route: '/shared' }),
      ).toBe(1);
    });
  });
}
