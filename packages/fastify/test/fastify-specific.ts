// What only Fastify has: register() prefixes, a custom not-found handler, encapsulated error
// handlers, and the plugin's default export and name.
import { createMetrics } from '@ai-orchestrator/metrics';
import {
  activeRequests,
  requestCounts,
  send,
  trackResponses,
  urlOf,
} from '@ai-orchestrator/testkit/conformance';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import defaultExport, { createMetricsHandler, fastifyMonitoring } from '../src/index.js';
import type { FastifyFactory } from './driver.js';

export function fastifySpecificTests(name: string, fastify: FastifyFactory): void {
  describe(`${name}: Fastify plugins, prefixes and error handlers`, () => {
    let app: FastifyInstance | undefined;
    afterEach(async () => {
      await app?.close();
      app = undefined;
    });

    async function start(routes: (app: FastifyInstance) => void) {
      const registry = new Registry();
      app = fastify();
      await app.register(fastifyMonitoring, {
        serviceName: 'fastify-test',
        registry,
        collectDefaultMetrics: false,
      });
      routes(app);
      await app.listen({ port: 0, host: '127.0.0.1' });
      return { registry, url: urlOf(app.server), ...trackResponses(app.server) };
    }

    it('labels the full route template, prefixes of nested plugins included', async () => {
      const { registry, url, settled } = await start((a) => {
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
        expect((await send(url + path)).status).toBe(200);
      }
      await settled();
      expect(await requestCounts(registry)).toEqual({
        'GET /api/users/:id 200': 2,
        'GET /api/v1/workflows/:workflowId/runs 200': 1,
        'GET /health 200': 1,
      });
      expect(await activeRequests(registry)).toBe(0);
    });

    it('labels a request a custom not-found handler answered __unmatched__', async () => {
      const { registry, url, settled } = await start((a) => {
        a.setNotFoundHandler((_req, reply) => reply.code(404).send({ missing: true }));
      });
      const reply = await send(`${url}/no/such/path`);
      expect([reply.status, reply.body]).toEqual([404, '{"missing":true}']);
      expect((await send(`${url}/other`, { method: 'POST', body: 'x' })).status).toBe(404);
      await settled();
      expect(await requestCounts(registry)).toEqual({
        'GET __unmatched__ 404': 1,
        'POST __unmatched__ 404': 1,
      });
    });

    it('counts the status an encapsulated error handler sends, under the prefixed route', async () => {
      const { registry, url, settled } = await start((a) => {
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
      expect((await send(`${url}/tea/brew`)).status).toBe(418);
      await settled();
      expect(await requestCounts(registry)).toEqual({ 'GET /tea/brew 418': 1 });
      expect(await activeRequests(registry)).toBe(0);
    });

    it('inside a prefixed plugin, serves and skips its paths under the prefix', async () => {
      const registry = new Registry();
      app = fastify();
      await app.register(
        async (api) => {
          await api.register(fastifyMonitoring, {
            serviceName: 'prefixed',
            registry,
            collectDefaultMetrics: false,
            // Relative to the prefix, like metricsPath and the routes declared beside the plugin.
            ignorePaths: ['/health', /^\/internal\//],
          });
          api.get('/health', async () => 'ok');
          api.get('/internal/cache', async () => 'ok');
          api.get('/users/:id', async () => ({ id: 1 }));
        },
        { prefix: '/api' },
      );
      app.get('/health', async () => 'root');
      await app.listen({ port: 0, host: '127.0.0.1' });
      const url = urlOf(app.server);
      const { settled } = trackResponses(app.server);
      const scraped = await send(`${url}/api/metrics`);
      expect([scraped.status, scraped.body]).toEqual([200, expect.stringContaining('# TYPE')]);
      expect((await send(`${url}/api/metrics?x=1`, { method: 'HEAD' })).status).toBe(200);
      expect((await app.inject('/api/metrics')).statusCode).toBe(200);
      expect((await send(`${url}/metrics`)).status).toBe(404);
      for (const path of ['/api/health', '/api/internal/cache', '/api/users/1']) {
        expect((await send(url + path)).status).toBe(200);
      }
      // Outside the prefix ignorePaths do not apply; the parent's routes are __unmatched__ (README).
      expect((await send(`${url}/health`)).body).toBe('root');
      await settled();
      expect(await requestCounts(registry)).toEqual({
        'GET __unmatched__ 404': 1,
        'GET /api/users/:id 200': 1,
        'GET __unmatched__ 200': 1,
      });
    });

    it('inside an encapsulated plugin, answers 405 on the metrics path; inject() sees only that context', async () => {
      const registry = new Registry();
      app = fastify();
      await app.register(
        async (api) => {
          await api.register(fastifyMonitoring, { registry, collectDefaultMetrics: false });
          api.get('/users/:id', async () => ({ id: 1 }));
        },
        { prefix: '/api' },
      );
      await app.listen({ port: 0, host: '127.0.0.1' });
      const url = urlOf(app.server);
      const { settled } = trackResponses(app.server);
      for (const method of ['POST', 'PUT', 'DELETE'] as const) {
        const injected = await app.inject({ method, url: '/api/metrics', payload: 'x' });
        expect([method, injected.statusCode, injected.headers.allow]).toEqual([
          method,
          405,
          'GET, HEAD',
        ]);
      }
      // On a real server every request it answers is recorded, outside the plugin's context too.
      expect((await send(`${url}/nowhere`)).status).toBe(404);
      expect((await send(`${url}/api/nowhere`)).status).toBe(404);
      await settled();
      expect(await requestCounts(registry)).toEqual({ 'GET __unmatched__ 404': 2 });
      // inject() emits no 'request' event: only the plugin's own hooks see a request, and a
      // not-found answer is the root context's, whose hooks are not the plugin's (README).
      expect((await app.inject('/nowhere')).statusCode).toBe(404);
      expect((await app.inject('/api/nowhere')).statusCode).toBe(404);
      expect((await app.inject('/api/users/1')).statusCode).toBe(200);
      expect(await requestCounts(registry)).toEqual({
        'GET __unmatched__ 404': 2,
        'GET /api/users/:id 200': 1,
      });
    });

    it('serves metrics with createMetricsHandler on a route of its own, with its own auth', async () => {
      const registry = new Registry();
      app = fastify();
      await app.register(fastifyMonitoring, {
        serviceName: 'own-route',
        registry,
        collectDefaultMetrics: false,
        metricsPath: false,
      });
      app.get('/ops/metrics', createMetricsHandler({ registry }));
      app.get(
        '/ops/private',
        createMetricsHandler({ registry, auth: { type: 'bearer', token: 't' } }),
      );
      await app.listen({ port: 0, host: '127.0.0.1' });
      const url = urlOf(app.server);
      const { settled } = trackResponses(app.server);
      await send(`${url}/nowhere`);
      await settled();
      const scraped = await send(`${url}/ops/metrics`);
      expect(scraped.status).toBe(200);
      expect(scraped.body).toContain('http_route="__unmatched__",http_response_status_code="404"');
      expect((await send(`${url}/ops/private`)).status).toBe(401);
      expect(() => createMetricsHandler({ timeoutMs: -1 })).toThrow(
        new TypeError('createMetricsHandler: timeoutMs must be an integer >= 1, got -1'),
      );
    });

    it('registers as the default export under its plugin name', async () => {
      const shared = new Registry();
      const metrics = createMetrics({
        serviceName: 'shared',
        registry: shared,
        collectDefaultMetrics: false,
      });
      app = fastify();
      await app.register(defaultExport, { metrics });
      app.get('/shared', async () => 'ok');
      await app.listen({ port: 0, host: '127.0.0.1' });
      const { settled } = trackResponses(app.server);
      await send(`${urlOf(app.server)}/shared`);
      await settled();
      expect(app.hasPlugin('@ai-orchestrator/fastify-monitoring')).toBe(true);
      expect(await requestCounts(shared)).toEqual({ 'GET /shared 200': 1 });
    });
  });
}
