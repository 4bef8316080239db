// Every request the server answers is counted once, whatever answered it: Fastify itself (a bad
// or too long URL), a hook that runs before ours, or the plugin registered more than once.
import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import { connect } from 'node:http2';
import { createMetrics } from '@ai-orchestrator/metrics';
import {
  activeRequests,
  requestCounts,
  send,
  trackResponses,
  urlOf,
} from '@ai-orchestrator/testkit/conformance';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { fastifyMonitoring } from '../src/index.js';
import type { FastifyFactory } from './driver.js';

const quiet = { serviceName: 'every', collectDefaultMetrics: false } as const;

export function everyRequestTests(name: string, fastify: FastifyFactory): void {
  describe(`${name}: every request the server answers, counted once`, () => {
    let app: FastifyInstance | undefined;
    afterEach(async () => {
      await app?.close();
      app = undefined;
    });

    async function listen(a: FastifyInstance) {
      await a.listen({ port: 0, host: '127.0.0.1' });
      return { url: urlOf(a.server), ...trackResponses(a.server) };
    }

    it('counts what Fastify answers without hooks: a bad URL and a too long parameter', async () => {
      const registry = new Registry();
      app = fastify();
      await app.register(fastifyMonitoring, { ...quiet, registry });
      app.get('/a/:id', async () => 'ok');
      const { url, settled } = await listen(app);
      const bad = await send(`${url}/a/%zz`);
      // 414 on Fastify 5; Fastify 4 answers 404 through its not-found handler
      const long = await send(`${url}/a/${'x'.repeat(200)}`);
      expect(bad.status).toBe(400);
      await settled();
      expect(await requestCounts(registry)).toEqual({
        'GET __unmatched__ 400': 1,
        [`GET __unmatched__ ${long.status}`]: 1,
      });
      expect(await activeRequests(registry)).toBe(0);
    });

    it('counts the answer of a root hook added before the plugin once, under its route', async () => {
      const registry = new Registry();
      app = fastify();
      app.addHook('onRequest', async (request, reply) => {
        if (request.headers['x-deny']) return reply.code(429).send('slow down');
      });
      await app.register(fastifyMonitoring, { ...quiet, registry });
      app.get('/a/:id', async () => 'ok');
      app.get('/a/new', async () => 'new');
      app.post('/a/:id', async () => 'posted');
      void app.register(
        async (api) => {
          api.get('/files/*', async () => 'file');
          api.get('/users/:userId/runs/:runId', async () => 'run');
        },
        { prefix: '/api' },
      );
      const { url, settled } = await listen(app);
      const deny = { headers: { 'x-deny': '1' } };
      for (const path of ['/a/1', '/a/new', '/api/files/x/y', '/api/users/u/runs/r', '/nowhere']) {
        expect((await send(url + path, deny)).status).toBe(429);
      }
      expect((await send(`${url}/a/2?q=1`, { method: 'POST', ...deny })).status).toBe(429);
      expect((await send(`${url}/a/3`, { method: 'HEAD', ...deny })).status).toBe(429);
      expect((await send(`${url}/a/2`)).status).toBe(200);
      await settled();
      // Our hook never ran for the 429s: the template comes from Fastify's router.
      expect(await requestCounts(registry)).toEqual({
        'GET /a/:id 200': 1,
        'GET /a/:id 429': 1,
        'GET /a/new 429': 1,
        'GET /api/files/* 429': 1,
        'GET /api/users/:userId/runs/:runId 429': 1,
        'GET __unmatched__ 429': 1,
        'HEAD /a/:id 429': 1,
        'POST /a/:id 429': 1,
      });
      expect(await activeRequests(registry)).toBe(0);
    });

    it('counts a request once when the plugin is registered again, also in encapsulated plugins', async () => {
      const registry = new Registry();
      const metrics = createMetrics({ ...quiet, registry });
      app = fastify();
      await app.register(fastifyMonitoring, { metrics });
      await app.register(fastifyMonitoring, { metrics, metricsPath: false });
      for (const prefix of ['/one', '/two']) {
        void app.register(
          async (child) => {
            await child.register(fastifyMonitoring, { metrics, metricsPath: false });
            child.get('/x/:id', async () => 'ok');
          },
          { prefix },
        );
      }
      app.get('/root', async () => 'ok');
      const { url, settled } = await listen(app);
      for (const path of ['/root', '/one/x/1', '/two/x/2', '/nowhere']) await send(url + path);
      await settled();
      expect(await requestCounts(registry)).toEqual({
        'GET /one/x/:id 200': 1,
        'GET /root 200': 1,
        'GET /two/x/:id 200': 1,
        'GET __unmatched__ 404': 1,
      });
    });

    // Registered at the root and inside a prefixed plugin on one metrics object: the context that
    // owns the longer prefix of the URL decides, whichever was registered first.
    for (const order of ['root first', 'prefix first'] as const) {
      it(`lets the registration owning the longer prefix decide (${order})`, async () => {
        const registry = new Registry();
        const metrics = createMetrics({ ...quiet, registry });
        app = fastify();
        const root = async (a: FastifyInstance) => {
          await a.register(fastifyMonitoring, {
            metrics,
            ignorePaths: ['/health'],
            auth: { type: 'bearer', token: 'root-token' },
          });
          a.get('/health', async () => 'ok');
          a.get('/ping', async () => 'root ping');
        };
        const api = async (a: FastifyInstance) =>
          a.register(
            async (child) => {
              await child.register(fastifyMonitoring, { metrics, ignorePaths: ['/ping'] });
              child.get('/ping', async () => 'pong');
              child.get('/health', async () => 'api health');
              child.get('/users/:id', async () => 'user');
            },
            { prefix: '/api' },
          );
        if (order === 'root first') {
          await root(app);
          await api(app);
        } else {
          await api(app);
          await root(app);
        }
        const { url, settled } = await listen(app);
        for (const path of ['/health', '/ping', '/api/ping', '/api/health', '/api/users/1']) {
          expect([path, (await send(url + path)).status]).toEqual([path, 200]);
        }
        // Each context's metrics path, with its own auth: the root's asks for its token.
        expect((await send(`${url}/metrics`)).status).toBe(401);
        const bearer = { headers: { authorization: 'Bearer root-token' } };
        expect((await send(`${url}/metrics`, bearer)).status).toBe(200);
        expect((await send(`${url}/api/metrics`)).status).toBe(200);
        const posted = await send(`${url}/api/metrics`, { method: 'POST', body: 'x' });
        expect([posted.status, posted.headers.allow]).toEqual([405, 'GET, HEAD']);
        await settled();
        expect(await requestCounts(registry)).toEqual({
          'GET /api/health 200': 1,
          'GET /api/users/:id 200': 1,
          'GET /ping 200': 1,
        });
        expect((await app.inject('/health')).statusCode).toBe(200);
        expect((await app.inject('/api/ping')).statusCode).toBe(200);
        expect((await app.inject('/api/health')).statusCode).toBe(200);
        expect(await requestCounts(registry)).toEqual({
          'GET /api/health 200': 2,
          'GET /api/users/:id 200': 1,
          'GET /ping 200': 1,
        });
        expect(await activeRequests(registry)).toBe(0);
      });
    }

    it('skips what any registration of one metrics object skips, and never records a metrics path', async () => {
      const registry = new Registry();
      const metrics = createMetrics({ ...quiet, registry });
      app = fastify();
      const auth = { type: 'bearer', token: 'root-token' } as const;
      // an encapsulated plugin without a prefix, registered before the root
      await app.register(async (plain) => {
        await plain.register(fastifyMonitoring, {
          metrics,
          metricsPath: false,
          ignorePaths: ['/internal'],
        });
        plain.get('/internal', async () => 'internal');
      });
      // the root: a metrics path under another registration's prefix, a route of its own there
      await app.register(fastifyMonitoring, {
        metrics,
        metricsPath: '/ops/metrics',
        ignorePaths: ['/health', '/ops/health'],
        auth,
      });
      app.get('/health', async () => 'ok');
      app.get('/ops/health', async () => 'ok');
      for (const prefix of ['/ops', '/api/:version', '/api/v1']) {
        await app.register(
          async (child) => {
            await child.register(fastifyMonitoring, {
              metrics,
              metricsPath: false,
              ignorePaths: ['/y'],
            });
            child.get('/y', async () => 'y');
            child.get('/z', async () => 'z');
          },
          { prefix },
        );
      }
      const { url, settled } = await listen(app);
      const bearer = { headers: { authorization: 'Bearer root-token' } };
      for (const path of [
        '/health',
        '/internal',
        '/ops/health',
        '/ops/y',
        '/api/v2/y',
        '/api/v1/y',
      ]) {
        expect([path, (await send(url + path)).status]).toEqual([path, 200]);
      }
      expect((await send(`${url}/ops/metrics`)).status).toBe(401);
      expect((await send(`${url}/ops/metrics`, bearer)).status).toBe(200);
      const posted = await send(`${url}/ops/metrics`, {
        method: 'POST',
        body: '{',
        headers: { 'content-type': 'application/json' },
      });
      expect(posted.status).toBe(405);
      for (const path of ['/ops/z', '/api/v1/z']) await send(url + path);
      await settled();
      expect(await requestCounts(registry)).toEqual({
        'GET /api/v1/z 200': 1,
        'GET /ops/z 200': 1,
      });
    });

    it('counts the requests of each Fastify app on a server several apps share, as they come and go', async () => {
      const handlers = new Map<string, RequestListener>();
      const shared = createServer((req, res) => {
        handlers.get(String(req.headers['x-app']))?.(req, res);
      });
      const apps = new Map<string, { instance: FastifyInstance; registry: Registry }>();
      const start = async (name: string) => {
        const registry = new Registry();
        const instance = fastify({
          serverFactory: (handle) => {
            handlers.set(name, handle);
            return shared;
          },
        });
        await instance.register(fastifyMonitoring, { ...quiet, registry });
        instance.get(`/${name}-only`, async () => name);
        await instance.ready();
        apps.set(name, { instance, registry });
      };
      const counts = async (name: string) => requestCounts(apps.get(name)!.registry);
      await start('a');
      // prepended by the plugin, before the server's own handler
      const listener = shared.listeners('request')[0];
      await start('b');
      await new Promise<void>((resolve) => shared.listen(0, '127.0.0.1', resolve));
      const { settled } = trackResponses(shared);
      const base = urlOf(shared);
      const get = async (name: string, path = `/${name}-only`) =>
        (await send(base + path, { headers: { 'x-app': name } })).status;
      try {
        expect([await get('a'), await get('b')]).toEqual([200, 200]);
        await settled();
        expect(await counts('a')).toEqual({ 'GET /a-only 200': 1 });
        expect(await counts('b')).toEqual({ 'GET /b-only 200': 1 });
        // The app that registered first closes: the other counts its own, Fastify's 400 too
        // (it is alone on the server again); then a third app comes.
        await apps.get('a')!.instance.close();
        expect([await get('b'), await get('b', '/a/%zz')]).toEqual([200, 400]);
        await settled();
        expect(await counts('b')).toEqual({ 'GET /b-only 200': 2, 'GET __unmatched__ 400': 1 });
        await start('c');
        expect([await get('b'), await get('c')]).toEqual([200, 200]);
        await settled();
        expect(await counts('a')).toEqual({ 'GET /a-only 200': 1 });
        expect(await counts('b')).toEqual({ 'GET /b-only 200': 3, 'GET __unmatched__ 400': 1 });
        expect(await counts('c')).toEqual({ 'GET /c-only 200': 1 });
        // The last app closed (not the one that registered first): nothing of ours stays on it.
        await apps.get('c')!.instance.close();
        await apps.get('b')!.instance.close();
        expect(shared.listeners('request')).not.toContain(listener);
        expect(Object.getOwnPropertySymbols(shared).map(String).join()).not.toContain(
          'fastify-monitoring',
        );
      } finally {
        for (const { instance } of apps.values()) await instance.close();
        shared.closeAllConnections();
        shared.close();
      }
    });

    it('counts each request once for each metrics object on the server, by its own options', async () => {
      const [first, second] = [new Registry(), new Registry()];
      app = fastify();
      await app.register(fastifyMonitoring, { ...quiet, registry: first, ignorePaths: ['/a'] });
      await app.register(fastifyMonitoring, {
        ...quiet,
        registry: second,
        ignorePaths: ['/b'],
        metricsPath: '/second-metrics',
      });
      app.get('/a', async () => 'a');
      app.get('/b', async () => 'b');
      const { url, settled } = await listen(app);
      for (const path of ['/a', '/b', '/a', '/nowhere']) await send(url + path);
      expect((await send(`${url}/metrics`)).body).toContain('http_server_request_duration_seconds');
      expect((await send(`${url}/second-metrics`)).status).toBe(200);
      // Other methods on either metrics path: 405 from its own registration, before a body parser.
      for (const [path, type] of [
        ['/metrics', 'application/json'],
        ['/second-metrics', 'text/xml'],
      ] as const) {
        const posted = await send(url + path, {
          method: 'POST',
          body: '{',
          headers: { 'content-type': type },
        });
        expect([path, posted.status, posted.headers.allow]).toEqual([path, 405, 'GET, HEAD']);
      }
      await settled();
      // Each serves its own path; the other one's metrics path is a route like any other.
      expect(await requestCounts(first)).toEqual({
        'GET /b 200': 1,
        'GET /second-metrics 200': 1,
        'GET __unmatched__ 404': 1,
        'POST /second-metrics 405': 1,
      });
      expect(await requestCounts(second)).toEqual({
        'GET /a 200': 2,
        'GET /metrics 200': 1,
        'GET __unmatched__ 404': 1,
        'POST /metrics 405': 1,
      });
      expect(await activeRequests(first)).toBe(0);
      expect(await activeRequests(second)).toBe(0);
    });

    it('counts a bad URL on http2 and on a serverFactory server too', async () => {
      const counts: Record<string, number>[] = [];
      for (const options of [
        { http2: true },
        { serverFactory: (handle: RequestListener) => createServer((q, s) => handle(q, s)) },
      ] as FastifyServerOptions[]) {
        const registry = new Registry();
        app = fastify(options);
        await app.register(fastifyMonitoring, { ...quiet, registry });
        app.get('/a/:id', async () => 'ok');
        await app.listen({ port: 0, host: '127.0.0.1' });
        const { settled } = trackResponses(app.server as Server);
        const base = urlOf(app.server as Server);
        if ('http2' in options) {
          const session = connect(base);
          for (const path of ['/a/1', '/a/%zz']) {
            const stream = session.request({ ':path': path }).end();
            stream.resume();
            await once(stream, 'end');
          }
          session.close();
        } else {
          for (const path of ['/a/1', '/a/%zz']) await send(base + path);
        }
        await settled();
        counts.push(await requestCounts(registry));
        await app.close();
        app = undefined;
      }
      const expected = { 'GET /a/:id 200': 1, 'GET __unmatched__ 400': 1 };
      expect(counts).toEqual([expected, expected]);
    });

    it('still counts requests made with inject(), which emit no server event', async () => {
      const registry = new Registry();
      app = fastify();
      await app.register(fastifyMonitoring, { ...quiet, registry });
      app.get('/a/:id', async () => 'ok');
      await app.ready();
      expect((await app.inject('/a/1')).statusCode).toBe(200);
      expect((await app.inject('/metrics')).statusCode).toBe(200);
      // once, under its route, with the status sent (light-my-request never flushes to a socket)
      expect(await requestCounts(registry)).toEqual({ 'GET /a/:id 200': 1 });
    });

    it('never records the metrics path on the spellings the router also serves it on', async () => {
      const registry = new Registry();
      const options = {
        caseSensitive: false,
        ignoreTrailingSlash: true,
        ignoreDuplicateSlashes: true,
      } as FastifyServerOptions;
      app = fastify(options);
      await app.register(fastifyMonitoring, { ...quiet, registry });
      app.get('/ok', async () => 'ok');
      const { url, settled } = await listen(app);
      for (const path of ['/METRICS', '/metrics/', '//metrics', '/Metrics?x=1']) {
        expect((await send(url + path)).status).toBe(200);
      }
      expect((await send(`${url}/METRICS`, { method: 'POST', body: 'x' })).status).toBe(405);
      expect((await send(`${url}/OK/`)).status).toBe(200);
      await settled();
      expect(await requestCounts(registry)).toEqual({ 'GET /ok 200': 1 });
    });
  });
}
